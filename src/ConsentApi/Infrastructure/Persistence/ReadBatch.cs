using Npgsql;

namespace ConsentApi.Infrastructure.Persistence;

/// <summary>
/// Statements from several components sent to PostgreSQL together, in one round trip, on the DbContext's connection and
/// in its transaction. Each component adds its statements with the code that reads their results; the results are read
/// in the order added. The statements run one after the other, each seeing what committed before it started, so a
/// statement that takes a lock can come first and those after it read under the lock.
/// </summary>
public sealed class ReadBatch(ConsentDbContext db)
{
    private readonly List<NpgsqlBatchCommand> _commands = [];
    private readonly List<(int Statements, Func<NpgsqlDataReader, CancellationToken, Task> Read)> _parts = [];

    public bool IsEmpty => _commands.Count == 0;

    /// <summary>Adds statements and what reads their results: called on the first one's result, it moves on to the others itself.</summary>
    public void Add(IReadOnlyList<NpgsqlBatchCommand> statements, Func<NpgsqlDataReader, CancellationToken, Task> read)
    {
        if (statements.Count == 0)
        {
            return;
        }
        _commands.AddRange(statements);
        _parts.Add((statements.Count, read));
    }

    /// <summary>Adds one statement with positional parameters ($1, $2…), their types taken from the values' types.</summary>
    public void Add(string sql, object?[] values, Func<NpgsqlDataReader, CancellationToken, Task> read) =>
        Add([Statement(sql, values)], read);

    public static NpgsqlBatchCommand Statement(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                null => throw new ArgumentException("Pass a typed null (NpgsqlParameter) for a null value.", nameof(values)),
                NpgsqlParameter parameter => parameter,
                DateTimeOffset moment => new NpgsqlParameter<DateTimeOffset> { TypedValue = moment.ToUniversalTime() },
                _ => new NpgsqlParameter { Value = value },
            });
        }
        return command;
    }

    /// <summary>A value that may be null, with its type said, for <see cref="Statement"/>.</summary>
    public static NpgsqlParameter Typed(object? value, NpgsqlTypes.NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    public async Task ExecuteAsync(CancellationToken ct)
    {
        if (_commands.Count == 0)
        {
            return;
        }
        try
        {
            await db.RunBatchAsync(_commands, async batch =>
            {
                await using var reader = await batch.ExecuteReaderAsync(ct);
                for (var i = 0; i < _parts.Count; i++)
                {
                    if (i > 0)
                    {
                        await reader.NextResultAsync(ct);
                    }
                    await _parts[i].Read(reader, ct);
                }
            }, ct);
        }
        finally
        {
            _commands.Clear();
            _parts.Clear();
        }
    }
}
