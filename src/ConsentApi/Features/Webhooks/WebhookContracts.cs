using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Webhooks;

/// <summary>A webhook subscription.</summary>
/// <param name="Status">`active`; `failing` after repeated failed deliveries (delivery goes on); `disabled` once deleted.</param>
public sealed record WebhookResponse(
    Guid Id,
    [property: MaxLength(FieldLengths.Url)] string Url,
    [property: MaxLength(10), OneOf(typeof(EventType))] IReadOnlyList<string> EventTypes,
    Guid? SchoolId,
    SubscriptionStatus Status,
    DateTimeOffset CreatedAt);

internal static class WebhookMapping
{
    public static WebhookResponse ToResponse(this WebhookSubscription s) => new(s.Id, s.Url, s.EventTypes, s.SchoolId, s.Status, s.CreatedAt);

    public static async Task<WebhookSubscription> FindOwnAsync(this ConsentDbContext db, CurrentClient client, Guid id, CancellationToken ct) =>
        await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id && s.OrganisationId == client.OrganisationId
                                                                && (!client.IsLimitedToSchools || (s.SchoolId != null && client.SchoolIds.Contains(s.SchoolId.Value))), ct)
        ?? throw new NotFoundException("Webhook", id);
}
