using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
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
        var after = Paging.After(query.Cursor);
        return await db.Organisations.AsNoTracking()
            .Where(o => after == null || o.Id > after)
            .OrderBy(o => o.Id)
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
