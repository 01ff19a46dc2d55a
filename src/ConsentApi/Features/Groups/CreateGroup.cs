using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Groups;

public sealed record CreateGroupCommand(Guid SchoolId, GroupRequest Group) : ICommand<GroupResponse>;

public sealed class CreateGroupHandler(ConsentDbContext db, CurrentClient client, AuditScope audit)
    : ICommandHandler<CreateGroupCommand, GroupResponse>
{
    public async ValueTask<GroupResponse> Handle(CreateGroupCommand command, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(command.SchoolId, client, ct);
        command.Group.EnsureValidSchoolYear();
        var externalId = command.Group.ExternalId;
        if (await db.Groups.AnyAsync(g => g.SchoolId == command.SchoolId && g.ExternalId == externalId, ct))
        {
            throw new ConflictException($"The school already has a group with external id '{externalId}'.");
        }

        var group = new Group
        {
            SchoolId = command.SchoolId,
            ExternalId = externalId,
            Name = command.Group.Name.Trim(),
            SchoolYear = command.Group.SchoolYear,
        };
        db.Groups.Add(group);
        audit.On("group", group.Id);
        return group.ToResponse();
    }
}

public static class CreateGroupEndpoint
{
    public static RouteHandlerBuilder MapCreateGroup(this RouteGroupBuilder group) =>
        group.MapPost("/", Create)
            .WithName("CreateGroup")
            .AcceptsIdempotencyKey()
            .WithSummary("Add a group to a school")
            .WithDescription("Adds a class for a school year. The external id is unique within the school.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<GroupResponse>> Create(
        Guid schoolId, GroupRequest group, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateGroupCommand(schoolId, group), ct);
        return TypedResults.Created($"/v1/schools/{schoolId}/groups/{created.Id}", created);
    }
}
