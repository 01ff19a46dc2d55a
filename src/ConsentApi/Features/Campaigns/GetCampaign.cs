using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.Campaigns;

public sealed record GetCampaignQuery(Guid CampaignId) : IQuery<CampaignResponse>;

public sealed class GetCampaignHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock) : IQueryHandler<GetCampaignQuery, CampaignResponse>
{
    public async ValueTask<CampaignResponse> Handle(GetCampaignQuery query, CancellationToken ct) =>
        await CampaignReads.ResponseAsync(db, await CampaignReads.FindAsync(db, client, query.CampaignId, tracking: false, ct), clock.GetUtcNow(), ct);
}

public static class GetCampaignEndpoint
{
    public static RouteHandlerBuilder MapGetCampaign(this RouteGroupBuilder group) =>
        group.MapGet("/{campaignId:guid}", Get)
            .WithName("GetCampaign")
            .WithETag<Domain.Consent.Campaign>("campaignId")
            .WithSummary("Get a campaign and its progress")
            .WithDescription("Requested, answered fully, answered partly and not answered, for the school and per group.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<CampaignResponse>> Get(Guid campaignId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetCampaignQuery(campaignId), ct));
}
