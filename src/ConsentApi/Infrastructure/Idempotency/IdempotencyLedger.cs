using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Idempotency;

/// <summary>
/// The command pipeline's half of <c>Idempotency-Key</c>, run inside the command's transaction so that a key and the
/// effect it stands for commit together: <see cref="ClaimAsync{TCommand}"/> before the handler, <see cref="Remember{TResponse}"/>
/// after it. The claim takes a transaction-scoped advisory lock on (client, key) without waiting: a second request with
/// the key while the first is running gets a 409 at once, on any instance, instead of queueing behind it; once the first
/// has committed, the lock is free and its row visible, so the next one replays it. The primary key on (client, key) is
/// the backstop should the lock ever be bypassed: a duplicate fails to commit, and with it its effect.
/// A request that fails (any 4xx or 5xx) rolls back and leaves no row: it changed nothing, so the key stays free and the
/// same request may be sent again with it, for example once the pupil it named exists.
/// </summary>
public sealed class IdempotencyLedger(
    ConsentDbContext db, CommandWrites writes, CurrentClient client, IdempotentRequest request, TimeProvider clock)
{
    // Plain options: the stored result only has to come back as the same object; the request-reading limits do not apply.
    private static readonly JsonSerializerOptions Storage = CreateStorageOptions();

    // Expired keys are deleted a few at a time by the requests that store new ones, skipping rows another instance
    // is deleting, so that no instance waits for another and no separate job is needed.
    private const int PurgeBatch = 100;

    /// <summary>The claim on the request's key, or null when the request has none.</summary>
    public sealed record Claim(Guid ClientId, string Key, string Operation, string Fingerprint, string? StoredResponse);

    /// <summary>Whether the request carries a key (its claim then costs a round trip before the command runs).</summary>
    public bool HasKey => request.Key is not null;

    public async Task<Claim?> ClaimAsync<TCommand>(TCommand command, CancellationToken ct)
    {
        if (request.Key is not { } key)
        {
            return null;
        }
        var clientId = client.ClientId ?? Guid.Empty;
        var operation = typeof(TCommand).Name;
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(
            Encoding.UTF8.GetBytes(operation + "\n" + JsonSerializer.Serialize(command, Storage))));

        var locked = await db.Database
            .SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey(clientId, key)}) AS \"Value\"")
            .SingleAsync(ct);
        if (!locked)
        {
            throw new IdempotencyKeyInFlightException();
        }

        var cutoff = clock.GetUtcNow() - IdempotencyKeys.Lifetime;
        var stored = await db.StoredResponses.AsNoTracking()
            .SingleOrDefaultAsync(s => s.ClientId == clientId && s.Key == key, ct);
        if (stored is not null && stored.CreatedAt > cutoff)
        {
            if (stored.Fingerprint != fingerprint || stored.Operation != operation)
            {
                throw new IdempotencyKeyReusedException();
            }
            request.Replayed = true;
            return new Claim(clientId, key, operation, fingerprint, stored.Response);
        }
        if (stored is not null)
        {
            // Expired: the key is new again. Under the lock, so no one else is replacing it at the same time.
            await db.StoredResponses.Where(s => s.ClientId == clientId && s.Key == key).ExecuteDeleteAsync(ct);
        }
        return new Claim(clientId, key, operation, fingerprint, null);
    }

    public static TResponse Replay<TResponse>(Claim claim) =>
        JsonSerializer.Deserialize<TResponse>(claim.StoredResponse!, Storage)
        ?? throw new InvalidOperationException($"The stored response of key '{claim.Key}' is empty.");

    /// <summary>Adds the answer to the command's unit of work; it is saved and committed with the command's effect.</summary>
    public async Task Remember<TResponse>(Claim claim, TResponse response, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var cutoff = now - IdempotencyKeys.Lifetime;
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM idempotency_keys WHERE ctid IN (
                SELECT ctid FROM idempotency_keys WHERE created_at <= {cutoff} LIMIT {PurgeBatch} FOR UPDATE SKIP LOCKED)
            """, ct);
        writes.Append(new StoredResponse
        {
            ClientId = claim.ClientId,
            Key = claim.Key,
            Operation = claim.Operation,
            Fingerprint = claim.Fingerprint,
            Response = JsonSerializer.Serialize(response, Storage),
            CreatedAt = now,
        }, r => ReadBatch.Statement("""
            INSERT INTO idempotency_keys (client_id, key, operation, fingerprint, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            """, r.ClientId, r.Key, r.Operation, r.Fingerprint, r.Response, r.CreatedAt));
    }

    /// <summary>
    /// One advisory lock key per (client, key). A collision with another pair or another lock purpose can only make a
    /// request wait or answer 409 in flight; it never lets two holders of one key in at once.
    /// </summary>
    private static long LockKey(Guid clientId, string key) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"idempotency\n{clientId}\n{key}")), 0);

    private static JsonSerializerOptions CreateStorageOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.Converters.Add(new UtcMomentConverter());
        return options;
    }
}
