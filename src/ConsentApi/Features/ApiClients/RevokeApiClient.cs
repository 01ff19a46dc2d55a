using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ApiClients;

public sealed record RevokeApiClientCommand(Guid ClientId) : ICommand<Unit>;

public sealed class RevokeApiClientHandler(
    ConsentDbContext db, CurrentClient caller, ApiClientCache cache, AuditScope audit, AfterCommit afterCommit,
    TimeProvider clock)
    : ICommandHandler<RevokeApiClientCommand, Unit>
{
    public async ValueTask<Unit> Handle(RevokeApiClientCommand command, CancellationToken ct)
    {
        var client = await db.ApiClients.VisibleTo(caller).SingleOrDefaultAsync(c => c.Id == command.ClientId, ct)
                     ?? throw new NotFoundException("API client", command.ClientId);
        client.RevokedAt ??= clock.GetUtcNow();
        // Forgetting before the commit would let a concurrent request cache the still unrevoked row again.
        var prefix = client.KeyPrefix;
        afterCommit.Add(() => cache.Forget(prefix));
        audit.On("api-client", client.Id);
        return Unit.Value;
    }
}

public static class RevokeApiClientEndpoint
{
    public static RouteHandlerBuilder MapRevokeApiClient(this RouteGroupBuilder group) =>
        group.MapDelete("/{clientId:guid}", Handle)
            .WithName("RevokeApiClient")
            .WithETag<Domain.ApiClient>("clientId")
            .WithSummary("Revoke an API client's key")
            .WithDescription("""
                The key stops working with the next request on the instance that revoked it, and within a second
                (`ApiKeys__CacheDuration`) on every other instance. The client stays listed, with `revokedAt`, so the audit
                trail keeps naming it. Revoking twice is harmless.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<NoContent> Handle(Guid clientId, ISender sender, CancellationToken ct)
    {
        await sender.Send(new RevokeApiClientCommand(clientId), ct);
        return TypedResults.NoContent();
    }
}
