using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Groups;

public sealed record GetGroupQuery(Guid SchoolId, Guid GroupId) : IQuery<GroupResponse>;

public sealed class GetGroupHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetGroupQuery, GroupResponse>
{
    public async ValueTask<GroupResponse> Handle(GetGroupQuery query, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(query.SchoolId, client, ct);
        return await db.Groups.AsNoTracking()
                   .Where(g => g.Id == query.GroupId && g.SchoolId == query.SchoolId)
                   .ProjectToResponse()
                   .SingleOrDefaultAsync(ct)
               ?? throw new NotFoundException("Group", query.GroupId);
    }
}

public static class GetGroupEndpoint
{
    public static RouteHandlerBuilder MapGetGroup(this RouteGroupBuilder group) =>
        group.MapGet("/{groupId:guid}", Get)
            .WithName("GetGroup")
            .WithETag<Domain.Group>("groupId", conditionalGet: true)
            .WithSummary("Get a group")
            .WithDescription("One group of the school.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<GroupResponse>> Get(Guid schoolId, Guid groupId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetGroupQuery(schoolId, groupId), ct));
}
