using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Groups;

public sealed record UpdateGroupCommand(Guid SchoolId, Guid GroupId, GroupRequest Group) : ICommand<GroupResponse>;

public sealed class UpdateGroupHandler(ConsentDbContext db, CurrentClient client, AuditScope audit)
    : ICommandHandler<UpdateGroupCommand, GroupResponse>
{
    public async ValueTask<GroupResponse> Handle(UpdateGroupCommand command, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(command.SchoolId, client, ct);
        command.Group.EnsureValidSchoolYear();
        var group = await db.Groups.SingleOrDefaultAsync(g => g.Id == command.GroupId && g.SchoolId == command.SchoolId, ct)
                    ?? throw new NotFoundException("Group", command.GroupId);
        var externalId = command.Group.ExternalId;
        if (externalId != group.ExternalId
            && await db.Groups.AnyAsync(g => g.SchoolId == command.SchoolId && g.ExternalId == externalId, ct))
        {
            throw new ConflictException($"The school already has a group with external id '{externalId}'.");
        }

        group.ExternalId = externalId;
        group.Name = command.Group.Name.Trim();
        group.SchoolYear = command.Group.SchoolYear;
        audit.On("group", group.Id);
        return group.ToResponse();
    }
}

public static class UpdateGroupEndpoint
{
    public static RouteHandlerBuilder MapUpdateGroup(this RouteGroupBuilder group) =>
        group.MapPut("/{groupId:guid}", Update)
            .WithName("UpdateGroup")
            .WithETag<Domain.Group>("groupId")
            .WithSummary("Update a group")
            .WithDescription("Replaces the group's external id, name and school year.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<GroupResponse>> Update(
        Guid schoolId, Guid groupId, GroupRequest group, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateGroupCommand(schoolId, groupId, group), ct));
}
