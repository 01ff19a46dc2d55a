using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Events;

/// <summary>
/// Tells the dispatcher up to which outbox position (<see cref="OutboxEvent.Sequence"/>) the outbox is settled: every
/// event at or below it is committed and visible, or rolled back for good, so no event can still appear there later.
/// Delivering only settled events, in position order, delivers in commit order with any number of instances.
/// </summary>
/// <remarks>
/// <para>
/// Positions come from the sequence <c>outbox_position</c>, taken in a BEFORE INSERT trigger only after the writing
/// transaction owns an xid. Positions are taken before commit, so a transaction that took position 10 may commit after
/// one that took 11; the fence waits for it. A fence reads the last position taken, L, and only then takes an xid of
/// its own, y. xids rise in the order they are handed out, so every transaction that took a position up to L already
/// had an xid below y. Once a later snapshot's xmin is above y, all of them have ended, and positions up to L are
/// settled. Each instance runs its own fences; they need no table and no lock.
/// </para>
/// <para>
/// The horizon per event (<c>pg_snapshot_xmax</c> read after <c>nextval</c>, compared with the reader's
/// <c>pg_snapshot_xmin</c>) looks like the same idea but is not safe: xmax is the latest completed xid + 1, not the
/// next xid, so a transaction that is still running with a higher xid and a smaller position is not covered (two
/// concurrent writers reproduce it in psql). Taking a fresh xid after reading the sequence is what bounds every xid
/// handed out before.
/// </para>
/// <para>
/// The price: a long-running writing transaction anywhere in the PostgreSQL cluster (xids are cluster-wide) holds back
/// deliveries of events positioned after its start until it ends. It delays them; it never reorders them. Read-only
/// transactions do not count.
/// </para>
/// </remarks>
public sealed class CommitFence
{
    private readonly Lock _gate = new();
    private long _settled;
    private Fence? _pending;

    private sealed record Fence(long Position, long Xid);

    /// <summary>The highest position known to be settled; moves only forward.</summary>
    public long Settled
    {
        get
        {
            lock (_gate)
            {
                return _settled;
            }
        }
    }

    /// <summary>Whether a fence is open: events committed before it opened may still wait to be settled.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _pending is not null;
            }
        }
    }

    /// <summary>
    /// Settles the open fence if every transaction it waits for has ended; if that settled it, or if none was open,
    /// opens the next and looks once whether it has already settled. Never waits. Without other writers running, the
    /// events committed before the call are settled afterwards, so a dispatcher woken by a commit sends it at once.
    /// </summary>
    public async Task<long> AdvanceAsync(ConsentDbContext db, CancellationToken ct)
    {
        Fence? pending;
        lock (_gate)
        {
            pending = _pending;
        }
        if (pending is not null)
        {
            if (await OldestRunningXidAsync(db, ct) <= pending.Xid)
            {
                return Settled;
            }
            Settle(pending);
        }
        pending = await OpenAsync(db, ct);
        lock (_gate)
        {
            _pending ??= pending;
        }
        if (await OldestRunningXidAsync(db, ct) > pending.Xid)
        {
            Settle(pending);
        }
        return Settled;
    }

    /// <summary>
    /// Opens a fence now and waits until it settles (or <paramref name="patience"/> runs out): afterwards every event
    /// committed before this call is settled.
    /// </summary>
    public async Task<long> SettleNowAsync(ConsentDbContext db, TimeSpan patience, CancellationToken ct)
    {
        var fence = await OpenAsync(db, ct);
        var deadline = DateTime.UtcNow + patience;
        while (await OldestRunningXidAsync(db, ct) <= fence.Xid)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return Settled;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(10), ct);
        }
        Settle(fence);
        return Settled;
    }

    private void Settle(Fence fence)
    {
        lock (_gate)
        {
            _settled = Math.Max(_settled, fence.Position);
            if (_pending is not null && _pending.Position <= fence.Position && _pending.Xid <= fence.Xid)
            {
                _pending = null;
            }
        }
    }

    private static async Task<Fence> OpenAsync(ConsentDbContext db, CancellationToken ct)
    {
        // Two statements, in this order: the position first, then an xid handed out after it.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var position = await db.Database.SqlQueryRaw<long>(
                "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS \"Value\" FROM outbox_position")
            .SingleAsync(ct);
        var xid = await db.Database.SqlQueryRaw<long>("SELECT pg_current_xact_id()::text::bigint AS \"Value\"").SingleAsync(ct);
        await transaction.CommitAsync(ct);
        return new Fence(position, xid);
    }

    private static Task<long> OldestRunningXidAsync(ConsentDbContext db, CancellationToken ct) =>
        db.Database.SqlQueryRaw<long>("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS \"Value\"").SingleAsync(ct);
}
