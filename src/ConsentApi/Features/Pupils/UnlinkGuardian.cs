using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

public sealed record UnlinkGuardianCommand(Guid PupilId, Guid GuardianId) : ICommand<Unit>;

public sealed class UnlinkGuardianHandler(ConsentDbContext db, CurrentClient client, ConsentChanges changes, AuditScope audit)
    : ICommandHandler<UnlinkGuardianCommand, Unit>
{
    public async ValueTask<Unit> Handle(UnlinkGuardianCommand command, CancellationToken ct)
    {
        await changes.LockForChangeAsync(client.OrganisationId, [command.PupilId], ct);
        var pupil = await db.Pupils.VisibleTo(client).Include(p => p.Guardians)
                        .SingleOrDefaultAsync(p => p.Id == command.PupilId, ct)
                    ?? throw new NotFoundException("Pupil", command.PupilId);
        var link = pupil.Guardians.SingleOrDefault(l => l.GuardianId == command.GuardianId)
                   ?? throw new NotFoundException("Guardian link", command.GuardianId);
        pupil.Guardians.Remove(link);
        await db.SaveChangesAsync(ct);
        audit.On("pupil", pupil.Id);
        return Unit.Value;
    }
}

public static class UnlinkGuardianEndpoint
{
    public static RouteHandlerBuilder MapUnlinkGuardian(this RouteGroupBuilder group) =>
        group.MapDelete("/{pupilId:guid}/guardians/{guardianId:guid}", Unlink)
            .WithName("UnlinkGuardian")
            .WithETag<Domain.GuardianLink>(GuardianLinkResource.RowOf)
            .WithSummary("Unlink a guardian from a pupil")
            .WithDescription("""
                Removes the link. Decisions the guardian already recorded stay in the pupil's history. With `If-Match`, only
                while the link is at that version (its `ETag` from reading or changing it).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<NoContent> Unlink(Guid pupilId, Guid guardianId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new UnlinkGuardianCommand(pupilId, guardianId), ct);
        return TypedResults.NoContent();
    }
}
