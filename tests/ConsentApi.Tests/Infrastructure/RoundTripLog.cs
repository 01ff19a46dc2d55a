using System.Collections.Concurrent;
using System.Diagnostics;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>
/// Every round trip Npgsql makes to one database (a command, or a batch of statements sent together), with its SQL, as
/// Npgsql's own tracing reports it: counts what EF Core sends and what the app sends through Npgsql directly. The
/// background workers' polls (the webhook dispatcher's claim and its commit fence, the import worker's), which run on
/// their own schedule or when a commit wakes them, are left out: they are no request's.
/// </summary>
public sealed class RoundTripLog : IDisposable
{
    private readonly ConcurrentQueue<string> _statements = new();
    private readonly ActivityListener _listener;

    public RoundTripLog(string database)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var name = activity.GetTagItem("db.namespace") ?? activity.GetTagItem("db.name");
                var sql = (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement")) as string;
                if (Equals(name, database) && sql is not null && !IsBackgroundWork(sql))
                {
                    _statements.Enqueue(sql);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<string> RoundTrips => [.. _statements];

    private static bool IsBackgroundWork(string sql) =>
        sql.Contains("FROM webhook_deliveries d JOIN outbox_events e", StringComparison.Ordinal)
        // The dispatcher's commit fence (CommitFence): the outbox position, its xid, then the oldest running xid.
        || sql.Contains("FROM outbox_position", StringComparison.Ordinal)
        || sql.Contains("pg_current_xact_id()", StringComparison.Ordinal)
        || sql.Contains("pg_snapshot_xmin(pg_current_snapshot())", StringComparison.Ordinal)
        || sql.Contains("UPDATE import_jobs", StringComparison.Ordinal);

    public void Clear() => _statements.Clear();

    public void Dispose() => _listener.Dispose();
}
