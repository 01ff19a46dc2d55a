using ConsentApi.Infrastructure.Jobs;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Infrastructure.Idempotency;

public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>How often expired keys (and the answers they hold) are deleted; zero switches the purge off.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Deletes expired idempotency keys. A stored answer can hold personal data (a pupil's name), so it is not kept longer
/// than a retry needs it, also when no new keys arrive to purge it on the way (<see cref="IdempotencyLedger"/>). Rows
/// are deleted in batches that skip rows another instance is deleting, so any number of instances can run this at once
/// without waiting for one another; a key that expired is ignored by age even before it is deleted.
/// </summary>
public sealed class IdempotencyKeyPurge(
    IServiceScopeFactory scopes, IOptions<IdempotencyOptions> options, TimeProvider clock, ILogger<IdempotencyKeyPurge> logger,
    PoolRepair poolRepair)
    : PeriodicJob(logger, poolRepair)
{
    private const int Batch = 1000;

    protected override TimeSpan Interval => options.Value.PurgeInterval;

    protected override Task RunOnceAsync(CancellationToken ct) => PurgeOnceAsync(ct);

    /// <summary>Deletes every key that expired before now; returns how many.</summary>
    public async Task<int> PurgeOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        var cutoff = clock.GetUtcNow() - IdempotencyKeys.Lifetime;
        var total = 0;
        int deleted;
        do
        {
            // Each batch is its own statement and transaction: no long-held locks, and what is done stays done.
            deleted = await db.Database.ExecuteSqlAsync($"""
                DELETE FROM idempotency_keys WHERE ctid IN (
                    SELECT ctid FROM idempotency_keys WHERE created_at <= {cutoff} LIMIT {Batch} FOR UPDATE SKIP LOCKED)
                """, ct);
            total += deleted;
        }
        while (deleted == Batch);
        return total;
    }
}
