using Npgsql;

namespace ConsentApi.Infrastructure.Persistence;

/// <summary>How a database call failed when the fault lies with the database's availability, not with the request.</summary>
public enum DatabaseOutage
{
    /// <summary>Not an outage: a bug, a constraint violation or a refusal stays what it is.</summary>
    None,

    /// <summary>The server refused or dropped connections, or says it is shutting down, starting or full.</summary>
    Unreachable,

    /// <summary>The server did not answer in time: frozen, overloaded, or the pool had no connection to spare.</summary>
    NotAnswering,

    /// <summary>
    /// Other transactions kept aborting this one (deadlock or serialisation failure) even after the command was run again
    /// several times: the request was not at fault and may be sent again.
    /// </summary>
    Contended,

    /// <summary>
    /// A lock the command needed stayed held by other commands for longer than a request may wait (a long roster sync of
    /// the same school, a policy change of the organisation): nothing was changed, and the request may be sent again.
    /// </summary>
    Busy,

    /// <summary>
    /// A pooled connection's prepared statements fell out of step with the server's: Npgsql believed a statement prepared
    /// that the server does not have (26000) or free that the server has (42P05). The statement failed, and the transaction
    /// it ran in with it; the pool is cleared (<see cref="PoolRepair"/>), so the request may be sent again a second later.
    /// </summary>
    OutOfStep,
}

public static class DatabaseOutages
{
    /// <summary>How long clients are asked to wait before retrying: long enough for a restart or a failover to finish.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>The wait per kind of outage: a connection replaced is repaired by the time the answer leaves.</summary>
    public static int RetryAfter(DatabaseOutage outage) => outage == DatabaseOutage.OutOfStep ? 1 : RetryAfterSeconds;

    /// <summary>What the caller is told, per kind of outage.</summary>
    public static string Describe(DatabaseOutage outage) => outage switch
    {
        DatabaseOutage.Contended or DatabaseOutage.Busy =>
            "Other changes to the same pupils or organisation kept this request waiting; nothing was changed. Retry after the number of seconds in Retry-After.",
        DatabaseOutage.OutOfStep =>
            "A database connection failed and has been replaced. Retry after the number of seconds in Retry-After.",
        _ => "The database could not be reached in time; retry after the number of seconds in Retry-After.",
    };

    /// <summary>
    /// Recognises an outage however EF Core wrapped it (in a <c>DbUpdateException</c>, an <c>InvalidOperationException</c>
    /// or a retry limit): the first Npgsql or timeout exception in the chain decides.
    /// </summary>
    public static DatabaseOutage AsDatabaseOutage(this Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }:
                    return DatabaseOutage.Contended;
                case PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable }:
                    return DatabaseOutage.Busy;
                // The API prepares no statement by name: only Npgsql's automatic preparation can name one.
                case PostgresException { SqlState: PostgresErrorCodes.InvalidSqlStatementName or PostgresErrorCodes.DuplicatePreparedStatement }:
                    return DatabaseOutage.OutOfStep;
                case PostgresException postgres:
                    return MeansUnavailable(postgres.SqlState) ? DatabaseOutage.Unreachable : DatabaseOutage.None;
                case TimeoutException:
                case NpgsqlException { InnerException: TimeoutException }:
                    return DatabaseOutage.NotAnswering;
                case NpgsqlException { IsTransient: true }:
                    return DatabaseOutage.Unreachable;
                case NpgsqlException when IsNoPrimary(e):
                    return DatabaseOutage.Unreachable;
            }
        }
        return DatabaseOutage.None;
    }

    /// <summary>PostgreSQL's code for the error, however wrapped; null when the server did not answer with an error.</summary>
    public static string? SqlState(this Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException postgres)
            {
                return postgres.SqlState;
            }
        }
        return null;
    }

    /// <summary>
    /// A multi-host connection string (<c>Target Session Attributes=primary</c>) reached hosts, but none is the primary: a
    /// failover is under way (the old primary is gone, the standby not yet promoted). Npgsql says so with a plain
    /// <c>NpgsqlException</c> that carries no code, inner exception or transient flag, so its own message is the only sign.
    /// </summary>
    private static bool IsNoPrimary(Exception e) =>
        e.GetType() == typeof(NpgsqlException) && e.InnerException is null
        && e.Message.StartsWith("No suitable host was found", StringComparison.Ordinal);

    /// <summary>
    /// The server's own ways of saying it cannot serve now: connection exceptions (class 08), read-only because it is a
    /// standby now (25006), shutting down or starting up (57P01–57P03), and no connection slot left (53300).
    /// </summary>
    private static bool MeansUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        // A write reached a server that is no longer the primary (demoted in a failover): it is read-only now.
        || sqlState is PostgresErrorCodes.ReadOnlySqlTransaction
        || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;
}
