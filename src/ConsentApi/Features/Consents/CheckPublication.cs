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
    /// <summary>
    /// Every fact of a check in one statement, compiled once. Flat rows (pupil × guardian with authority × decision)
    /// rather than nested collections: EF materialises nested collections through delegates it builds on every execution,
    /// which cost more than the query itself. The pupils are those <see cref="TenantQueries.VisibleTo{T}"/> allows.
    /// </summary>
    private static readonly Func<ConsentDbContext, Guid, bool, Guid[], Guid[], MediaType, string, DateTimeOffset, IAsyncEnumerable<CheckRow>> Facts =
        EF.CompileAsyncQuery((ConsentDbContext db, Guid organisationId, bool limitedToSchools, Guid[] schoolIds, Guid[] pupilIds, MediaType mediaType, string channel,
                DateTimeOffset at) =>
            from p in db.Pupils.AsNoTracking()
            join o in db.Organisations on p.OrganisationId equals o.Id
            where p.OrganisationId == organisationId && (!limitedToSchools || schoolIds.Contains(p.SchoolId)) && pupilIds.Contains(p.Id)
            from l in db.GuardianLinks.Where(l => l.PupilId == p.Id && l.HasParentalAuthority).DefaultIfEmpty()
            from d in db.Decisions
                .Where(d => d.PupilId == p.Id && d.MediaType == mediaType && d.ChannelKey == channel && d.GivenAt <= at)
                .DefaultIfEmpty()
            from v in db.ConsentFormVersions.Where(v => d != null && v.Id == d.FormVersionId).DefaultIfEmpty()
            select new CheckRow(
                p.Id,
                p.DateOfBirth,
                o.GrantRequires,
                o.SchoolYearEndMonth,
                o.SchoolYearEndDay,
                o.TimeZone,
                db.Channels.Any(c => c.OrganisationId == p.OrganisationId && c.Key == channel),
                (
                    from i in db.ConsentFormItems
                    join fv in db.ConsentFormVersions on i.VersionId equals fv.Id
                    join f in db.ConsentForms on fv.FormId equals f.Id
                    where i.OrganisationId == p.OrganisationId && i.MediaType == mediaType && i.ChannelKey == channel
                          && fv.Status == FormVersionStatus.Published && fv.PublishedAt <= at
                          && (f.SchoolId == null || f.SchoolId == p.SchoolId)
                    select i).Any(),
                l == null ? null : l.GuardianId,
                d == null ? null : d.Id,
                d == null ? null : d.GuardianId,
                d == null ? null : d.Outcome,
                d == null ? null : d.GivenAt,
                d == null ? null : d.Sequence,
                v == null ? null : v.Validity,
                v == null ? null : v.SchoolYear));

    public async ValueTask<PublicationCheckResponse> Handle(CheckPublicationQuery query, CancellationToken ct)
    {
        var request = query.Request;
        var at = ConsentFactQueries.MomentOf(request.At, clock);
        var mediaType = request.MediaType!.Value;
        var channel = request.Channel;
        var pupilIds = request.PupilIds.Distinct().ToList();

        var rows = new List<CheckRow>();
        await foreach (var row in Facts(db, client.OrganisationId, client.IsLimitedToSchools, [.. client.SchoolIds], [.. pupilIds], mediaType, channel, at).WithCancellation(ct))
        {
            rows.Add(row);
        }

        var byPupil = rows.ToLookup(r => r.PupilId);
        var unknown = pupilIds.Where(id => !byPupil.Contains(id)).ToList();
        if (unknown.Count > 0)
        {
            throw new NotFoundException("Pupil", string.Join(", ", unknown)) { ProblemExtensions = { ["unknownPupilIds"] = unknown } };
        }
        if (!rows[0].ChannelExists)
        {
            throw new RequestValidationException("channel", $"The organisation has no channel '{channel}'.");
        }

        var results = pupilIds.Select(id =>
        {
            var pupil = byPupil[id].ToList();
            var first = pupil[0];
            var facts = new ConsentFacts(
                first.DateOfBirth,
                pupil.Where(r => r.GuardianWithAuthority is not null).Select(r => r.GuardianWithAuthority!.Value).Distinct().ToList(),
                pupil.Where(r => r.DecisionId is not null).DistinctBy(r => r.DecisionId).Select(r => r.ToFact()).ToList(),
                first.Asked);
            var consent = ConsentRules.Evaluate(facts, new ConsentPolicy(first.GrantRequires, first.SchoolYearEndMonth, first.SchoolYearEndDay, first.TimeZone), at);
            return new PupilCheckResult(id, consent.State, consent.Reason, consent.Allowed);
        }).ToList();
        return new PublicationCheckResponse(results.All(r => r.Allowed), at, mediaType, channel, results);
    }
}

/// <summary>One row of the check's facts: a pupil, one guardian with authority (if any), one decision (if any).</summary>
internal sealed record CheckRow(
    Guid PupilId,
    DateOnly DateOfBirth,
    GrantRequires GrantRequires,
    int SchoolYearEndMonth,
    int SchoolYearEndDay,
    string TimeZone,
    bool ChannelExists,
    bool Asked,
    Guid? GuardianWithAuthority,
    Guid? DecisionId,
    Guid? DecidedBy,
    ConsentOutcome? Outcome,
    DateTimeOffset? GivenAt,
    long? Sequence,
    ConsentValidity? Validity,
    string? SchoolYear)
{
    public DecisionFact ToFact() => new(DecisionId!.Value, DecidedBy, Outcome!.Value, GivenAt!.Value, Sequence!.Value, Validity!.Value, SchoolYear);
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
