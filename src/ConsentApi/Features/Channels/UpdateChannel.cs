using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.Channels;

/// <summary>A channel's names and audience.</summary>
/// <param name="NameNl">The name in Dutch, e.g. "Regionale pers".</param>
/// <param name="NameEn">The name in English, e.g. "Regional press".</param>
/// <param name="Audience">`public` or `closed`.</param>
/// <param name="Recall">`removable` or `not-recallable`; left as it is when not given.</param>
public sealed record ChannelRequest(
    [property: Required, StringLength(FieldLengths.ChannelName, MinimumLength = 2)] string NameNl,
    [property: StringLength(FieldLengths.ChannelName, MinimumLength = 2)] string? NameEn,
    [property: Required] ChannelAudience? Audience,
    ChannelRecall? Recall = null);

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
        // Not part of what was consented to: it decides only what kind of takedown opens from now on.
        channel.Recall = command.Channel.Recall ?? channel.Recall;
        audit.On("channel", channel.Id);
        return channel.ToResponse();
    }
}

public static class UpdateChannelEndpoint
{
    public static RouteHandlerBuilder MapUpdateChannel(this RouteGroupBuilder group) =>
        group.MapPut("/{channelKey:maxlength(40)}", Update)
            .WithName("UpdateChannel")
            .WithETag<Domain.Consent.Channel>(ChannelLookup.RowOf)
            .WithSummary("Rename a channel or change its audience")
            .WithDescription("""
                Replaces the channel's names and audience. Its key, and every decision naming it, stay as they are. Who
                sees a channel is part of what was consented to: changing the audience ends every grant given for it
                before (`expired`, reason `channel-changed`; new consent is needed) and opens takedowns for what is online
                there. A new name changes nothing; nor does `recall`, which decides what kind of takedown opens from then on.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ChannelResponse>> Update(string channelKey, ChannelRequest channel, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateChannelCommand(channelKey, channel), ct));
}
