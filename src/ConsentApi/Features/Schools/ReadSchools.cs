using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Schools;

public sealed record ListSchoolsQuery(
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<SchoolResponse>>, IPageRequest;

public sealed class ListSchoolsHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<ListSchoolsQuery, Page<SchoolResponse>>
{
    public async ValueTask<Page<SchoolResponse>> Handle(ListSchoolsQuery query, CancellationToken ct)
    {
        var after = Paging.After(query.Cursor);
        return await db.Schools.AsNoTracking().VisibleTo(client)
            .Where(s => after == null || s.Id > after)
            .OrderBy(s => s.Id)
            .ProjectToResponse()
            .ToPageAsync(query.Limit, s => s.Id, ct);
    }
}

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

public static class ReadSchoolEndpoints
{
    public static RouteHandlerBuilder MapListSchools(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListSchools")
            .WithSummary("List schools")
            .WithDescription("The schools of the caller's organisation that the caller may see.")
            .ProducesValidationProblem();

    public static RouteHandlerBuilder MapGetSchool(this RouteGroupBuilder group) =>
        group.MapGet("/{schoolId:guid}", Get)
            .WithName("GetSchool")
            .WithSummary("Get a school")
            .WithDescription("A school of the caller's organisation; 404 for schools the caller may not see.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<Page<SchoolResponse>>> List(
        [AsParameters] ListSchoolsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));

    private static async Task<Ok<SchoolResponse>> Get(Guid schoolId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetSchoolQuery(schoolId), ct));
}
