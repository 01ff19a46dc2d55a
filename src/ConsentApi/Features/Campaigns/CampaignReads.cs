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

    /// <summary>The campaign with its progress: the organisation's policy and calendar, then the counts per group in one statement.</summary>
    public static async Task<CampaignResponse> ResponseAsync(ConsentDbContext db, Campaign campaign, DateTimeOffset now, CancellationToken ct)
    {
        var context = await db.ContextAsync(campaign, now, ct);
        var groups = await db.ProgressPerGroupAsync(context, ct);
        var today = context.Today;
        var status = campaign.IsOpenOn(today) ? "open" : campaign.ClosedAt is null && today < campaign.OpensOn ? "scheduled" : "closed";
        return new CampaignResponse(campaign.Id, campaign.SchoolId, campaign.SchoolYear, campaign.FormVersionId, campaign.OpensOn,
            campaign.ClosesOn, status, campaign.CreatedAt, campaign.ClosedAt, CampaignProgressQueries.Sum(groups.Select(g => g.Progress)),
            groups.Select(g => new GroupProgress(g.GroupId, g.GroupName, g.Progress))
                .OrderBy(g => g.GroupName, StringComparer.OrdinalIgnoreCase)
                .ToList());
    }
}
