using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Observability;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace ConsentApi.Features.Consents;

public sealed record CheckPublicationQuery(CheckPublicationRequest Request) : IQuery<PublicationCheckResponse>;

/// <summary>
/// "May these pupils appear in this photo on social media?" Read through the one facts model on every call: no cache
/// stands between a withdrawal and the next check. A check writes nothing and runs in no transaction, so it reads on a
/// pooled connection of the app's data source (the one the DbContexts use) and leases no DbContext: the busiest call
/// spares the context pool's lease and reset.
/// </summary>
public sealed class CheckPublicationHandler(NpgsqlDataSource database, CurrentClient client, TimeProvider clock, ConsentMetrics metrics)
    : IQueryHandler<CheckPublicationQuery, PublicationCheckResponse>
{
    public async ValueTask<PublicationCheckResponse> Handle(CheckPublicationQuery query, CancellationToken ct)
    {
        var request = query.Request;
        var (at, asKnownAt) = ConsentFactQueries.MomentsOf(request.At, request.AsKnownAt, clock);
        var item = (request.MediaType!.Value, request.Channel);
        var pupilIds = request.PupilIds.Distinct().ToList();

        var factsRequest = new FactsRequest(client.OrganisationId, pupilIds, client.IsLimitedToSchools ? client.SchoolIds : null, item, at,
            asKnownAt);
        ConsentFactSet facts;
        await using (var connection = await database.OpenConnectionAsync(ct))
        {
            facts = await ConsentFactsReader.ReadAsync(connection, null, factsRequest, ct);
        }
        List<Guid>? unknown = null;
        foreach (var id in pupilIds)
        {
            if (!facts.Pupils.ContainsKey(id))
            {
                (unknown ??= []).Add(id);
            }
        }
        if (unknown is not null)
        {
            throw new NotFoundException("Pupil", string.Join(", ", unknown)) { ProblemExtensions = { ["unknownPupilIds"] = unknown } };
        }
        if (!facts.Channels.ContainsKey(request.Channel))
        {
            throw new RequestValidationException("channel", $"The organisation has no channel '{request.Channel}'.");
        }

        var perPupilBlur = request.Answer == CheckAnswer.PerPupilBlur;
        var results = new List<PupilCheckResult>(pupilIds.Count);
        var everyoneAllowed = true;
        foreach (var id in pupilIds)
        {
            var consent = facts.Evaluate(id, item);
            PupilAnswer? answer = perPupilBlur ? consent.Allowed ? PupilAnswer.Allowed : PupilAnswer.Blur : null;
            results.Add(new PupilCheckResult(id, consent.State, consent.Reason, consent.Allowed, answer));
            everyoneAllowed &= consent.Allowed;
        }
        // A blurred pupil needs no consent: for the photo as a whole, every pupil is then either allowed or blurred.
        var allowed = perPupilBlur || everyoneAllowed;
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
