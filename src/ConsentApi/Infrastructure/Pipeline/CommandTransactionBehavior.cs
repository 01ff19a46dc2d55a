using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;

namespace ConsentApi.Infrastructure.Pipeline;

/// <summary>
/// Gives every command one transaction and writes its audit event inside it: the change and the record of who made it
/// commit together or not at all. What a handler left in <see cref="AfterCommit"/> runs once the commit succeeded.
/// Queries do not pass through here.
/// </summary>
public sealed class CommandTransactionBehavior<TCommand, TResponse>(
    ConsentDbContext db,
    CurrentClient client,
    AuditScope audit,
    AfterCommit afterCommit,
    IHttpContextAccessor http,
    TimeProvider clock)
    : IPipelineBehavior<TCommand, TResponse>
    where TCommand : ICommand<TResponse>
{
    public async ValueTask<TResponse> Handle(
        TCommand message, MessageHandlerDelegate<TCommand, TResponse> next, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var response = await next(message, cancellationToken);

        db.AuditEvents.Add(new AuditEvent
        {
            OrganisationId = audit.OrganisationId ?? (client.IsPlatform ? null : client.OrganisationId),
            ClientId = client.ClientId,
            Action = ActionName(typeof(TCommand)),
            ResourceType = audit.ResourceType,
            ResourceId = audit.ResourceId,
            RequestId = http.HttpContext is { } context ? RequestIds.Of(context) : "-",
            OccurredAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        afterCommit.Run();
        return response;
    }

    private static string ActionName(Type command) =>
        command.Name.EndsWith("Command", StringComparison.Ordinal) ? command.Name[..^"Command".Length] : command.Name;
}
