using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Channels;

/// <summary>An organisation's channels (a few dozen at most), ordered by key.</summary>
public sealed record ChannelList([property: System.ComponentModel.DataAnnotations.MaxLength(500)] IReadOnlyList<ChannelResponse> Items);

/// <param name="IncludeRetired">Also list retired channels.</param>
public sealed record ListChannelsQuery(bool? IncludeRetired) : IQuery<ChannelList>;

public sealed class ListChannelsHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<ListChannelsQuery, ChannelList>
{
    public async ValueTask<ChannelList> Handle(ListChannelsQuery query, CancellationToken ct)
    {
        var includeRetired = query.IncludeRetired == true;
        return new ChannelList(await db.Channels.AsNoTracking()
            .Where(c => c.OrganisationId == client.OrganisationId && (includeRetired || c.RetiredAt == null))
            .OrderBy(c => c.Key)
            .ProjectToResponse()
            .ToListAsync(ct));
    }
}

public static class ListChannelsEndpoint
{
    public static RouteHandlerBuilder MapListChannels(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListChannels")
            .WithSummary("List the organisation's channels")
            .WithDescription("""
                Every organisation starts with `school-guide`, `website`, `newsletter`, `social-media` and `parent-app`
                and may add its own. Retired channels are left out unless `includeRetired=true`.
                """);

    private static async Task<Ok<ChannelList>> List([AsParameters] ListChannelsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
