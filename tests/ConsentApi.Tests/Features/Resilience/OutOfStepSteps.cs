using Npgsql;

namespace ConsentApi.Tests.Features.Resilience;

/// <summary>
/// Puts the app's one pooled connection out of step: deallocates prepared statements on the server behind Npgsql's back,
/// which is what Npgsql's bookkeeping losing track looks like (it still believes them prepared, and every use fails with
/// 26000). The fixtures using it give the app a pool of one connection, so the one put out of step is the one in use.
/// </summary>
public static class OutOfStepSteps
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Deallocates the prepared statements whose text is like <paramref name="like"/> (all when null) once there is one,
    /// waiting for the app to prepare it; returns the connection's server process id.
    /// </summary>
    public static async Task<int> PutOutOfStepAsync(NpgsqlDataSource appPool, string? like = null)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            await using var connection = await appPool.OpenConnectionAsync();
            var (pid, names) = await PreparedAsync(connection, like ?? "%");
            if (names is not null)
            {
                await DeallocateAsync(connection, names);
                return pid;
            }
            Assert.That(DateTime.UtcNow - started, Is.LessThan(Deadline), $"the app prepares a statement like {like ?? "any"}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Deallocates the prepared statements like <paramref name="like"/> on every connection of the app's pool of
    /// <paramref name="poolSize"/> once each of them has prepared one, calling <paramref name="useAgain"/> until they have;
    /// returns the connections' server process ids.
    /// </summary>
    public static async Task<int[]> PutEveryConnectionOutOfStepAsync(NpgsqlDataSource appPool, int poolSize, string like, Func<Task> useAgain)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            await useAgain();
            var connections = new List<NpgsqlConnection>();
            try
            {
                for (var i = 0; i < poolSize; i++)
                {
                    connections.Add(await appPool.OpenConnectionAsync());
                }
                var prepared = new List<(NpgsqlConnection Connection, int Pid, string[] Names)>();
                foreach (var connection in connections)
                {
                    var (pid, names) = await PreparedAsync(connection, like);
                    if (names is not null)
                    {
                        prepared.Add((connection, pid, names));
                    }
                }
                if (prepared.Count == poolSize)
                {
                    foreach (var (connection, _, names) in prepared)
                    {
                        await DeallocateAsync(connection, names);
                    }
                    return prepared.Select(p => p.Pid).ToArray();
                }
            }
            finally
            {
                foreach (var connection in connections)
                {
                    await connection.DisposeAsync();
                }
            }
            Assert.That(DateTime.UtcNow - started, Is.LessThan(Deadline * 4), $"every connection prepares a statement like {like}");
        }
    }

    private static async Task<(int Pid, string[]? Names)> PreparedAsync(NpgsqlConnection connection, string like)
    {
        await using var prepared = new NpgsqlCommand("""
            SELECT pg_backend_pid(), array_agg(name) FILTER (WHERE statement LIKE $1) FROM pg_prepared_statements
            """, connection)
        {
            Parameters = { new NpgsqlParameter { Value = like } },
        };
        await using var reader = await prepared.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<string[]>(1));
    }

    private static async Task DeallocateAsync(NpgsqlConnection connection, string[] names)
    {
        foreach (var name in names)
        {
            await using var drop = new NpgsqlCommand($"DEALLOCATE \"{name}\"", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Waits until the server process <paramref name="pid"/> is gone: the app closed the connection out of step.</summary>
    public static async Task WaitUntilClosedAsync(string connectionString, int pid)
    {
        var observer = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        var started = DateTime.UtcNow;
        while (true)
        {
            await using var connection = new NpgsqlConnection(observer);
            await connection.OpenAsync();
            await using var alive = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", connection)
            {
                Parameters = { new NpgsqlParameter { Value = pid } },
            };
            if ((long)(await alive.ExecuteScalarAsync())! == 0)
            {
                return;
            }
            Assert.That(DateTime.UtcNow - started, Is.LessThan(Deadline), "the connection out of step is closed");
            await Task.Delay(50);
        }
    }
}
