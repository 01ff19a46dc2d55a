using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

public sealed record CheckPublicationQuery(CheckPublicationRequest Request) : IQuery<PublicationCheckResponse>;

/// <summary>
/// "May these pupils appear in this photo on social media?" All facts come in one SQL statement, straight from the
/// decisions: no cache stands between a withdrawal and the next check.
/// </summary>
public sealed class CheckPublicationHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock)
    : IQueryHandler<CheckPublicationQuery, PublicationCheckResponse>
{
    public async ValueTask<PublicationCheckResponse> Handle(CheckPublicationQuery query, CancellationToken ct)
    {
        var request = query.Request;
        var at = ConsentFactQueries.MomentOf(request.At, clock);
        var mediaType = request.MediaType!.Value;
        var channel = request.Channel;
        var pupilIds = request.PupilIds.Distinct().ToList();

        var facts = await (
                from p in db.Pupils.AsNoTracking().VisibleTo(client)
                join o in db.Organisations on p.OrganisationId equals o.Id
                where pupilIds.Contains(p.Id)
                select new
                {
                    p.Id,
                    p.DateOfBirth,
                    Policy = new ConsentPolicy(o.GrantRequires, o.SchoolYearEndMonth, o.SchoolYearEndDay),
                    ChannelExists = db.Channels.Any(c => c.OrganisationId == p.OrganisationId && c.Key == channel),
                    Authority = p.Guardians.Where(l => l.HasParentalAuthority).Select(l => l.GuardianId).ToList(),
                    Decisions = (
                        from d in db.Decisions
                        join v in db.ConsentFormVersions on d.FormVersionId equals v.Id
                        where d.PupilId == p.Id && d.MediaType == mediaType && d.ChannelKey == channel && d.GivenAt <= at
                        select new DecisionFact(d.Id, d.GuardianId, d.Outcome, d.GivenAt, d.Sequence, v.Validity, v.SchoolYear))
                        .ToList(),
                    Asked = (
                        from i in db.ConsentFormItems
                        join v in db.ConsentFormVersions on i.VersionId equals v.Id
                        join f in db.ConsentForms on v.FormId equals f.Id
                        where i.OrganisationId == p.OrganisationId && i.MediaType == mediaType && i.ChannelKey == channel
                              && v.Status == FormVersionStatus.Published && v.PublishedAt <= at
                              && (f.SchoolId == null || f.SchoolId == p.SchoolId)
                        select i).Any(),
                })
            .AsSingleQuery()
            .ToListAsync(ct);

        var unknown = pupilIds.Except(facts.Select(f => f.Id)).ToList();
        if (unknown.Count > 0)
        {
            throw new NotFoundException("Pupil", string.Join(", ", unknown)) { ProblemExtensions = { ["unknownPupilIds"] = unknown } };
        }
        if (!facts[0].ChannelExists)
        {
            throw new RequestValidationException("channel", $"The organisation has no channel '{channel}'.");
        }

        var byId = facts.ToDictionary(f => f.Id);
        var results = pupilIds.Select(id =>
        {
            var f = byId[id];
            var consent = ConsentRules.Evaluate(new ConsentFacts(f.DateOfBirth, f.Authority, f.Decisions, f.Asked), f.Policy, at);
            return new PupilCheckResult(id, consent.State, consent.Reason, consent.Allowed);
        }).ToList();
        return new PublicationCheckResponse(results.All(r => r.Allowed), at, mediaType, channel, results);
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
                earlier publication was allowed then. Unknown pupils, and pupils the caller may not see, are a 404 that
                lists them in `unknownPupilIds`.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<PublicationCheckResponse>> Handle(CheckPublicationRequest request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new CheckPublicationQuery(request), ct));
}
