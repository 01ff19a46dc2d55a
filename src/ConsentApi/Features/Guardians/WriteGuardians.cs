using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
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
        var externalId = command.Guardian.ExternalId;
        if (await db.Guardians.AnyAsync(g => g.OrganisationId == client.OrganisationId && g.ExternalId == externalId, ct))
        {
            throw new ConflictException($"The organisation already has a guardian with external id '{externalId}'.");
        }

        var guardian = new Guardian
        {
            OrganisationId = client.OrganisationId,
            ExternalId = externalId,
            DisplayName = command.Guardian.DisplayName.Trim(),
        };
        db.Guardians.Add(guardian);
        audit.On("guardian", guardian.Id);
        return guardian.ToResponse();
    }
}

public sealed record UpdateGuardianCommand(Guid GuardianId, GuardianRequest Guardian) : ICommand<GuardianResponse>;

public sealed class UpdateGuardianHandler(ConsentDbContext db, CurrentClient client, AuditScope audit)
    : ICommandHandler<UpdateGuardianCommand, GuardianResponse>
{
    public async ValueTask<GuardianResponse> Handle(UpdateGuardianCommand command, CancellationToken ct)
    {
        var guardian = await db.Guardians.VisibleTo(db, client).SingleOrDefaultAsync(g => g.Id == command.GuardianId, ct)
                       ?? throw new NotFoundException("Guardian", command.GuardianId);
        var externalId = command.Guardian.ExternalId;
        if (externalId != guardian.ExternalId && await db.Guardians.AnyAsync(
                g => g.OrganisationId == guardian.OrganisationId && g.ExternalId == externalId, ct))
        {
            throw new ConflictException($"The organisation already has a guardian with external id '{externalId}'.");
        }

        guardian.ExternalId = externalId;
        guardian.DisplayName = command.Guardian.DisplayName.Trim();
        audit.On("guardian", guardian.Id);
        return guardian.ToResponse();
    }
}

public static class WriteGuardianEndpoints
{
    public static RouteHandlerBuilder MapCreateGuardian(this RouteGroupBuilder group) =>
        group.MapPost("/", Create)
            .WithName("CreateGuardian")
            .WithSummary("Add a guardian")
            .WithDescription("""
                Adds a guardian to the organisation. Link them to pupils with LinkGuardian. A client limited to some
                schools sees a guardian once they are linked to a pupil of those schools.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

    public static RouteHandlerBuilder MapUpdateGuardian(this RouteGroupBuilder group) =>
        group.MapPut("/{guardianId:guid}", Update)
            .WithName("UpdateGuardian")
            .WithSummary("Update a guardian")
            .WithDescription("Replaces the guardian's external id and name.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<GuardianResponse>> Create(GuardianRequest guardian, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateGuardianCommand(guardian), ct);
        return TypedResults.Created($"/v1/guardians/{created.Id}", created);
    }

    private static async Task<Ok<GuardianResponse>> Update(
        Guid guardianId, GuardianRequest guardian, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateGuardianCommand(guardianId, guardian), ct));
}
