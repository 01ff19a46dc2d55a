using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Guardians;

public sealed record UpdateGuardianCommand(Guid GuardianId, GuardianRequest Guardian) : ICommand<GuardianResponse>;

public sealed class UpdateGuardianHandler(ConsentDbContext db, CurrentClient client, AuditScope audit)
    : ICommandHandler<UpdateGuardianCommand, GuardianResponse>
{
    public async ValueTask<GuardianResponse> Handle(UpdateGuardianCommand command, CancellationToken ct)
    {
        var guardian = await db.Guardians.VisibleTo(db, client).SingleOrDefaultAsync(g => g.Id == command.GuardianId, ct)
                       ?? throw new NotFoundException("Guardian", command.GuardianId);
        var externalId = command.Guardian.ExternalId;
        var name = command.Guardian.DisplayName.Trim();
        if (client.IsLimitedToSchools)
        {
            if (externalId != guardian.ExternalId)
            {
                throw new ForbiddenException(
                    "A client limited to some schools cannot change a guardian's external id: it identifies the guardian across the organisation's schools.");
            }
            // The caller's schools rename the guardian for themselves; for the organisation only when no other school knows them.
            var schoolIds = client.SchoolIds;
            await db.GuardianSchools.Where(k => k.GuardianId == guardian.Id && schoolIds.Contains(k.SchoolId))
                .ExecuteUpdateAsync(k => k.SetProperty(x => x.DisplayName, name), ct);
            if (!await db.KnownElsewhereAsync(guardian.Id, schoolIds, ct))
            {
                guardian.DisplayName = name;
            }
            // The name these schools see lives beside the guardian's row; writing the row anyway gives the guardian a
            // new ETag, so that two clients renaming from the same version cannot both succeed (If-Match).
            db.Entry(guardian).Property(g => g.DisplayName).IsModified = true;
        }
        else
        {
            if (externalId != guardian.ExternalId && await db.Guardians.AnyAsync(
                    g => g.OrganisationId == guardian.OrganisationId && g.ExternalId == externalId, ct))
            {
                throw new ConflictException($"The organisation already has a guardian with external id '{externalId}'.");
            }
            guardian.ExternalId = externalId;
            guardian.DisplayName = name;
            await db.GuardianSchools.Where(k => k.GuardianId == guardian.Id)
                .ExecuteUpdateAsync(k => k.SetProperty(x => x.DisplayName, name), ct);
        }
        audit.On("guardian", guardian.Id);
        return new GuardianResponse(guardian.Id, guardian.ExternalId, name);
    }
}

public static class UpdateGuardianEndpoint
{
    public static RouteHandlerBuilder MapUpdateGuardian(this RouteGroupBuilder group) =>
        group.MapPut("/{guardianId:guid}", Update)
            .WithName("UpdateGuardian")
            .WithETag<Domain.Guardian>("guardianId")
            .WithSummary("Update a guardian")
            .WithDescription("""
                Replaces the guardian's external id and name. A client limited to some schools renames the guardian for
                its schools (and for the organisation when no other school knows them), and cannot change the external
                id (403): it identifies the guardian across the organisation's schools.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<GuardianResponse>> Update(
        Guid guardianId, GuardianRequest guardian, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateGuardianCommand(guardianId, guardian), ct));
}
