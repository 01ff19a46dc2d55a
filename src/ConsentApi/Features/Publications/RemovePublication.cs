using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Publishing;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Publications;

/// <summary>Why a publication is withdrawn from the register.</summary>
public sealed record RemovePublicationRequest([property: StringLength(FieldLengths.Note, MinimumLength = 1)] string? Note);

public sealed record RemovePublicationCommand(Guid PublicationId, string? Note) : ICommand<PublicationResponse>;

public sealed class RemovePublicationHandler(ConsentDbContext db, CurrentClient client, EventOutbox events, AuditScope audit, TimeProvider clock)
    : ICommandHandler<RemovePublicationCommand, PublicationResponse>
{
    public async ValueTask<PublicationResponse> Handle(RemovePublicationCommand command, CancellationToken ct)
    {
        if (!await db.Publications.VisibleTo(client).AnyAsync(p => p.Id == command.PublicationId, ct))
        {
            throw new NotFoundException("Publication", command.PublicationId);
        }
        await db.LockPublicationAsync(command.PublicationId, ct);
        var publication = await db.Publications.Include(p => p.Pupils).Include(p => p.Check)
            .SingleAsync(p => p.Id == command.PublicationId, ct);
        var now = clock.GetUtcNow();
        publication.Remove(now, command.Note);

        // Removed is what an open takedown asked for: it is done.
        var takedown = await db.Takedowns.SingleOrDefaultAsync(t => t.PublicationId == publication.Id && t.Status == TakedownStatus.Open, ct);
        if (takedown is not null)
        {
            takedown.Complete(now, "Publication removed from the register", command.Note);
            await events.AddAsync(EventTypes.TakedownCompleted, takedown.OrganisationId, takedown.SchoolId,
                new TakedownCompletedEvent(takedown.Id, publication.Id), ct);
        }
        audit.On("publication", publication.Id);
        return publication.ToResponse();
    }
}

public static class RemovePublicationEndpoint
{
    public static RouteHandlerBuilder MapRemovePublication(this RouteGroupBuilder group) =>
        group.MapPost("/{publicationId:guid}/remove", Remove)
            .WithName("RemovePublication")
            .WithETag<Domain.Publishing.Publication>("publicationId")
            .WithSummary("Mark a publication removed")
            .WithDescription("The item is no longer online (or withdrawn from the register); an open takedown for it is done. It stays listed, with `removedAt`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<PublicationResponse>> Remove(
        Guid publicationId, RemovePublicationRequest? request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new RemovePublicationCommand(publicationId, request?.Note), ct));
}
