using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Channels;

public sealed record CreateChannelCommand(CreateChannelRequest Channel) : ICommand<ChannelResponse>;

public sealed class CreateChannelHandler(ConsentDbContext db, CurrentClient client, AuditScope audit)
    : ICommandHandler<CreateChannelCommand, ChannelResponse>
{
    public async ValueTask<ChannelResponse> Handle(CreateChannelCommand command, CancellationToken ct)
    {
        ChannelLookup.EnsureMayChangeChannels(client);
        var request = command.Channel;
        if (await db.Channels.AnyAsync(c => c.OrganisationId == client.OrganisationId && c.Key == request.Key, ct))
        {
            throw new ConflictException($"The organisation already has a channel '{request.Key}'.");
        }

        var channel = new Channel
        {
            OrganisationId = client.OrganisationId,
            Key = request.Key,
            NameNl = request.NameNl.Trim(),
            NameEn = request.NameEn?.Trim(),
            Audience = request.Audience!.Value,
        };
        db.Channels.Add(channel);
        audit.On("channel", channel.Id);
        return channel.ToResponse();
    }
}

public sealed record UpdateChannelCommand(string ChannelKey, ChannelRequest Channel) : ICommand<ChannelResponse>;

public sealed class UpdateChannelHandler(ConsentDbContext db, CurrentClient client, ConsentChanges changes, AuditScope audit)
    : ICommandHandler<UpdateChannelCommand, ChannelResponse>
{
    public async ValueTask<ChannelResponse> Handle(UpdateChannelCommand command, CancellationToken ct)
    {
        var channel = await db.Channels.FindOwnAsync(client, command.ChannelKey, ct);
        if (channel.Audience != command.Channel.Audience)
        {
            // A channel's audience is part of what was consented to: the change ends every grant for it.
            await changes.LockOrganisationForChangeAsync(client.OrganisationId, ct, channel.Key);
        }
        channel.NameNl = command.Channel.NameNl.Trim();
        channel.NameEn = command.Channel.NameEn?.Trim();
        channel.Audience = command.Channel.Audience!.Value;
        audit.On("channel", channel.Id);
        return channel.ToResponse();
    }
}

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

internal static class ChannelLookup
{
    /// <summary>The channel to change: it must exist, and the caller must not be limited to some schools.</summary>
    public static async Task<Channel> FindOwnAsync(this DbSet<Channel> channels, CurrentClient client, string key, CancellationToken ct)
    {
        var channel = await channels.SingleOrDefaultAsync(c => c.OrganisationId == client.OrganisationId && c.Key == key, ct)
                      ?? throw new NotFoundException("Channel", key);
        EnsureMayChangeChannels(client);
        return channel;
    }

    /// <summary>Channels serve every school of the organisation, so a client limited to some schools cannot change them.</summary>
    public static void EnsureMayChangeChannels(CurrentClient client)
    {
        if (client.IsLimitedToSchools)
        {
            throw new ForbiddenException("Channels serve the whole organisation; a client limited to some schools cannot change them.");
        }
    }
}

public static class WriteChannelEndpoints
{
    public static RouteHandlerBuilder MapCreateChannel(this RouteGroupBuilder group) =>
        group.MapPost("/", Create)
            .WithName("CreateChannel")
            .WithSummary("Add a channel")
            .WithDescription("Adds a channel of the organisation's own, e.g. `regional-press`. The key is unique and never changes.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

    public static RouteHandlerBuilder MapUpdateChannel(this RouteGroupBuilder group) =>
        group.MapPut("/{channelKey:maxlength(40)}", Update)
            .WithName("UpdateChannel")
            .WithSummary("Rename a channel or change its audience")
            .WithDescription("""
                Replaces the channel's names and audience. Its key, and every decision naming it, stay as they are. Who
                sees a channel is part of what was consented to: changing the audience ends every grant given for it
                before (`expired`, reason `channel-changed`; new consent is needed) and opens takedowns for what is online
                there. A new name changes nothing.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static RouteHandlerBuilder MapRetireChannel(this RouteGroupBuilder group) =>
        group.MapPost("/{channelKey:maxlength(40)}/retire", Retire)
            .WithName("RetireChannel")
            .WithSummary("Retire a channel")
            .WithDescription("""
                The channel takes no new form items and drops out of class sheets. Every grant for it ends: checks on it
                answer `expired` with reason `channel-retired` (or `not-asked`/`refused` as before for pupils without a
                grant), and takedowns open for what is online there. Its decisions and history stay. Retiring twice is
                harmless.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Created<ChannelResponse>> Create(CreateChannelRequest channel, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateChannelCommand(channel), ct);
        return TypedResults.Created($"/v1/channels/{created.Key}", created);
    }

    private static async Task<Ok<ChannelResponse>> Update(string channelKey, ChannelRequest channel, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateChannelCommand(channelKey, channel), ct));

    private static async Task<Ok<ChannelResponse>> Retire(string channelKey, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new RetireChannelCommand(channelKey), ct));
}

public static class ChannelEndpoints
{
    public static IEndpointRouteBuilder MapChannelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/channels").WithTags("Channels");
        group.MapListChannels().RequireScope(Domain.Scopes.ConsentRead);
        group.MapCreateChannel().RequireScope(Domain.Scopes.Admin);
        group.MapGetChannel().RequireScope(Domain.Scopes.ConsentRead);
        group.MapUpdateChannel().RequireScope(Domain.Scopes.Admin);
        group.MapRetireChannel().RequireScope(Domain.Scopes.Admin);
        return app;
    }
}
