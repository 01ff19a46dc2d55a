using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Groups;

/// <param name="SchoolId">The school.</param>
/// <param name="SchoolYear">Only groups of this school year, e.g. "2026-2027".</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListGroupsQuery(
    Guid SchoolId,
    [property: StringLength(FieldLengths.SchoolYear, MinimumLength = 9), RegularExpression(SchoolYears.Pattern)] string? SchoolYear,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<GroupResponse>>, IPageRequest;

public sealed class ListGroupsHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<ListGroupsQuery, Page<GroupResponse>>
{
    public async ValueTask<Page<GroupResponse>> Handle(ListGroupsQuery query, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(query.SchoolId, client, ct);
        var after = Paging.After(query.Cursor);
        return await db.Groups.AsNoTracking()
            .Where(g => g.SchoolId == query.SchoolId
                        && (query.SchoolYear == null || g.SchoolYear == query.SchoolYear)
                        && (after == null || g.Id > after))
            .OrderBy(g => g.Id)
            .ProjectToResponse()
            .ToPageAsync(query.Limit, g => g.Id, ct);
    }
}

public static class ListGroupsEndpoint
{
    public static RouteHandlerBuilder MapListGroups(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListGroups")
            .WithSummary("List a school's groups")
            .WithDescription("The school's groups, optionally of one school year.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<Page<GroupResponse>>> List(
        [AsParameters] ListGroupsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
