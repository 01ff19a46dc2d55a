using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Schools;

public sealed record UpdateSchoolCommand(Guid SchoolId, SchoolRequest School) : ICommand<SchoolResponse>;

public sealed class UpdateSchoolHandler(ConsentDbContext db, CurrentClient client, AuditScope audit)
    : ICommandHandler<UpdateSchoolCommand, SchoolResponse>
{
    public async ValueTask<SchoolResponse> Handle(UpdateSchoolCommand command, CancellationToken ct)
    {
        var school = await db.Schools.VisibleTo(client).SingleOrDefaultAsync(s => s.Id == command.SchoolId, ct)
                     ?? throw new NotFoundException("School", command.SchoolId);
        var brinCode = command.School.BrinCode;
        if (brinCode != school.BrinCode && await db.Schools.AnyAsync(
                s => s.OrganisationId == school.OrganisationId && s.BrinCode == brinCode && s.Id != school.Id, ct))
        {
            throw new ConflictException($"The organisation already has a school with BRIN code '{brinCode}'.");
        }

        school.Name = command.School.Name.Trim();
        school.BrinCode = brinCode;
        audit.On("school", school.Id);
        return school.ToResponse();
    }
}

public static class UpdateSchoolEndpoint
{
    public static RouteHandlerBuilder MapUpdateSchool(this RouteGroupBuilder group) =>
        group.MapPut("/{schoolId:guid}", Handle)
            .WithName("UpdateSchool")
            .WithETag<Domain.School>("schoolId")
            .WithSummary("Rename a school or correct its BRIN code")
            .WithDescription("Replaces the school's name and BRIN code.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<SchoolResponse>> Handle(
        Guid schoolId, SchoolRequest school, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateSchoolCommand(schoolId, school), ct));
}
