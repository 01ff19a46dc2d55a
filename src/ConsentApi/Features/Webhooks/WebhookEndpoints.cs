using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Net;
using ConsentApi.Domain;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Features.Webhooks;

/// <summary>A new webhook subscription.</summary>
/// <param name="Url">Where events are POSTed: an https URL on port 443 whose host resolves to public addresses only (see the operation's description).</param>
/// <param name="EventTypes">Which events: consent.changed, takedown.opened, takedown.updated, takedown.completed, publication.registered, roster.synced.</param>
/// <param name="SchoolId">Only events of this school; leave out for all.</param>
public sealed record CreateWebhookRequest(
    [property: Required, Url, StringLength(FieldLengths.Url)] string Url,
    [property: Required, MinLength(1), MaxLength(10)] IReadOnlyList<string> EventTypes,
    Guid? SchoolId);

/// <summary>A webhook subscription.</summary>
/// <param name="Status">`active`; `failing` after repeated failed deliveries (delivery goes on); `disabled` once deleted.</param>
public sealed record WebhookResponse(
    Guid Id,
    [property: MaxLength(FieldLengths.Url)] string Url,
    [property: MaxLength(10)] IReadOnlyList<string> EventTypes,
    Guid? SchoolId,
    SubscriptionStatus Status,
    DateTimeOffset CreatedAt);

/// <summary>A new subscription and its signing secret, shown only here.</summary>
/// <param name="Secret">`whsec_` + base64: verify every delivery's `webhook-signature` with it (see the README).</param>
public sealed record CreatedWebhookResponse(WebhookResponse Webhook, [property: MaxLength(64)] string Secret);

/// <summary>One event on its way to the subscription, with every attempt.</summary>
public sealed record DeliveryResponse(
    Guid Id,
    Guid EventId,
    [property: MaxLength(FieldLengths.EventType)] string EventType,
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

internal static class WebhookMapping
{
    public static WebhookResponse ToResponse(this WebhookSubscription s) => new(s.Id, s.Url, s.EventTypes, s.SchoolId, s.Status, s.CreatedAt);

    public static async Task<WebhookSubscription> FindOwnAsync(this ConsentDbContext db, CurrentClient client, Guid id, CancellationToken ct) =>
        await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id && s.OrganisationId == client.OrganisationId
                                                                && (!client.IsLimitedToSchools || (s.SchoolId != null && client.SchoolIds.Contains(s.SchoolId.Value))), ct)
        ?? throw new NotFoundException("Webhook", id);
}

public sealed record CreateWebhookCommand(CreateWebhookRequest Request) : ICommand<CreatedWebhookResponse>;

public sealed class CreateWebhookHandler(
    ConsentDbContext db, CurrentClient client, IOptions<WebhookOptions> options, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateWebhookCommand, CreatedWebhookResponse>
{
    public async ValueTask<CreatedWebhookResponse> Handle(CreateWebhookCommand command, CancellationToken ct)
    {
        var request = command.Request;
        var unknown = request.EventTypes.Except(EventTypes.All).ToList();
        if (unknown.Count > 0)
        {
            throw new RequestValidationException("eventTypes", $"Unknown event type(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", EventTypes.All)}.");
        }
        if (request.SchoolId is { } schoolId)
        {
            await db.EnsureSchoolVisibleAsync(schoolId, client, ct);
        }
        else if (client.IsLimitedToSchools)
        {
            throw new ForbiddenException("A client limited to some schools can only subscribe to events of one of those schools.");
        }
        await EnsureReachableAsync(request.Url, options.Value, ct);

        var subscription = new WebhookSubscription
        {
            OrganisationId = client.OrganisationId,
            Url = request.Url,
            EventTypes = request.EventTypes.Distinct().ToList(),
            SchoolId = request.SchoolId,
            Secret = WebhookSigner.NewSecret(),
            CreatedAt = clock.GetUtcNow(),
        };
        db.WebhookSubscriptions.Add(subscription);
        audit.On("webhook", subscription.Id);
        return new CreatedWebhookResponse(subscription.ToResponse(), subscription.Secret);
    }

    /// <summary>SSRF guard: a strictly parsed https URL on an allowed port whose host resolves to public addresses only (unless configuration allows otherwise).</summary>
    private static async Task EnsureReachableAsync(string url, WebhookOptions options, CancellationToken ct)
    {
        var uri = WebhookUrl.Parse(url, options);
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.DnsSafeHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.DnsSafeHost, ct);
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw new RequestValidationException("url", $"The host '{uri.Host}' cannot be resolved.");
        }
        if (!options.AllowPrivateNetworks && (addresses.Length == 0 || addresses.Any(a => !WebhookAddresses.IsPublic(a))))
        {
            throw new RequestValidationException("url", "The host resolves to a loopback, link-local, private address or another special-purpose one, which webhooks may not reach.");
        }
    }
}

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

/// <summary>An organisation's webhook subscriptions (a handful; at most 500).</summary>
public sealed record WebhookList([property: MaxLength(500)] IReadOnlyList<WebhookResponse> Items);

public sealed record ListWebhooksQuery : IQuery<WebhookList>;

public sealed class ListWebhooksHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<ListWebhooksQuery, WebhookList>
{
    public async ValueTask<WebhookList> Handle(ListWebhooksQuery query, CancellationToken ct)
    {
        var schoolIds = client.SchoolIds;
        var limited = client.IsLimitedToSchools;
        return new WebhookList((await db.WebhookSubscriptions.AsNoTracking()
                .Where(s => s.OrganisationId == client.OrganisationId && (!limited || (s.SchoolId != null && schoolIds.Contains(s.SchoolId.Value))))
                .OrderBy(s => s.Id).Take(500).ToListAsync(ct))
            .Select(s => s.ToResponse()).ToList());
    }
}

public sealed record GetWebhookQuery(Guid WebhookId) : IQuery<WebhookResponse>;

public sealed class GetWebhookHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetWebhookQuery, WebhookResponse>
{
    public async ValueTask<WebhookResponse> Handle(GetWebhookQuery query, CancellationToken ct) =>
        (await db.FindOwnAsync(client, query.WebhookId, ct)).ToResponse();
}

/// <param name="WebhookId">The subscription.</param>
/// <param name="Status">`pending`, `delivered` or `failed`.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListDeliveriesQuery(
    Guid WebhookId,
    [property: AllowedValues(null, "pending", "delivered", "failed")] string? Status,
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

public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").WithTags("Webhooks").RequireScope(Scopes.Admin);
        group.MapPost("/", Create)
            .WithName("CreateWebhook")
            .WithSummary("Subscribe an endpoint to events")
            .WithDescription("""
                Events are POSTed as JSON, signed per the Standard Webhooks specification (`webhook-id`,
                `webhook-timestamp`, `webhook-signature`: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body` with the
                secret returned here, once). Delivered at least once, in order per subscription, retried with growing
                delays for about a day.

                The URL is refused (400 on `url`, before any connection) unless it is an absolute `https://` URL with a
                host, on port 443 (or a configured port), without user info, fragment, backslash, percent-encoded host,
                whitespace or control characters, whose host resolves only to public addresses: none of the IANA
                special-purpose IPv4 and IPv6 ranges (loopback, private, link-local, shared, documentation,
                benchmarking, multicast, reserved, ULA, 6to4, Teredo, local-use NAT64, ...); IPv4-mapped,
                IPv4-compatible and NAT64 addresses are judged by the IPv4 address they carry. The same address and
                port rules apply again at every connection.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", List)
            .WithName("ListWebhooks")
            .WithSummary("List webhook subscriptions")
            .WithDescription("The organisation's subscriptions, deleted ones included (status `disabled`). Secrets are never shown.");
        group.MapGet("/{webhookId:guid}", Get)
            .WithName("GetWebhook")
            .WithSummary("Get a webhook subscription")
            .WithDescription("One subscription. The secret is never shown again.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{webhookId:guid}", Delete)
            .WithName("DeleteWebhook")
            .WithSummary("Delete a webhook subscription")
            .WithDescription("Stops deliveries at once. The subscription and its delivery history stay visible with status `disabled`.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{webhookId:guid}/deliveries", Deliveries)
            .WithName("ListWebhookDeliveries")
            .WithSummary("List a subscription's deliveries and attempts")
            .WithDescription("""
                Every event sent or to be sent to the subscription, in the order the events were recorded (newest last),
                with each attempt's answer.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{webhookId:guid}/deliveries/{deliveryId:guid}/resend", Resend)
            .WithName("ResendWebhookDelivery")
            .WithSummary("Send a delivery again")
            .WithDescription("Puts the delivery back in the queue, due now, whatever its status.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Created<CreatedWebhookResponse>> Create(CreateWebhookRequest request, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateWebhookCommand(request), ct);
        return TypedResults.Created($"/v1/webhooks/{created.Webhook.Id}", created);
    }

    private static async Task<Ok<WebhookList>> List(ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListWebhooksQuery(), ct));

    private static async Task<Ok<WebhookResponse>> Get(Guid webhookId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetWebhookQuery(webhookId), ct));

    private static async Task<NoContent> Delete(Guid webhookId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new DeleteWebhookCommand(webhookId), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<Page<DeliveryResponse>>> Deliveries([AsParameters] ListDeliveriesQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));

    private static async Task<Accepted> Resend(Guid webhookId, Guid deliveryId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new ResendDeliveryCommand(webhookId, deliveryId), ct);
        return TypedResults.Accepted($"/v1/webhooks/{webhookId}/deliveries");
    }
}
