using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ConsentApi.Domain;
using ConsentApi.Domain.Imports;
using ConsentApi.Features.Roster;

namespace ConsentApi.Features.Imports;

/// <summary>An import job: an uploaded file, processed in the background.</summary>
/// <param name="Id">The job's id; <c>GET /v1/imports/{id}</c> follows it.</param>
/// <param name="SchoolId">The school the file was imported into.</param>
/// <param name="Kind">What the file is.</param>
/// <param name="Status">`queued` (waiting for an instance), `running`, `succeeded` (applied; in a dry run: checked, nothing
/// changed) or `failed` (nothing changed; see `errors`).</param>
/// <param name="DryRun">True when the job only reports what the file would change.</param>
/// <param name="Sha256">"sha256:" and the hex SHA-256 of the uploaded bytes: the same file sent again for the same school,
/// kind and dry run answers this job.</param>
/// <param name="Size">The file's size in bytes.</param>
/// <param name="FileContentType">The `Content-Type` the file was sent with, without parameters.</param>
/// <param name="Progress">How far processing got.</param>
/// <param name="ErrorCount">How many problems were found; `errors` lists the first 200.</param>
/// <param name="Errors">The problems found, each with its line and place in the file. Any problem fails the whole job.</param>
/// <param name="Result">What the import changed (or, in a dry run, would change), under the member named for its kind. Null
/// until the job succeeded.</param>
/// <param name="UploadedByClientId">The API client that uploaded the file; the job runs with its rights.</param>
/// <param name="CreatedAt">When the file was uploaded.</param>
/// <param name="StartedAt">When an instance first started processing it.</param>
/// <param name="FinishedAt">When it succeeded or failed.</param>
public sealed record ImportJobResponse(
    Guid Id,
    Guid SchoolId,
    ImportKind Kind,
    ImportStatus Status,
    bool DryRun,
    [property: MaxLength(71)] string Sha256,
    long Size,
    [property: MaxLength(200)] string FileContentType,
    ImportProgressResponse Progress,
    int ErrorCount,
    [property: MaxLength(ImportErrors.MaxKept)] IReadOnlyList<ImportErrorResponse> Errors,
    ImportResultResponse? Result,
    Guid? UploadedByClientId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>What an import changed (in a dry run: would change). Exactly one member is set, the one for the job's kind.</summary>
/// <param name="Roster">For `edexml`: the roster sync's counts (guardians and their links are not in the file, so stay).</param>
/// <param name="Guardians">For `guardians-csv`: the guardians and links the file set, per row.</param>
/// <param name="ConsentForms">For `consent-forms-csv`: the paper answers recorded, per row, with their receipts.</param>
public sealed record ImportResultResponse(
    RosterSyncResponse? Roster = null,
    GuardiansCsvResult? Guardians = null,
    ConsentFormsCsvResult? ConsentForms = null);

/// <param name="Processed">Items (pupils, rows) read so far.</param>
/// <param name="Total">Items in the file, once known.</param>
public sealed record ImportProgressResponse(int Processed, int? Total);

/// <summary>One problem in an import file.</summary>
/// <param name="Line">The line of the file (1-based), when known.</param>
/// <param name="Path">Where in the file: an element path such as `/EDEX/leerlingen/leerling[3]/geboortedatum`, or a row.</param>
/// <param name="Field">The field or column, when the problem is one value.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ImportErrorResponse(
    int? Line,
    [property: MaxLength(500)] string Path,
    [property: MaxLength(FieldLengths.Name)] string? Field,
    [property: MaxLength(1000)] string Message);

internal static class ImportMapping
{
    private static readonly JsonSerializerOptions Json = Infrastructure.ConsentApiServices.CreateJsonOptions();

    public static string SerializeErrors(IEnumerable<ImportError> errors) => JsonSerializer.Serialize(errors, Json);

    public static string SerializeResult(object result) => JsonSerializer.Serialize(result, result.GetType(), Json);

    /// <summary>The stored result (the processor's own record, as JSON) under its kind's member.</summary>
    private static ImportResultResponse ResultOf(ImportKind kind, string json) => kind switch
    {
        ImportKind.Edexml => new(Roster: JsonSerializer.Deserialize<RosterSyncResponse>(json, Json)),
        ImportKind.GuardiansCsv => new(Guardians: JsonSerializer.Deserialize<GuardiansCsvResult>(json, Json)),
        ImportKind.ConsentFormsCsv => new(ConsentForms: JsonSerializer.Deserialize<ConsentFormsCsvResult>(json, Json)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "An import kind without a result shape."),
    };

    public static ImportJobResponse ToResponse(this ImportJob job)
    {
        var errors = JsonSerializer.Deserialize<List<ImportError>>(job.Errors, Json) ?? [];
        return new ImportJobResponse(job.Id, job.SchoolId, job.Kind, job.Status, job.DryRun, job.Sha256, job.Size, job.ContentType,
            new ImportProgressResponse(job.Processed, job.Total), job.ErrorCount, errors.Select(e => new ImportErrorResponse(e.Line, e.Path, e.Field, e.Message)).ToList(),
            job.Result is null ? null : ResultOf(job.Kind, job.Result),
            job.UploadedByClientId, job.CreatedAt, job.StartedAt, job.FinishedAt);
    }
}
