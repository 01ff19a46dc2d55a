using ConsentApi.Infrastructure.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ConsentApi.Infrastructure.Events;

/// <summary>
/// Listens for the NOTIFY that the trigger on <c>webhook_deliveries</c> sends when a transaction that wrote deliveries
/// commits (migration <c>RetentionAndErasure</c>, the release's one), and wakes this instance's dispatcher. It holds one connection of
/// its own, outside the pool the requests use, because a listening connection must stay open for as long as it listens.
/// A notification can be missed (the connection drops, the database restarts or fails over): the listener reconnects
/// with growing pauses and wakes the dispatcher after every reconnect, and the dispatcher's poll stays the fallback.
/// </summary>
public sealed partial class CommitListener(
    IConfiguration configuration, IOptions<WebhookOptions> options, DispatcherWake wake, TimeProvider clock, ILogger<CommitListener> logger)
    : BackgroundService
{
    /// <summary>The channel the trigger notifies on.</summary>
    public const string Channel = "consent_outbox";

    /// <summary>The listening connection's application_name, for finding it in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "consent-api webhook wake";

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(30);

    // A connection silently cut (a failover behind a proxy) sends no error: ask the server now and then that it is still there.
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.WakeOnCommit || settings.PollInterval <= TimeSpan.Zero)
        {
            return;
        }
        var connectionString = ListenerConnectionString();
        var pause = FirstPause;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, _) => wake.Signal();
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                pause = FirstPause;
                // Whatever committed while nobody listened here is found by a pass now.
                wake.Signal();
                LogListening(logger);
                while (true)
                {
                    if (!await connection.WaitAsync(Heartbeat, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogListenerLost(logger, pause.TotalSeconds, e);
                try
                {
                    await Task.Delay(pause, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private string ListenerConnectionString()
    {
        var configured = configuration.GetConnectionString(ConsentDb.ConnectionStringName)
            ?? throw new InvalidOperationException($"Connection string '{ConsentDb.ConnectionStringName}' is not configured.");
        // Notifications are not replicated: with several hosts, listen on the primary, where the commits happen.
        var builder = new NpgsqlConnectionStringBuilder(ConsentDb.WithDefaults(configured))
        {
            Pooling = false,
            ApplicationName = ApplicationName,
        };
        if (builder.Host?.Contains(',', StringComparison.Ordinal) == true && builder.TargetSessionAttributes is null)
        {
            builder.TargetSessionAttributes = "primary";
        }
        return builder.ConnectionString;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for committed webhook deliveries.")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The webhook wake listener lost its connection; it reconnects in {PauseSeconds} s, and polling delivers meanwhile.")]
    private static partial void LogListenerLost(ILogger logger, double pauseSeconds, Exception exception);
}
