using System.ComponentModel.DataAnnotations;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Webhooks;

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

public static class ListWebhooksEndpoint
{
    public static RouteHandlerBuilder MapListWebhooks(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListWebhooks")
            .WithSummary("List webhook subscriptions")
            .WithDescription("The organisation's subscriptions, deleted ones included (status `disabled`). Secrets are never shown.");

    private static async Task<Ok<WebhookList>> List(ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListWebhooksQuery(), ct));
}
