using Npgsql;

namespace ConsentApi.Infrastructure.Persistence;

/// <summary>
/// Rows a command appends in bulk (the decisions it records, the announced states, the events and their deliveries, its
/// audit event), written as set-based statements instead of tracked entities: recording a form's 15 answers tracked about
/// 35 entities, and EF's change tracking, command building and key propagation for them took half the API's CPU per call.
/// The statements are sent together, in one round trip, after the tracked changes (which they may refer to), every time
/// the command saves (<see cref="SaveAsync"/>); until then nothing of them is in the database.
/// </summary>
public sealed class CommandWrites(ConsentDbContext db)
{
    private readonly List<NpgsqlBatchCommand> _statements = [];

    /// <summary>True when the command has statements to send: rows that may go either way then join them (<see cref="Append{T}"/>).</summary>
    public bool Any => _statements.Count > 0;

    public void Add(NpgsqlBatchCommand statement) => _statements.Add(statement);

    /// <summary>
    /// Adds a row that can be written either way: as a statement when the command sends statements anyway, so that its
    /// save stays one round trip; tracked otherwise, with the command's other changes.
    /// </summary>
    public void Append<T>(T entity, Func<T, NpgsqlBatchCommand> statement) where T : class
    {
        if (Any)
        {
            _statements.Add(statement(entity));
        }
        else
        {
            db.Add(entity);
        }
    }

    /// <summary>Saves the tracked changes, then sends the statements: each only when there is something to send.</summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        if (_statements.Count == 0)
        {
            return;
        }
        List<NpgsqlBatchCommand> statements = [.. _statements];
        _statements.Clear();
        await db.RunBatchAsync(statements, batch => batch.ExecuteNonQueryAsync(ct), ct);
    }

    /// <summary>Forgets what a rolled-back attempt added, before the command is run again.</summary>
    public void Clear() => _statements.Clear();
}
