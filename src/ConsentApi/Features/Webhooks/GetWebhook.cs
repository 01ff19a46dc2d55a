using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.Webhooks;

public sealed record GetWebhookQuery(Guid WebhookId) : IQuery<WebhookResponse>;

public sealed class GetWebhookHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetWebhookQuery, WebhookResponse>
{
    public async ValueTask<WebhookResponse> Handle(GetWebhookQuery query, CancellationToken ct) =>
        (await db.FindOwnAsync(client, query.WebhookId, ct)).ToResponse();
}

public static class GetWebhookEndpoint
{
    public static RouteHandlerBuilder MapGetWebhook(this RouteGroupBuilder group) =>
        group.MapGet("/{webhookId:guid}", Get)
            .WithName("GetWebhook")
            .WithETag<Domain.Webhooks.WebhookSubscription>("webhookId", conditionalGet: true)
            .WithSummary("Get a webhook subscription")
            .WithDescription("One subscription. The secret is never shown again.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<WebhookResponse>> Get(Guid webhookId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetWebhookQuery(webhookId), ct));
}
