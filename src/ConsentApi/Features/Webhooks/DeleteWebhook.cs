using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.Webhooks;

public sealed record DeleteWebhookCommand(Guid WebhookId) : ICommand<Unit>;

public sealed class DeleteWebhookHandler(ConsentDbContext db, CurrentClient client, AuditScope audit) : ICommandHandler<DeleteWebhookCommand, Unit>
{
    public async ValueTask<Unit> Handle(DeleteWebhookCommand command, CancellationToken ct)
    {
        var subscription = await db.FindOwnAsync(client, command.WebhookId, ct);
        subscription.Status = SubscriptionStatus.Disabled;
        audit.On("webhook", subscription.Id);
        return Unit.Value;
    }
}

public static class DeleteWebhookEndpoint
{
    public static RouteHandlerBuilder MapDeleteWebhook(this RouteGroupBuilder group) =>
        group.MapDelete("/{webhookId:guid}", Delete)
            .WithName("DeleteWebhook")
            .WithETag<Domain.Webhooks.WebhookSubscription>("webhookId")
            .WithSummary("Delete a webhook subscription")
            .WithDescription("Stops deliveries at once. The subscription and its delivery history stay visible with status `disabled`.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<NoContent> Delete(Guid webhookId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new DeleteWebhookCommand(webhookId), ct);
        return TypedResults.NoContent();
    }
}
