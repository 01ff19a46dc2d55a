using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.Channels;

public sealed record RetireChannelCommand(string ChannelKey) : ICommand<ChannelResponse>;

public sealed class RetireChannelHandler(
    ConsentDbContext db, CurrentClient client, ConsentChanges changes, AuditScope audit, TimeProvider clock)
    : ICommandHandler<RetireChannelCommand, ChannelResponse>
{
    public async ValueTask<ChannelResponse> Handle(RetireChannelCommand command, CancellationToken ct)
    {
        var channel = await db.Channels.FindOwnAsync(client, command.ChannelKey, ct);
        if (channel.RetiredAt is null)
        {
            await changes.LockOrganisationForChangeAsync(client.OrganisationId, ct, channel.Key);
        }
        channel.RetiredAt ??= clock.GetUtcNow();
        audit.On("channel", channel.Id);
        return channel.ToResponse();
    }
}

public static class RetireChannelEndpoint
{
    public static RouteHandlerBuilder MapRetireChannel(this RouteGroupBuilder group) =>
        group.MapPost("/{channelKey:maxlength(40)}/retire", Retire)
            .WithName("RetireChannel")
            .WithETag<Domain.Consent.Channel>(ChannelLookup.RowOf)
            .WithSummary("Retire a channel")
            .WithDescription("""
                The channel takes no new form items and drops out of class sheets. Every grant for it ends: checks on it
                answer `expired` with reason `channel-retired` (or `not-asked`/`refused` as before for pupils without a
                grant), and takedowns open for what is online there. Its decisions and history stay. Retiring twice is
                harmless.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ChannelResponse>> Retire(string channelKey, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new RetireChannelCommand(channelKey), ct));
}
