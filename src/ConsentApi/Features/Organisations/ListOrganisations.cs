using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Organisations;

public sealed record ListOrganisationsQuery(
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<OrganisationResponse>>, IPageRequest;

public sealed class ListOrganisationsHandler(ConsentDbContext db)
    : IQueryHandler<ListOrganisationsQuery, Page<OrganisationResponse>>
{
    public async ValueTask<Page<OrganisationResponse>> Handle(ListOrganisationsQuery query, CancellationToken ct)
    {
        // By creation moment, then id: ids made in the same millisecond are in no particular order.
        var after = Paging.After(query.Cursor);
        var afterCreatedAt = after is null ? DateTimeOffset.MinValue
            : await db.Organisations.Where(o => o.Id == after).Select(o => (DateTimeOffset?)o.CreatedAt).SingleOrDefaultAsync(ct)
              ?? throw new RequestValidationException("cursor", "The cursor is not one this API returned.");
        return await db.Organisations.AsNoTracking()
            .Where(o => after == null || o.CreatedAt > afterCreatedAt || (o.CreatedAt == afterCreatedAt && o.Id > after))
            .OrderBy(o => o.CreatedAt).ThenBy(o => o.Id)
            .ProjectToResponse()
            .ToPageAsync(query.Limit, o => o.Id, ct);
    }
}

public static class ListOrganisationsEndpoint
{
    public static RouteHandlerBuilder MapListOrganisations(this RouteGroupBuilder group) =>
        group.MapGet("/", Handle)
            .WithName("ListOrganisations")
            .WithSummary("List organisations")
            .WithDescription("Platform operators only. Ordered by creation; page with `limit` and `cursor`.")
            .ProducesValidationProblem();

    private static async Task<Ok<Page<OrganisationResponse>>> Handle(
        [AsParameters] ListOrganisationsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
