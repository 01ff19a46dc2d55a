using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.Campaigns;

public sealed record CloseCampaignCommand(Guid CampaignId) : ICommand<CampaignResponse>;

public sealed class CloseCampaignHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CloseCampaignCommand, CampaignResponse>
{
    public async ValueTask<CampaignResponse> Handle(CloseCampaignCommand command, CancellationToken ct)
    {
        var campaign = await CampaignReads.FindAsync(db, client, command.CampaignId, tracking: true, ct);
        var now = clock.GetUtcNow();
        campaign.ClosedAt ??= now;
        audit.On("campaign", campaign.Id);
        return await CampaignReads.ResponseAsync(db, campaign, now, ct);
    }
}

public static class CloseCampaignEndpoint
{
    public static RouteHandlerBuilder MapCloseCampaign(this RouteGroupBuilder group) =>
        group.MapPost("/{campaignId:guid}/close", Close)
            .WithName("CloseCampaign")
            .WithETag<Domain.Consent.Campaign>("campaignId")
            .WithSummary("Close a campaign")
            .WithDescription("Stops asking pupils who join. Open requests stay visible and count as not answered.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<CampaignResponse>> Close(Guid campaignId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new CloseCampaignCommand(campaignId), ct));
}
