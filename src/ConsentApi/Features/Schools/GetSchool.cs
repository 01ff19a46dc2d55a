using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Schools;

public sealed record GetSchoolQuery(Guid SchoolId) : IQuery<SchoolResponse>;

public sealed class GetSchoolHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetSchoolQuery, SchoolResponse>
{
    public async ValueTask<SchoolResponse> Handle(GetSchoolQuery query, CancellationToken ct) =>
        await db.Schools.AsNoTracking().VisibleTo(client)
            .Where(s => s.Id == query.SchoolId)
            .ProjectToResponse()
            .SingleOrDefaultAsync(ct)
        ?? throw new NotFoundException("School", query.SchoolId);
}

public static class GetSchoolEndpoint
{
    public static RouteHandlerBuilder MapGetSchool(this RouteGroupBuilder group) =>
        group.MapGet("/{schoolId:guid}", Get)
            .WithName("GetSchool")
            .WithETag<Domain.School>("schoolId", conditionalGet: true)
            .WithSummary("Get a school")
            .WithDescription("A school of the caller's organisation; 404 for schools the caller may not see.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<SchoolResponse>> Get(Guid schoolId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetSchoolQuery(schoolId), ct));
}
