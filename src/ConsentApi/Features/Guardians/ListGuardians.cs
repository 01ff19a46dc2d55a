using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Guardians;

/// <param name="ExternalId">The guardian with this admin-system id.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListGuardiansQuery(
    [property: StringLength(FieldLengths.ExternalId)] string? ExternalId,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<GuardianResponse>>, IPageRequest;

public sealed class ListGuardiansHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<ListGuardiansQuery, Page<GuardianResponse>>
{
    public async ValueTask<Page<GuardianResponse>> Handle(ListGuardiansQuery query, CancellationToken ct)
    {
        var after = Paging.After(query.Cursor);
        return await db.Guardians.AsNoTracking().VisibleTo(db, client)
            .Where(g => (query.ExternalId == null || g.ExternalId == query.ExternalId) && (after == null || g.Id > after))
            .OrderBy(g => g.Id)
            .ProjectToResponseFor(db, client)
            .ToPageAsync(query.Limit, g => g.Id, ct);
    }
}

public static class ListGuardiansEndpoint
{
    public static RouteHandlerBuilder MapListGuardians(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListGuardians")
            .WithSummary("List guardians")
            .WithDescription("""
                The organisation's guardians the caller may see, optionally the one with an external id. A client limited
                to some schools sees the guardians its schools know, under their names.
                """)
            .ProducesValidationProblem();

    private static async Task<Ok<Page<GuardianResponse>>> List(
        [AsParameters] ListGuardiansQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
