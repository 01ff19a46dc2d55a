using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Publications;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Takedowns;

/// <summary>Who took the item down, and how.</summary>
/// <param name="CompletedBy">The person or system, e.g. "Website-beheerder M. Jansen".</param>
/// <param name="Note">How, e.g. "Foto verwijderd van website en Facebook".</param>
public sealed record CompleteTakedownRequest(
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 2)] string CompletedBy,
    [property: StringLength(FieldLengths.Note, MinimumLength = 1)] string? Note);

public sealed record CompleteTakedownCommand(Guid TakedownId, CompleteTakedownRequest Request) : ICommand<TakedownResponse>;

public sealed class CompleteTakedownHandler(ConsentDbContext db, CurrentClient client, EventOutbox events, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CompleteTakedownCommand, TakedownResponse>
{
    public async ValueTask<TakedownResponse> Handle(CompleteTakedownCommand command, CancellationToken ct)
    {
        var publicationId = await db.Takedowns.VisibleTo(client).Where(t => t.Id == command.TakedownId)
                                .Select(t => (Guid?)t.PublicationId).SingleOrDefaultAsync(ct)
                            ?? throw new NotFoundException("Takedown", command.TakedownId);
        await db.LockPublicationAsync(publicationId, ct);
        var takedown = await db.Takedowns.Include(t => t.Pupils).SingleAsync(t => t.Id == command.TakedownId, ct);
        if (takedown.Status != TakedownStatus.Open)
        {
            throw new ConflictException("The takedown is already done.");
        }
        var now = clock.GetUtcNow();
        takedown.Complete(now, command.Request.CompletedBy.Trim(), command.Request.Note);
        var publication = await db.Publications.SingleAsync(p => p.Id == takedown.PublicationId, ct);
        // An item that cannot be recalled leaves circulation rather than the world: no further takedown opens for it.
        publication.Remove(now, command.Request.Note
            ?? (takedown.Kind == TakedownKind.DoNotReprint ? "Not to be reprinted or handed out again." : "Taken down."));
        await events.AddAsync(EventTypes.TakedownCompleted, takedown.OrganisationId, takedown.SchoolId, new TakedownCompletedEvent(takedown.Id, publication.Id), ct);
        audit.On("takedown", takedown.Id);
        return takedown.ToResponse();
    }
}

public static class CompleteTakedownEndpoint
{
    public static RouteHandlerBuilder MapCompleteTakedown(this RouteGroupBuilder group) =>
        group.MapPost("/{takedownId:guid}/complete", Complete)
            .WithName("CompleteTakedown")
            .WithETag<Domain.Publishing.Takedown>("takedownId")
            .WithSummary("Mark a takedown done")
            .WithDescription("""
                Records who took the item down and how, and marks the publication removed. A `do-not-reprint` takedown
                (an item that cannot be recalled) ends `acknowledged`: the school will not reprint it or hand it out again.
                A completed task cannot be completed again (409).
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<TakedownResponse>> Complete(Guid takedownId, CompleteTakedownRequest request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new CompleteTakedownCommand(takedownId, request), ct));
}
