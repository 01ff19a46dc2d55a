using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Observability;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

public sealed record CheckPublicationQuery(CheckPublicationRequest Request) : IQuery<PublicationCheckResponse>;

/// <summary>
/// "May these pupils appear in this photo on social media?" Read through the one facts model on every call: no cache
/// stands between a withdrawal and the next check.
/// </summary>
public sealed class CheckPublicationHandler(ConsentFactsReader reader, CurrentClient client, TimeProvider clock, ConsentMetrics metrics)
    : IQueryHandler<CheckPublicationQuery, PublicationCheckResponse>
{
    public async ValueTask<PublicationCheckResponse> Handle(CheckPublicationQuery query, CancellationToken ct)
    {
        var request = query.Request;
        var (at, asKnownAt) = ConsentFactQueries.MomentsOf(request.At, request.AsKnownAt, clock);
        var item = (request.MediaType!.Value, request.Channel);
        var pupilIds = request.PupilIds.Distinct().ToList();

        var facts = await reader.ReadAsync(new FactsRequest(client.OrganisationId, pupilIds,
            client.IsLimitedToSchools ? client.SchoolIds : null, item, at, asKnownAt), ct);
        var unknown = pupilIds.Where(id => !facts.Pupils.ContainsKey(id)).ToList();
        if (unknown.Count > 0)
        {
            throw new NotFoundException("Pupil", string.Join(", ", unknown)) { ProblemExtensions = { ["unknownPupilIds"] = unknown } };
        }
        if (!facts.Channels.ContainsKey(request.Channel))
        {
            throw new RequestValidationException("channel", $"The organisation has no channel '{request.Channel}'.");
        }

        var perPupilBlur = request.Answer == CheckAnswer.PerPupilBlur;
        var results = pupilIds.Select(id =>
        {
            var consent = facts.Evaluate(id, item);
            PupilAnswer? answer = perPupilBlur ? consent.Allowed ? PupilAnswer.Allowed : PupilAnswer.Blur : null;
            return new PupilCheckResult(id, consent.State, consent.Reason, consent.Allowed, answer);
        }).ToList();
        // A blurred pupil needs no consent: for the photo as a whole, every pupil is then either allowed or blurred.
        var allowed = perPupilBlur || results.All(r => r.Allowed);
        metrics.CheckAnswered(allowed);
        return new PublicationCheckResponse(allowed, at, asKnownAt, item.Item1, item.Channel, results);
    }
}

public static class CheckPublicationEndpoint
{
    public static RouteHandlerBuilder MapCheckPublication(this RouteGroupBuilder group) =>
        group.MapPost("/", Handle)
            .WithName("CheckPublication")
            .WithSummary("May these pupils appear in this media type on this channel?")
            .WithDescription("""
                Answers for up to 200 pupils at once: `allowed` is true only if every pupil's consent for the media type
                and channel is `granted` at `at` (default now); per pupil the state and the reason. Computed from the
                decisions on every call, so a withdrawal made a moment ago already counts. A past `at` proves whether an
                earlier publication was allowed then; `asKnownAt` (default now) answers as the record stood at that
                moment, leaving out decisions recorded later (a paper form keyed in afterwards): with both set to the
                moment of publishing, the answer is the one the school could have had then. Unknown pupils, and pupils
                the caller may not see, are a 404 that lists them in `unknownPupilIds`. With `answer: per-pupil-blur`
                it answers for a photo as a whole: each pupil `allowed`, or `blur` when they may appear only
                unrecognisable (a pupil shown unrecognisable needs no consent), and `allowed` overall is true when every
                pupil is allowed or blurred.
                """)
            .ProducesValidationProblem()
            .ProducesProblem<UnknownPupilsProblem>(StatusCodes.Status404NotFound);

    private static async Task<Ok<PublicationCheckResponse>> Handle(CheckPublicationRequest request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new CheckPublicationQuery(request), ct));
}
