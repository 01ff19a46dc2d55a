using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Webhooks;

public sealed record ResendDeliveryCommand(Guid WebhookId, Guid DeliveryId) : ICommand<Unit>;

public sealed class ResendDeliveryHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<ResendDeliveryCommand, Unit>
{
    public async ValueTask<Unit> Handle(ResendDeliveryCommand command, CancellationToken ct)
    {
        var subscription = await db.FindOwnAsync(client, command.WebhookId, ct);
        if (subscription.Status == SubscriptionStatus.Disabled)
        {
            throw new ConflictException("The webhook is deleted; nothing is delivered to it any more.");
        }
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == command.DeliveryId && d.SubscriptionId == subscription.Id, ct)
                       ?? throw new NotFoundException("Delivery", command.DeliveryId);
        delivery.Status = DeliveryStatus.Pending;
        delivery.NextAttemptAt = clock.GetUtcNow();
        audit.On("webhook", subscription.Id);
        return Unit.Value;
    }
}

public static class ResendWebhookDeliveryEndpoint
{
    public static RouteHandlerBuilder MapResendWebhookDelivery(this RouteGroupBuilder group) =>
        group.MapPost("/{webhookId:guid}/deliveries/{deliveryId:guid}/resend", Resend)
            .WithName("ResendWebhookDelivery")
            .WithSummary("Send a delivery again")
            .WithDescription("Puts the delivery back in the queue, due now, whatever its status.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Accepted> Resend(Guid webhookId, Guid deliveryId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new ResendDeliveryCommand(webhookId, deliveryId), ct);
        return TypedResults.Accepted($"/v1/webhooks/{webhookId}/deliveries");
    }
}
