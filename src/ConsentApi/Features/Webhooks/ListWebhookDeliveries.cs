using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Webhooks;

/// <summary>One event on its way to the subscription, with every attempt.</summary>
public sealed record DeliveryResponse(
    Guid Id,
    Guid EventId,
    [property: MaxLength(FieldLengths.EventType), OneOf(typeof(EventType))] string EventType,
    DeliveryStatus Status,
    [property: Range(0, 100)] int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    [property: MaxLength(20)] IReadOnlyList<AttemptResponse> AttemptLog);

public sealed record AttemptResponse(
    DateTimeOffset AttemptedAt,
    [property: Range(100, 599)] int? StatusCode,
    [property: MaxLength(FieldLengths.Note)] string? Error,
    [property: Range(0, 600_000)] int DurationMs);

/// <param name="WebhookId">The subscription.</param>
/// <param name="Status">`pending`, `delivered` or `failed`.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListDeliveriesQuery(
    Guid WebhookId,
    [property: OneOf(typeof(DeliveryStatus))] string? Status,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<DeliveryResponse>>, IPageRequest;

public sealed class ListDeliveriesHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<ListDeliveriesQuery, Page<DeliveryResponse>>
{
    public async ValueTask<Page<DeliveryResponse>> Handle(ListDeliveriesQuery query, CancellationToken ct)
    {
        var subscription = await db.FindOwnAsync(client, query.WebhookId, ct);
        var after = Paging.After(query.Cursor);
        DeliveryStatus? status = query.Status switch
        {
            "pending" => DeliveryStatus.Pending, "delivered" => DeliveryStatus.Delivered, "failed" => DeliveryStatus.Failed, _ => null,
        };
        var afterSequence = after is null ? 0
            : await (from d in db.WebhookDeliveries
                     join e in db.OutboxEvents on d.EventId equals e.Id
                     where d.Id == after && d.SubscriptionId == subscription.Id
                     select (long?)e.Sequence).SingleOrDefaultAsync(ct)
              ?? throw new RequestValidationException("cursor", "The cursor is not one this API returned.");
        var page = await (from d in db.WebhookDeliveries.AsNoTracking().Include(d => d.AttemptLog)
                          join e in db.OutboxEvents on d.EventId equals e.Id
                          where d.SubscriptionId == subscription.Id && (status == null || d.Status == status) && e.Sequence > afterSequence
                          orderby e.Sequence
                          select new { Delivery = d, e.Type })
            .ToPageAsync(query.Limit, x => x.Delivery.Id, ct);
        return new Page<DeliveryResponse>(page.Items.Select(x => new DeliveryResponse(x.Delivery.Id, x.Delivery.EventId, x.Type,
            x.Delivery.Status, x.Delivery.Attempts, x.Delivery.CreatedAt,
            x.Delivery.Status == DeliveryStatus.Pending ? x.Delivery.NextAttemptAt : null, x.Delivery.DeliveredAt,
            x.Delivery.AttemptLog.OrderBy(a => a.AttemptedAt).TakeLast(20)
                .Select(a => new AttemptResponse(a.AttemptedAt, a.StatusCode, a.Error, a.DurationMs)).ToList())).ToList(), page.NextCursor);
    }
}

public static class ListWebhookDeliveriesEndpoint
{
    public static RouteHandlerBuilder MapListWebhookDeliveries(this RouteGroupBuilder group) =>
        group.MapGet("/{webhookId:guid}/deliveries", Deliveries)
            .WithName("ListWebhookDeliveries")
            .WithSummary("List a subscription's deliveries and attempts")
            .WithDescription("""
                Every event sent or to be sent to the subscription, in the order the events were recorded (newest last),
                with each attempt's answer.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<Page<DeliveryResponse>>> Deliveries([AsParameters] ListDeliveriesQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
