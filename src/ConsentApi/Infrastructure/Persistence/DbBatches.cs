using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ConsentApi.Infrastructure.Persistence;

/// <summary>Statements sent in one round trip on the DbContext's own connection, in its transaction when one is open.</summary>
internal static class DbBatches
{
    /// <summary>Opens the DbContext's connection for <paramref name="run"/>, with <paramref name="statements"/> in one batch.</summary>
    public static async Task RunBatchAsync(this ConsentDbContext db, IEnumerable<NpgsqlBatchCommand> statements,
        Func<NpgsqlBatch, Task> run, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection())
            {
                Transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction,
            };
            foreach (var statement in statements)
            {
                batch.BatchCommands.Add(statement);
            }
            await run(batch);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
