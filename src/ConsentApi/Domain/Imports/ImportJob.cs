namespace ConsentApi.Domain.Imports;

/// <summary>The kinds of file a school can import.</summary>
public enum ImportKind
{
    /// <summary>An EDEXML export of the pupil administration: groups and pupils.</summary>
    Edexml,

    /// <summary>A CSV of guardians and their links to pupils.</summary>
    GuardiansCsv,

    /// <summary>A CSV of paper consent forms to record as decisions.</summary>
    ConsentFormsCsv,
}

public enum ImportStatus
{
    /// <summary>Waiting for an instance to process it.</summary>
    Queued,

    /// <summary>Being processed.</summary>
    Running,

    /// <summary>Applied (in a dry run: checked, and nothing changed).</summary>
    Succeeded,

    /// <summary>Not applied: the file has errors, or processing could not finish. Nothing changed.</summary>
    Failed,
}

/// <summary>One problem found in an import file: where (line, element path or column) and what.</summary>
public sealed record ImportError(int? Line, string Path, string? Field, string Message);

/// <summary>
/// An uploaded file and its processing. The file's bytes live in <c>import_files</c>, apart from the job, so that reading
/// the list of jobs never reads a file. A job is claimed by one instance at a time through its lease; an instance that
/// stops leaves the lease to run out, and another takes the job over from the start.
/// </summary>
public sealed class ImportJob : ISchoolScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Taken by the database on insert: the order jobs are listed and processed in.</summary>
    public long Sequence { get; init; }
    public Guid OrganisationId { get; init; }
    public Guid SchoolId { get; init; }
    public ImportKind Kind { get; init; }

    /// <summary>"sha256:" and 64 lower-case hex digits of the file's bytes.</summary>
    public required string Sha256 { get; init; }
    public long Size { get; init; }
    public required string ContentType { get; init; }
    public bool DryRun { get; init; }
    public ImportStatus Status { get; set; }
    public int? Total { get; set; }
    public int Processed { get; set; }

    /// <summary>The problems found, as a JSON list of <see cref="ImportError"/> (jsonb).</summary>
    public string Errors { get; set; } = "[]";

    /// <summary>How many problems were found; <see cref="Errors"/> keeps the first few hundred.</summary>
    public int ErrorCount { get; set; }

    /// <summary>The processor's result as JSON (what changed, or would change in a dry run).</summary>
    public string? Result { get; set; }
    public Guid? UploadedByClientId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The instance running the job, while it holds the lease.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>How often an instance claimed the job: a job that keeps stopping its instance fails after a few.</summary>
    public int Attempts { get; set; }
}

/// <summary>The uploaded bytes of an import job.</summary>
public sealed class ImportFile
{
    public Guid ImportJobId { get; init; }
    public required byte[] Content { get; init; }
}
