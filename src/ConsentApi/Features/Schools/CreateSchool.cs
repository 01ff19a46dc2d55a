using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Schools;

public sealed record CreateSchoolCommand(SchoolRequest School) : ICommand<SchoolResponse>;

public sealed class CreateSchoolHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateSchoolCommand, SchoolResponse>
{
    public async ValueTask<SchoolResponse> Handle(CreateSchoolCommand command, CancellationToken ct)
    {
        if (client.IsLimitedToSchools)
        {
            throw new ForbiddenException("A client limited to some schools cannot add schools.");
        }

        var brinCode = command.School.BrinCode;
        if (await db.Schools.AnyAsync(s => s.OrganisationId == client.OrganisationId && s.BrinCode == brinCode, ct))
        {
            throw new ConflictException($"The organisation already has a school with BRIN code '{brinCode}'.");
        }

        var school = new School
        {
            OrganisationId = client.OrganisationId,
            Name = command.School.Name.Trim(),
            BrinCode = brinCode,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Schools.Add(school);
        audit.On("school", school.Id);
        return school.ToResponse();
    }
}

public static class CreateSchoolEndpoint
{
    public static RouteHandlerBuilder MapCreateSchool(this RouteGroupBuilder group) =>
        group.MapPost("/", Handle)
            .WithName("CreateSchool")
            .AcceptsIdempotencyKey()
            .WithSummary("Add a school")
            .WithDescription("Adds a school to the caller's organisation. The BRIN code is unique within the organisation.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<SchoolResponse>> Handle(SchoolRequest school, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateSchoolCommand(school), ct);
        return TypedResults.Created($"/v1/schools/{created.Id}", created);
    }
}
