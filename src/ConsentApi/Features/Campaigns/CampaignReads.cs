using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Campaigns;

internal static class CampaignReads
{
    public static async Task<Campaign> FindAsync(ConsentDbContext db, CurrentClient client, Guid id, bool tracking, CancellationToken ct)
    {
        var visibleSchools = db.Schools.VisibleTo(client).Select(s => s.Id);
        var campaigns = tracking ? db.Campaigns : db.Campaigns.AsNoTracking();
        return await campaigns.SingleOrDefaultAsync(c => c.Id == id && visibleSchools.Contains(c.SchoolId), ct)
               ?? throw new NotFoundException("Campaign", id);
    }

    public static async Task<CampaignResponse> ResponseAsync(ConsentDbContext db, Campaign campaign, DateTimeOffset now, CancellationToken ct)
    {
        var today = (await db.CalendarAsync(campaign.OrganisationId, ct)).DayOf(now);
        var states = await db.StatesAsync(campaign, now, ct);
        var groupIds = states.Select(s => s.GroupId).OfType<Guid>().Distinct().ToList();
        var groupNames = await db.Groups.Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.Name, ct);
        var status = campaign.IsOpenOn(today) ? "open" : campaign.ClosedAt is null && today < campaign.OpensOn ? "scheduled" : "closed";
        return new CampaignResponse(campaign.Id, campaign.SchoolId, campaign.SchoolYear, campaign.FormVersionId, campaign.OpensOn,
            campaign.ClosesOn, status, campaign.CreatedAt, campaign.ClosedAt, CampaignProgressQueries.Progress(states),
            states.GroupBy(s => s.GroupId)
                .Select(g => new GroupProgress(g.Key, g.Key is { } id ? groupNames[id] : null, CampaignProgressQueries.Progress(g)))
                .OrderBy(g => g.GroupName, StringComparer.OrdinalIgnoreCase)
                .ToList());
    }
}
