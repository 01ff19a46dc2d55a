using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ApiClients;

public sealed record ListApiClientsQuery(
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<ApiClientResponse>>, IPageRequest;

public sealed class ListApiClientsHandler(ConsentDbContext db, CurrentClient caller)
    : IQueryHandler<ListApiClientsQuery, Page<ApiClientResponse>>
{
    public async ValueTask<Page<ApiClientResponse>> Handle(ListApiClientsQuery query, CancellationToken ct)
    {
        var after = Paging.After(query.Cursor);
        return await db.ApiClients.AsNoTracking().VisibleTo(caller)
            .Where(c => after == null || c.Id > after)
            .OrderBy(c => c.Id)
            .ProjectToResponse()
            .ToPageAsync(query.Limit, c => c.Id, ct);
    }
}

public static class ListApiClientsEndpoint
{
    public static RouteHandlerBuilder MapListApiClients(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListApiClients")
            .WithSummary("List the organisation's API clients")
            .WithDescription("""
                Every client of the caller's organisation, revoked ones included; for a caller limited to some schools, the
                clients limited to those schools. Keys are never shown.
                """)
            .ProducesValidationProblem();

    private static async Task<Ok<Page<ApiClientResponse>>> List(
        [AsParameters] ListApiClientsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
