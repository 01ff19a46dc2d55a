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
            await using var deallocate = new NpgsqlCommand("""
                SELECT pg_backend_pid(), array_agg(name) FILTER (WHERE statement LIKE $1) FROM pg_prepared_statements
                """, connection)
            {
                Parameters = { new NpgsqlParameter { Value = like ?? "%" } },
            };
            int pid;
            string[]? names;
            await using (var reader = await deallocate.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                pid = reader.GetInt32(0);
                names = reader.IsDBNull(1) ? null : reader.GetFieldValue<string[]>(1);
            }
            if (names is not null)
            {
                foreach (var name in names)
                {
                    await using var drop = new NpgsqlCommand($"DEALLOCATE \"{name}\"", connection);
                    await drop.ExecuteNonQueryAsync();
                }
                return pid;
            }
            Assert.That(DateTime.UtcNow - started, Is.LessThan(Deadline), $"the app prepares a statement like {like ?? "any"}");
            await Task.Delay(50);
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
