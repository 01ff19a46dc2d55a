using Microsoft.Extensions.Options;
using Npgsql;

namespace ConsentApi.Infrastructure.Observability;

/// <summary>The database figures the gauges report, as read at <see cref="ReadAt"/>.</summary>
public sealed record GaugeSnapshot(long PendingDeliveries, TimeSpan OldestPendingAge, long OpenTakedowns, DateTimeOffset ReadAt);

/// <summary>
/// The outbox backlog, its oldest delivery's age and the open takedowns, read in one indexed statement and kept for
/// <see cref="MetricsOptions.GaugeCacheDuration"/>: however often and from however many scrapers the metrics are
/// collected, the database answers at most once per period per instance. A failed read is remembered as long, so a
/// database that is down is not asked on every scrape either.
/// </summary>
public sealed class DatabaseGauges(IServiceProvider services, IOptions<MetricsOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private (GaugeSnapshot? Snapshot, DateTimeOffset Until) _cached;

    /// <summary>The figures, or null when the database could not be read.</summary>
    public GaugeSnapshot? Read()
    {
        // Collection runs the observable callbacks synchronously; one caller reads while concurrent ones wait for it.
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_cached.Until > now)
            {
                return _cached.Snapshot;
            }
            _cached = (Query(now), now + options.Value.GaugeCacheDuration);
            return _cached.Snapshot;
        }
    }

    private GaugeSnapshot? Query(DateTimeOffset now)
    {
        try
        {
            // Resolved here rather than injected: hosts built without a database (the OpenAPI CLI) never need one.
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            using var connection = dataSource.OpenConnection();
            using var command = new NpgsqlCommand("""
                SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'Pending'),
                       (SELECT min(created_at) FROM webhook_deliveries WHERE status = 'Pending'),
                       (SELECT count(*) FROM takedowns WHERE status = 'Open')
                """, connection) { CommandTimeout = (int)QueryTimeout.TotalSeconds };
            using var reader = command.ExecuteReader();
            reader.Read();
            var oldest = reader.IsDBNull(1) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(1);
            var age = oldest is { } at && at < now ? now - at : TimeSpan.Zero;
            return new GaugeSnapshot(reader.GetInt64(0), age, reader.GetInt64(2), now);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return null;
        }
    }
}
