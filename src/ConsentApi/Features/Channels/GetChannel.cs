using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Channels;

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

public static class GetChannelEndpoint
{
    public static RouteHandlerBuilder MapGetChannel(this RouteGroupBuilder group) =>
        group.MapGet("/{channelKey:maxlength(40)}", Get)
            .WithName("GetChannel")
            .WithETag<Domain.Consent.Channel>(ChannelLookup.RowOf, conditionalGet: true)
            .WithSummary("Get a channel")
            .WithDescription("One channel of the caller's organisation, by key.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ChannelResponse>> Get(string channelKey, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetChannelQuery(channelKey), ct));
}
