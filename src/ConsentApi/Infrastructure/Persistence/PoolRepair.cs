using Npgsql;

namespace ConsentApi.Infrastructure.Persistence;

/// <summary>
/// Takes a pooled connection out of use once its prepared statements fell out of step with the server's
/// (<see cref="DatabaseOutage.OutOfStep"/>). Npgsql keeps such a connection in the pool and every later use of the
/// statement fails the same way, for every request that draws it, until the process restarts. Npgsql cannot drop one
/// pooled connection, so the whole pool is cleared: idle connections close now, busy ones when they are returned. Called
/// wherever a failed database call ends: the request's exception handler and the background services' loops.
/// </summary>
public sealed partial class PoolRepair(IServiceProvider services, ILogger<PoolRepair> logger)
{
    /// <summary>Clears the pool when <paramref name="exception"/> says a connection is out of step.</summary>
    public void After(Exception exception)
    {
        if (exception.AsDatabaseOutage() != DatabaseOutage.OutOfStep)
        {
            return;
        }
        // Resolved on use, like the data source itself (AddConsentDb): a host built without a database never needs one.
        services.GetRequiredService<NpgsqlDataSource>().Clear();
        LogCleared(logger, exception.SqlState());
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "A database connection's prepared statements fell out of step with the server ({SqlState}); the connection pool was cleared")]
    private static partial void LogCleared(ILogger logger, string? sqlState);
}
