using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;

namespace ConsentApi.Infrastructure.Preconditions;

/// <summary>
/// The row a change endpoint acts on, named by its endpoint filter (<see cref="ETagEndpoints"/>), and the
/// <c>If-Match</c> it was sent with. Inside the command's transaction (CommandTransactionBehavior) the row is locked
/// before the handler runs and compared after it, so that of two writers holding the same tag one wins and the other,
/// waiting for the lock, finds the new version and gets a 412. The comparison waits for the handler so that a row the
/// caller may not see is its 404, never a 412 that would tell it exists. After the commit its new version is the
/// answer's <c>ETag</c>.
/// </summary>
public sealed class ResourceVersion(ConsentDbContext db)
{
    private string? _table;
    private RowKey? _row;
    private StringValues _ifMatch;
    private uint? _before;

    /// <summary>The row's version once the command wrote (or left) it; null while unknown or when the row is gone.</summary>
    public uint? After { get; private set; }

    internal void Track(string table, RowKey row, StringValues ifMatch)
    {
        _table = table;
        _row = row;
        _ifMatch = ifMatch;
    }

    /// <summary>
    /// Before the handler: with an If-Match, locks the row and reads its version. The lock is the one the handlers take
    /// (FOR NO KEY UPDATE): it holds off another writer, but not the foreign-key checks of rows that refer to this one
    /// (a decision recorded for the pupil meanwhile).
    /// </summary>
    public async Task LockAsync(CancellationToken ct)
    {
        _before = null;
        After = null;
        if (_table is null || _ifMatch.Count == 0)
        {
            return;
        }
        _before = await ReadAsync(forUpdate: true, ct);
    }

    /// <summary>After the handler succeeded: the If-Match must have named the version it changed.</summary>
    public void Verify()
    {
        if (_table is not null && _ifMatch.Count > 0 && !EntityTags.Names(_ifMatch, _before, weakComparison: false))
        {
            throw new PreconditionFailedException(_before is null
                ? "If-Match was sent, but the resource does not exist. Nothing was changed."
                : $"The resource has changed since the version named in If-Match; it is now at {EntityTags.Format(_before.Value)} "
                  + "(this answer's ETag). Nothing was changed; decide whether the change still applies and, if so, send it "
                  + "again with that ETag in If-Match.", _before);
        }
    }

    /// <summary>After the command saved: the version the answer carries (the transaction's own write, if it wrote).</summary>
    public async Task ReadAfterAsync(CancellationToken ct)
    {
        if (_table is not null)
        {
            After = await ReadAsync(forUpdate: false, ct);
        }
    }

    /// <summary>A row's current version outside a command, for a GET.</summary>
    public async Task<uint?> ReadAsync(string table, RowKey row, CancellationToken ct)
    {
        _table = table;
        _row = row;
        return await ReadAsync(forUpdate: false, ct);
    }

    private async Task<uint?> ReadAsync(bool forUpdate, CancellationToken ct)
    {
        // The table name comes from the EF model and the conditions from the endpoint's code (ETagEndpoints); only the
        // values come from the request, as parameters.
#pragma warning disable EF1002
        if (forUpdate && _row!.LockFirst is { } lockFirst)
        {
            await db.Database.ExecuteSqlRawAsync(lockFirst, _row.Values, ct);
        }
        var versions = await db.Database.SqlQueryRaw<long>(
                $"SELECT xmin::text::bigint AS \"Value\" FROM {_table} WHERE {_row!.Condition}{(forUpdate ? " FOR NO KEY UPDATE" : "")}",
                _row.Values)
            .ToListAsync(ct);
#pragma warning restore EF1002
        return versions.Count == 0 ? null : (uint)versions[0];
    }
}

/// <summary>
/// Which row of a table a request is about: an SQL condition written in code (<c>id = {0}</c>) and its values, taken
/// from the request and sent as parameters.
/// </summary>
public sealed record RowKey(string Condition, params object[] Values)
{
    /// <summary>
    /// A statement (same values) that a change with <c>If-Match</c> runs before it locks the row: the lock every writer
    /// of the row takes first (a guardian link's pupil), so that waiting for the row never holds that lock out of order.
    /// </summary>
    public string? LockFirst { get; init; }
}
