using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
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

public static class ListSchoolsEndpoint
{
    public static RouteHandlerBuilder MapListSchools(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListSchools")
            .WithSummary("List schools")
            .WithDescription("The schools of the caller's organisation that the caller may see.")
            .ProducesValidationProblem();

    private static async Task<Ok<Page<SchoolResponse>>> List(
        [AsParameters] ListSchoolsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
