using ConsentApi.Domain;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace ConsentApi.Infrastructure.Pipeline;

/// <summary>
/// Gives every command one transaction and writes its audit event inside it: the change and the record of who made it
/// commit together or not at all. Before the commit, while the command's locks are held, the consequences of changed
/// consent facts are applied (<see cref="ConsentChanges"/>). A command that PostgreSQL aborted because of another
/// transaction (a deadlock or a serialisation failure) is run again from the start, so that no request, least of all a
/// withdrawal, is refused for a reason another request caused; should that keep happening, the answer is a 503 to retry
/// (<see cref="DatabaseOutage.Contended"/>), never a refusal. What a handler left in <see cref="AfterCommit"/> runs once
/// the commit succeeded. A command sent with an <c>Idempotency-Key</c> claims the key in the same transaction and stores
/// its answer with its effect (<see cref="IdempotencyLedger"/>); a retry gets that answer back and writes nothing. A
/// change sent with <c>If-Match</c> locks its row first and is refused with a 412 unless the tag named the version it
/// changed (<see cref="ResourceVersion"/>).
/// A command sent while another command's transaction is open (an import job applying a file through the roster sync
/// or the decisions it records) joins that transaction: it writes its own audit event, and the consequences, the
/// commit and any retry belong to the command that opened the transaction.
/// Queries do not pass through here.
/// </summary>
public sealed class CommandTransactionBehavior<TCommand, TResponse>(
    ConsentDbContext db,
    CommandWrites writes,
    CurrentClient client,
    AuditScope audit,
    ConsentChanges consentChanges,
    AfterCommit afterCommit,
    EventOutbox events,
    IdempotencyLedger idempotency,
    ResourceVersion resourceVersion,
    IHttpContextAccessor http,
    TimeProvider clock)
    : IPipelineBehavior<TCommand, TResponse>
    where TCommand : ICommand<TResponse>
{
    private const int Attempts = 5;

    public async ValueTask<TResponse> Handle(
        TCommand message, MessageHandlerDelegate<TCommand, TResponse> next, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return await RunInOpenTransactionAsync(message, next, cancellationToken);
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunOnceAsync(message, next, cancellationToken);
            }
            catch (Exception e) when (attempt < Attempts && IsCausedByAnotherTransaction(e))
            {
                db.ChangeTracker.Clear();
                writes.Clear();
                consentChanges.Reset();
                afterCommit.Clear();
                events.Reset();
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
            }
        }
    }

    private async ValueTask<TResponse> RunOnceAsync(
        TCommand message, MessageHandlerDelegate<TCommand, TResponse> next, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One transaction, one save at the end: no savepoint around each save (a failed save fails the command, which is
        // run again from the start or answered), so a save is one round trip.
        db.Database.AutoSavepointsEnabled = false;
        // The moment the database's history triggers stamp on what this command changes (links, enrolment, policy,
        // channels): the app's clock, so that the histories and the decisions keep one time. A command that locks before
        // it writes sets it with its first lock; a key's claim comes first, so it is set before then.
        var moment = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", System.Globalization.CultureInfo.InvariantCulture);
        if (message is ILocksBeforeWriting && !idempotency.HasKey)
        {
            consentChanges.SetCommandMomentWithLock(moment);
        }
        else
        {
            await db.Database.ExecuteSqlAsync($"SELECT set_config('consent.now', {moment}, true)", cancellationToken);
        }
        var claim = await idempotency.ClaimAsync(message, cancellationToken);
        if (claim?.StoredResponse is not null)
        {
            // A retry of a command that already ran: its answer again, and nothing written, not even an audit event.
            return IdempotencyLedger.Replay<TResponse>(claim);
        }
        await resourceVersion.LockAsync(cancellationToken);
        var response = await next(message, cancellationToken);
        if (consentChanges.CommandMomentPending)
        {
            throw new InvalidOperationException($"{typeof(TCommand).Name} wrote nothing under a lock, so its moment was never set.");
        }
        resourceVersion.Verify();
        await consentChanges.ApplyAsync(cancellationToken);
        if (claim is not null)
        {
            await idempotency.Remember(claim, response, cancellationToken);
        }

        AddAuditEvent();
        await writes.SaveAsync(cancellationToken);
        await resourceVersion.ReadAfterAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        afterCommit.Run();
        return response;
    }

    private async ValueTask<TResponse> RunInOpenTransactionAsync(
        TCommand message, MessageHandlerDelegate<TCommand, TResponse> next, CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken);
        AddAuditEvent();
        audit.Reset();
        await writes.SaveAsync(cancellationToken);
        return response;
    }

    private void AddAuditEvent()
    {
        if (audit.NothingChanged)
        {
            return;
        }
        writes.Append(new AuditEvent
        {
            OrganisationId = audit.OrganisationId ?? (client.IsPlatform ? null : client.OrganisationId),
            ClientId = client.ClientId,
            Action = ActionName(typeof(TCommand)),
            ResourceType = audit.ResourceType,
            ResourceId = audit.ResourceId,
            RequestId = http.HttpContext is { } context ? RequestIds.Of(context) : "-",
            OccurredAt = clock.GetUtcNow(),
        }, e => ReadBatch.Statement("""
            INSERT INTO audit_events (id, organisation_id, client_id, action, resource_type, resource_id, request_id, occurred_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, e.Id, ReadBatch.Typed(e.OrganisationId, NpgsqlDbType.Uuid), ReadBatch.Typed(e.ClientId, NpgsqlDbType.Uuid), e.Action,
            ReadBatch.Typed(e.ResourceType, NpgsqlDbType.Text), ReadBatch.Typed(e.ResourceId, NpgsqlDbType.Uuid), e.RequestId, e.OccurredAt));
    }

    private static bool IsCausedByAnotherTransaction(Exception exception) =>
        exception.AsDatabaseOutage() == DatabaseOutage.Contended;

    private static string ActionName(Type command) =>
        command.Name.EndsWith("Command", StringComparison.Ordinal) ? command.Name[..^"Command".Length] : command.Name;
}
