using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Campaigns;

/// <summary>A school's campaigns, newest last.</summary>
public sealed record CampaignList([property: System.ComponentModel.DataAnnotations.MaxLength(500)] IReadOnlyList<CampaignResponse> Items);

public sealed record ListCampaignsQuery(Guid SchoolId) : IQuery<CampaignList>;

public sealed class ListCampaignsHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock) : IQueryHandler<ListCampaignsQuery, CampaignList>
{
    public async ValueTask<CampaignList> Handle(ListCampaignsQuery query, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(query.SchoolId, client, ct);
        var now = clock.GetUtcNow();
        var campaigns = await db.Campaigns.AsNoTracking().Where(c => c.SchoolId == query.SchoolId)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(500).ToListAsync(ct);
        var responses = new List<CampaignResponse>();
        foreach (var campaign in campaigns)
        {
            responses.Add(await CampaignReads.ResponseAsync(db, campaign, now, ct));
        }
        return new CampaignList(responses);
    }
}

public static class ListCampaignsEndpoint
{
    public static RouteHandlerBuilder MapListCampaigns(this RouteGroupBuilder group) =>
        group.MapGet("/{schoolId:guid}/campaigns", List)
            .WithName("ListCampaigns")
            .WithSummary("List a school's campaigns")
            .WithDescription("Every campaign of the school with its progress.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<CampaignList>> List(Guid schoolId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListCampaignsQuery(schoolId), ct));
}
