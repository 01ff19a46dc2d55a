using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Guardians;

public sealed record CreateGuardianCommand(GuardianRequest Guardian) : ICommand<GuardianResponse>;

public sealed class CreateGuardianHandler(ConsentDbContext db, CurrentClient client, AuditScope audit)
    : ICommandHandler<CreateGuardianCommand, GuardianResponse>
{
    public async ValueTask<GuardianResponse> Handle(CreateGuardianCommand command, CancellationToken ct)
    {
        // One guardian per external id: creates and roster syncs of the organisation take turns.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLocks.Key(client.OrganisationId, AdvisoryLocks.Roster)})", ct);
        var externalId = command.Guardian.ExternalId;
        var name = command.Guardian.DisplayName.Trim();
        var guardian = await db.Guardians
            .SingleOrDefaultAsync(g => g.OrganisationId == client.OrganisationId && g.ExternalId == externalId, ct);
        if (guardian is null)
        {
            guardian = new Guardian { OrganisationId = client.OrganisationId, ExternalId = externalId, DisplayName = name };
            db.Guardians.Add(guardian);
        }
        else if (!client.IsLimitedToSchools || await db.Guardians.VisibleTo(db, client).AnyAsync(g => g.Id == guardian.Id, ct))
        {
            throw new ConflictException($"The organisation already has a guardian with external id '{externalId}'.");
        }
        else if (!await db.GuardianSchools.AnyAsync(k => k.GuardianId == guardian.Id, ct))
        {
            // Known to no school yet: the first school to name them names them for the organisation too.
            guardian.DisplayName = name;
        }
        // A guardian known only at other schools of the board is, for these schools, a new one: the answer is the same
        // as for a guardian nobody knew, and what the other schools hold of them stays theirs.
        await db.SaveChangesAsync(ct);
        if (client.IsLimitedToSchools)
        {
            await db.KnowAsync(guardian.Id, client.SchoolIds, name, ct);
        }
        audit.On("guardian", guardian.Id);
        return new GuardianResponse(guardian.Id, guardian.ExternalId, name);
    }
}

public static class CreateGuardianEndpoint
{
    public static RouteHandlerBuilder MapCreateGuardian(this RouteGroupBuilder group) =>
        group.MapPost("/", Create)
            .WithName("CreateGuardian")
            .AcceptsIdempotencyKey()
            .WithSummary("Add a guardian")
            .WithDescription("""
                Adds a guardian to the organisation. Link them to pupils with LinkGuardian. A guardian is one person
                across the organisation's schools, identified by external id. A client limited to some schools adds the
                guardian to its schools, under the name it gives; when only other schools know that external id, the
                answer is the same as for a new guardian, and what the other schools hold stays theirs (409 only when
                the caller's own schools know them already).
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<GuardianResponse>> Create(GuardianRequest guardian, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateGuardianCommand(guardian), ct);
        return TypedResults.Created($"/v1/guardians/{created.Id}", created);
    }
}
