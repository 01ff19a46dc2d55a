using System.Data;
using System.Diagnostics.CodeAnalysis;
using ConsentApi.Domain.Imports;
using Npgsql;

[assembly: SuppressMessage("Naming", "CA1716", Scope = "namespace", Target = "~N:ConsentApi.Features.Imports",
    Justification = "The feature folder's name; no Visual Basic code consumes this assembly.")]
[assembly: SuppressMessage("Naming", "CA1716", Scope = "namespace", Target = "~N:ConsentApi.Domain.Imports",
    Justification = "The feature folder's name; no Visual Basic code consumes this assembly.")]

namespace ConsentApi.Features.Imports;

/// <summary>
/// Reads one kind of import file and applies it. Registered in DI per kind (scoped); a kind is accepted for upload only
/// once a processor for it is registered. The processor runs in a DI scope of its own whose <c>CurrentClient</c> is
/// the client that uploaded the file, inside one transaction that the job opened: it may send the existing commands
/// (roster sync, record decisions) through <c>ISender</c>, and they keep their access checks, audit events and consent
/// consequences. Rules: validate the whole file first and report every problem to <see cref="ImportRun.Errors"/>
/// (then apply nothing and return); apply only a file without errors. Any error, and any exception, rolls the whole
/// job back. A dry run is processed exactly like a real one and rolled back, so the result reports what would change.
/// </summary>
public interface IImportProcessor
{
    ImportKind Kind { get; }

    /// <summary>The <c>Content-Type</c> values an upload of this kind may carry (415 otherwise).</summary>
    IReadOnlyList<string> ContentTypes { get; }

    /// <summary>Reads the file, reports problems and progress, applies it; returns what changed.</summary>
    ValueTask<ImportOutcome> RunAsync(ImportRun run, CancellationToken ct);
}

/// <summary>What a processor reports when it is done: a JSON-serialisable result (counts, never names).</summary>
public sealed record ImportOutcome(object Result);

/// <summary>One run of an import job, as its processor sees it.</summary>
public sealed class ImportRun(
    Guid importId, Guid organisationId, Guid schoolId, Guid? clientId, bool dryRun, NpgsqlDataSource dataSource, ImportProgress progress)
{
    public Guid ImportId { get; } = importId;
    public Guid OrganisationId { get; } = organisationId;
    public Guid SchoolId { get; } = schoolId;

    /// <summary>The client that uploaded the file (the <c>CurrentClient</c> of the processor's scope).</summary>
    public Guid? ClientId { get; } = clientId;

    /// <summary>True when the job reports what would change and changes nothing (the job rolls back after the run).</summary>
    public bool DryRun { get; } = dryRun;

    public ImportProgress Progress { get; } = progress;

    public ImportErrors Errors { get; } = new();

    /// <summary>
    /// The uploaded bytes from the first, streamed from the database in pieces over a connection of their own (never the
    /// whole file in memory). May be opened again for a second pass; dispose each stream when done.
    /// </summary>
    public async Task<Stream> OpenFileAsync(CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("SELECT content FROM import_files WHERE import_job_id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = ImportId });
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, ct);
            if (!await reader.ReadAsync(ct))
            {
                throw new InvalidOperationException($"Import {ImportId} has no file.");
            }
            return new OwningStream(reader.GetStream(0), reader, connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A column stream that closes its reader and connection with it.</summary>
    private sealed class OwningStream(Stream inner, NpgsqlDataReader reader, NpgsqlConnection connection) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                reader.Dispose();
                connection.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await reader.DisposeAsync();
            await connection.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}

/// <summary>The problems a processor found. Past <see cref="MaxKept"/> only the count grows.</summary>
public sealed class ImportErrors
{
    public const int MaxKept = 200;
    private readonly List<ImportError> _kept = [];

    public int Count { get; private set; }

    public bool Any => Count > 0;

    public IReadOnlyList<ImportError> Kept => _kept;

    /// <param name="line">The line in the file (1-based), when known.</param>
    /// <param name="path">Where in the file: an element path (<c>/EDEX/leerlingen/leerling[12]/geboortedatum</c>) or a row.</param>
    /// <param name="field">The field or column, when the problem is one value.</param>
    /// <param name="message">What is wrong, for the school's staff to fix; never the personal data itself.</param>
    public void Add(int? line, string path, string? field, string message)
    {
        Count++;
        if (_kept.Count < MaxKept)
        {
            _kept.Add(new ImportError(line, path, field, message));
        }
    }
}
