using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Campaigns;

/// <summary>
/// Per requested pupil: how many of the form's items are answered by whoever decides, and whom to remind. Under 16 an item
/// is answered when a guardian with parental authority answered it, or, under the organisation's `all-guardians` policy,
/// when every one of them did; from 16 when the pupil did.
/// </summary>
internal static class CampaignProgressQueries
{
    /// <param name="Remind">The guardians with parental authority who still have to answer: all of them under `any-guardian` (one answer completes an item for everybody), those who have not answered every item under `all-guardians`.</param>
    public sealed record RequestState(
        Guid PupilId, string ExternalId, string DisplayName, Guid? GroupId, DateOnly DateOfBirth,
        List<(Guid GuardianId, string ExternalId)> Remind, int Answered, int Items);

    public static async Task<List<RequestState>> StatesAsync(this ConsentDbContext db, Campaign campaign, DateTimeOffset now, CancellationToken ct)
    {
        var items = await db.ConsentFormItems.Where(i => i.VersionId == campaign.FormVersionId).CountAsync(ct);
        var organisation = await db.Organisations.Where(o => o.Id == campaign.OrganisationId)
            .Select(o => new { o.TimeZone, o.GrantRequires }).SingleAsync(ct);
        var today = ConsentCalendar.For(organisation.TimeZone).DayOf(now);
        var everyGuardian = organisation.GrantRequires == GrantRequires.AllGuardians;
        var rows = await (from r in db.ConsentRequests
                          join p in db.Pupils on r.PupilId equals p.Id
                          where r.CampaignId == campaign.Id
                          select new
                          {
                              p.Id, p.ExternalId, p.DisplayName, p.GroupId, p.DateOfBirth,
                              Authority = p.Guardians.Where(l => l.HasParentalAuthority)
                                  .Join(db.Guardians, l => l.GuardianId, g => g.Id, (l, g) => new { g.Id, g.ExternalId }).ToList(),
                              Decisions = db.Decisions.Where(d => d.PupilId == p.Id && d.FormVersionId == campaign.FormVersionId)
                                  .Select(d => new { d.GuardianId, d.MediaType, d.ChannelKey }).ToList(),
                          }).ToListAsync(ct);

        return rows.Select(row =>
        {
            var authority = row.Authority.Select(a => (a.Id, a.ExternalId)).ToList();
            if (ConsentCalendar.IsSixteenOn(row.DateOfBirth, today))
            {
                var own = row.Decisions.Where(d => d.GuardianId is null).Select(d => (d.MediaType, d.ChannelKey)).Distinct().Count();
                return new RequestState(row.Id, row.ExternalId, row.DisplayName, row.GroupId, row.DateOfBirth, [], own, items);
            }
            var deciders = authority.Select(a => a.Id).ToHashSet();
            var answeredBy = row.Decisions
                .Where(d => d.GuardianId is { } g && deciders.Contains(g))
                .GroupBy(d => (d.MediaType, d.ChannelKey), d => d.GuardianId!.Value)
                .ToDictionary(g => g.Key, g => g.ToHashSet());
            var answered = everyGuardian
                ? answeredBy.Values.Count(by => deciders.IsSubsetOf(by))
                : answeredBy.Count;
            var remind = everyGuardian
                ? authority.Where(a => answeredBy.Values.Count(by => by.Contains(a.Id)) < items).ToList()
                : authority;
            return new RequestState(row.Id, row.ExternalId, row.DisplayName, row.GroupId, row.DateOfBirth, remind, answered, items);
        }).ToList();
    }

    public static CampaignProgress Progress(IEnumerable<RequestState> states)
    {
        var list = states.ToList();
        return new CampaignProgress(list.Count,
            list.Count(s => s.Answered >= s.Items),
            list.Count(s => s.Answered > 0 && s.Answered < s.Items),
            list.Count(s => s.Answered == 0));
    }

    /// <summary>Asks every active pupil of the school who has no request yet in the school's open campaigns.</summary>
    public static async Task AddRequestsForOpenCampaignsAsync(
        this ConsentDbContext db, Guid organisationId, Guid schoolId, DateTimeOffset now, CancellationToken ct)
    {
        var today = (await db.CalendarAsync(organisationId, ct)).DayOf(now);
        var open = await db.Campaigns.Where(c => c.SchoolId == schoolId && c.ClosedAt == null && c.OpensOn <= today && c.ClosesOn >= today)
            .Select(c => c.Id).ToListAsync(ct);
        foreach (var campaignId in open)
        {
            var missing = await db.Pupils
                .Where(p => p.SchoolId == schoolId && p.Status == PupilStatus.Active
                            && !db.ConsentRequests.Any(r => r.CampaignId == campaignId && r.PupilId == p.Id))
                .Select(p => p.Id).ToListAsync(ct);
            db.ConsentRequests.AddRange(missing.Select(id => new ConsentRequest { CampaignId = campaignId, PupilId = id, CreatedAt = now }));
        }
    }
}
