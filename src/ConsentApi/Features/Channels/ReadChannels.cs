using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
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

public sealed record GetChannelQuery(string ChannelKey) : IQuery<ChannelResponse>;

public sealed class GetChannelHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetChannelQuery, ChannelResponse>
{
    public async ValueTask<ChannelResponse> Handle(GetChannelQuery query, CancellationToken ct) =>
        await db.Channels.AsNoTracking()
            .Where(c => c.OrganisationId == client.OrganisationId && c.Key == query.ChannelKey)
            .ProjectToResponse()
            .SingleOrDefaultAsync(ct)
        ?? throw new NotFoundException("Channel", query.ChannelKey);
}

public static class ReadChannelEndpoints
{
    public static RouteHandlerBuilder MapListChannels(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListChannels")
            .WithSummary("List the organisation's channels")
            .WithDescription("""
                Every organisation starts with `school-guide`, `website`, `newsletter`, `social-media` and `parent-app`
                and may add its own. Retired channels are left out unless `includeRetired=true`.
                """);

    public static RouteHandlerBuilder MapGetChannel(this RouteGroupBuilder group) =>
        group.MapGet("/{channelKey:maxlength(40)}", Get)
            .WithName("GetChannel")
            .WithSummary("Get a channel")
            .WithDescription("One channel of the caller's organisation, by key.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ChannelList>> List([AsParameters] ListChannelsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));

    private static async Task<Ok<ChannelResponse>> Get(string channelKey, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetChannelQuery(channelKey), ct));
}
