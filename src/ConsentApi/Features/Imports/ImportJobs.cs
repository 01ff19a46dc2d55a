using ConsentApi.Domain.Imports;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Jobs;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Imports;

/// <summary>Import job settings (<c>Imports__PollInterval</c>, <c>Imports__LeaseDuration</c>, <c>Imports__MaxAttempts</c>).</summary>
public sealed class ImportOptions
{
    public const string Section = "Imports";

    /// <summary>How often an instance looks for queued jobs besides being woken by an upload to itself; zero switches processing off.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a claim holds without being renewed: an instance that stopped loses its jobs to another after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Claims of one job before it fails for good (an instance stopped, or the database was away, each time).</summary>
    public int MaxAttempts { get; set; } = 3;
}

/// <summary>Tells this instance's import worker that a job was queued.</summary>
public sealed class ImportWake : WakeSignal
{
}

/// <summary>
/// How far a processor got. Setting it costs nothing; the worker writes the latest figures to the job about once a
/// second, on a connection of its own, so that <c>GET /v1/imports/{id}</c> shows them while the job's transaction runs.
/// </summary>
public sealed class ImportProgress
{
    private int _processed;
    private int _total = -1;

    public void SetTotal(int total) => Volatile.Write(ref _total, total);

    public void Advance(int count = 1) => Interlocked.Add(ref _processed, count);

    public void Report(int processed) => Volatile.Write(ref _processed, processed);

    public int Processed => Volatile.Read(ref _processed);

    public int? Total => Volatile.Read(ref _total) is var total and >= 0 ? total : null;
}

/// <summary>The end of a job, written with the last step of its transaction, and the event announcing it.</summary>
internal static class ImportJobEnd
{
    /// <summary>
    /// Marks the job finished, provided this instance still holds it; a job another instance took over (this one's lease
    /// ran out) is not this one's to finish, and the exception rolls back what this run did.
    /// </summary>
    public static async Task FinishAsync(ConsentDbContext db, EventOutbox events, ImportJob job, string owner, ImportStatus status,
        IReadOnlyList<ImportError> errors, int errorCount, string? result, ImportProgress progress, DateTimeOffset now, CancellationToken ct)
    {
        var errorsJson = ImportMapping.SerializeErrors(errors);
        var processed = progress.Processed;
        var total = progress.Total;
        var updated = await db.ImportJobs
            .Where(j => j.Id == job.Id && j.LeaseOwner == owner && j.Status == ImportStatus.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(j => j.Status, status)
                .SetProperty(j => j.Errors, errorsJson)
                .SetProperty(j => j.ErrorCount, errorCount)
                .SetProperty(j => j.Result, result)
                .SetProperty(j => j.Processed, processed)
                .SetProperty(j => j.Total, j => total ?? j.Total)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseUntil, (DateTimeOffset?)null), ct);
        if (updated == 0)
        {
            throw new ImportLeaseLostException();
        }
        // The file holds personal data (names, dates of birth) the roster now holds or never will: it is not kept past
        // its job, so an erasure or the retention period leaves no copy behind. The hash, the errors and the result stay.
        await db.ImportFiles.Where(f => f.ImportJobId == job.Id).ExecuteDeleteAsync(ct);
        await events.AddAsync(status == ImportStatus.Succeeded ? EventTypes.ImportCompleted : EventTypes.ImportFailed,
            job.OrganisationId, job.SchoolId, new ImportFinishedEvent(job.Id, job.SchoolId, job.Kind, job.DryRun, status, errorCount), ct);
    }
}

/// <summary>This instance no longer holds the job (another took it over): what it did is rolled back.</summary>
public sealed class ImportLeaseLostException() : Exception("Another instance took the import job over.");

/// <summary>The file had errors: the run is rolled back and the job fails with them.</summary>
public sealed class ImportRejectedException(ImportErrors errors) : Exception("The import file has errors.")
{
    public ImportErrors Errors { get; } = errors;
}

/// <summary>A dry run got to its end: everything it did is rolled back, and the job succeeds with the result.</summary>
public sealed class ImportDryRunFinishedException(string result) : Exception("The dry run is complete.")
{
    public string Result { get; } = result;
}
