using System.ComponentModel.DataAnnotations;
using System.Net;
using ConsentApi.Domain;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Features.Webhooks;

/// <summary>A new webhook subscription.</summary>
/// <param name="Url">Where events are POSTed: an https URL on port 443 whose host resolves to public addresses only (see the operation's description).</param>
/// <param name="EventTypes">Which events, as <c>EventType</c> values.</param>
/// <param name="SchoolId">Only events of this school; leave out for all.</param>
public sealed record CreateWebhookRequest(
    [property: Required, Url, StringLength(FieldLengths.Url)] string Url,
    [property: Required, MinLength(1), MaxLength(10), OneOf(typeof(EventType))] IReadOnlyList<string> EventTypes,
    Guid? SchoolId);

/// <summary>A new subscription and its signing secret, shown only here.</summary>
/// <param name="Secret">`whsec_` + base64: verify every delivery's `webhook-signature` with it (see the README).</param>
public sealed record CreatedWebhookResponse(WebhookResponse Webhook, [property: MaxLength(64)] string Secret);

public sealed record CreateWebhookCommand(CreateWebhookRequest Request) : ICommand<CreatedWebhookResponse>;

public sealed class CreateWebhookHandler(
    ConsentDbContext db, CurrentClient client, IOptions<WebhookOptions> options, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateWebhookCommand, CreatedWebhookResponse>
{
    public async ValueTask<CreatedWebhookResponse> Handle(CreateWebhookCommand command, CancellationToken ct)
    {
        var request = command.Request;
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

public static class CreateWebhookEndpoint
{
    public static RouteHandlerBuilder MapCreateWebhook(this RouteGroupBuilder group) =>
        group.MapPost("/", Create)
            .WithName("CreateWebhook")
            .AcceptsIdempotencyKey()
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

    private static async Task<Created<CreatedWebhookResponse>> Create(CreateWebhookRequest request, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateWebhookCommand(request), ct);
        return TypedResults.Created($"/v1/webhooks/{created.Webhook.Id}", created);
    }
}
