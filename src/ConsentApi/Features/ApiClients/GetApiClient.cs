using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ApiClients;

public sealed record GetApiClientQuery(Guid ClientId) : IQuery<ApiClientResponse>;

public sealed class GetApiClientHandler(ConsentDbContext db, CurrentClient caller)
    : IQueryHandler<GetApiClientQuery, ApiClientResponse>
{
    public async ValueTask<ApiClientResponse> Handle(GetApiClientQuery query, CancellationToken ct) =>
        await db.ApiClients.AsNoTracking().VisibleTo(caller)
            .Where(c => c.Id == query.ClientId)
            .ProjectToResponse()
            .SingleOrDefaultAsync(ct)
        ?? throw new NotFoundException("API client", query.ClientId);
}

public static class GetApiClientEndpoint
{
    public static RouteHandlerBuilder MapGetApiClient(this RouteGroupBuilder group) =>
        group.MapGet("/{clientId:guid}", Get)
            .WithName("GetApiClient")
            .WithETag<Domain.ApiClient>("clientId")
            .WithSummary("Get an API client")
            .WithDescription("A client the caller may see (see the list). Keys are never shown.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ApiClientResponse>> Get(Guid clientId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetApiClientQuery(clientId), ct));
}
