using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Channels;

/// <summary>A new channel of the organisation.</summary>
/// <param name="Key">Lower-case words joined by hyphens, e.g. `regional-press`; unique in the organisation and never changed.</param>
/// <param name="Recall">`removable` (default), or `not-recallable` for printed matter such as a printed school guide.</param>
public sealed record CreateChannelRequest(
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2), RegularExpression(CreateChannelRequest.KeyPattern)] string Key,
    [property: Required, StringLength(FieldLengths.ChannelName, MinimumLength = 2)] string NameNl,
    [property: StringLength(FieldLengths.ChannelName, MinimumLength = 2)] string? NameEn,
    [property: Required] ChannelAudience? Audience,
    ChannelRecall? Recall = null)
{
    public const string KeyPattern = "^[a-z0-9]+(-[a-z0-9]+)*$";
}

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
            Recall = request.Recall ?? ChannelRecall.Removable,
        };
        db.Channels.Add(channel);
        audit.On("channel", channel.Id);
        return channel.ToResponse();
    }
}

public static class CreateChannelEndpoint
{
    public static RouteHandlerBuilder MapCreateChannel(this RouteGroupBuilder group) =>
        group.MapPost("/", Create)
            .WithName("CreateChannel")
            .AcceptsIdempotencyKey()
            .WithSummary("Add a channel")
            .WithDescription("Adds a channel of the organisation's own, e.g. `regional-press`. The key is unique and never changes.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<ChannelResponse>> Create(CreateChannelRequest channel, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateChannelCommand(channel), ct);
        return TypedResults.Created($"/v1/channels/{created.Key}", created);
    }
}
