using ConsentApi.Infrastructure.Persistence;

namespace ConsentApi.Infrastructure.Jobs;

/// <summary>
/// A job every instance runs at an interval: the takedown sweep, the 16th-birthday notices, the retention erasures, the
/// purge of idempotency keys. Each is written to be safe on several instances at once, so no instance is special. An
/// interval of zero switches the job off on this instance; a failed run is logged and the job runs again at the next
/// interval, so one bad run never stops it for good.
/// </summary>
public abstract partial class PeriodicJob(ILogger logger, PoolRepair poolRepair) : BackgroundService
{
    /// <summary>How long between runs; zero or less switches the job off.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>One run: does what is due now.</summary>
    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = Interval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailure(e);
            }
        }
    }

    /// <summary>
    /// Logs a failed run, or a failed part of one that does not hold up the rest (one organisation, one pupil), and takes
    /// a database connection that failed it out of the pool when it fell out of step.
    /// </summary>
    protected void LogFailure(Exception exception)
    {
        poolRepair.After(exception);
        LogRunFailed(logger, GetType().Name, exception);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The job {Job} failed; it runs again at the next interval.")]
    private static partial void LogRunFailed(ILogger logger, string job, Exception exception);
}
