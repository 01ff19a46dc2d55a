using System.Text.Json.Serialization;
using ConsentApi.Domain.Imports;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.OpenApi;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Net.Http.Headers;
using Npgsql;
using NpgsqlTypes;

namespace ConsentApi.Features.Imports;

/// <summary>An upload already read to its end; its hash decides whether it is a job already known.</summary>
public sealed record UploadImportCommand(Guid SchoolId, ImportKind Kind, bool DryRun, string ContentType, long Size, string Sha256,
    [property: JsonIgnore] SpooledUpload Content) : ICommand<UploadedImport>;

public sealed record UploadedImport(ImportJobResponse Job, bool IsNew);

public sealed class UploadImportHandler(
    ConsentDbContext db, CurrentClient client, AuditScope audit, AfterCommit afterCommit, ImportWake wake, TimeProvider clock)
    : ICommandHandler<UploadImportCommand, UploadedImport>
{
    public async ValueTask<UploadedImport> Handle(UploadImportCommand command, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(command.SchoolId, client, ct);
        if (command.Size == 0)
        {
            throw new Infrastructure.Errors.RequestValidationException("$", "The file is empty.");
        }
        // One upload at a time per school: the same file sent twice at once is one job.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLocks.Key(command.SchoolId, AdvisoryLocks.Imports)})", ct);
        var existing = await db.ImportJobs.AsNoTracking()
            .Where(j => j.SchoolId == command.SchoolId && j.Kind == command.Kind && j.DryRun == command.DryRun
                        && j.Sha256 == command.Sha256 && j.Status != ImportStatus.Failed)
            .FirstOrDefaultAsync(ct);
        if (existing is not null)
        {
            audit.Unchanged();
            return new UploadedImport(existing.ToResponse(), false);
        }

        var job = new ImportJob
        {
            OrganisationId = client.OrganisationId,
            SchoolId = command.SchoolId,
            Kind = command.Kind,
            Sha256 = command.Sha256,
            Size = command.Size,
            ContentType = command.ContentType,
            DryRun = command.DryRun,
            Status = ImportStatus.Queued,
            UploadedByClientId = client.ClientId,
            CreatedAt = clock.GetUtcNow(),
        };
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(ct);
        await WriteFileAsync(job.Id, command.Content.Open(), command.Size, ct);
        audit.On("import", job.Id);
        afterCommit.Add(wake.Signal);
        return new UploadedImport(job.ToResponse(), true);
    }

    /// <summary>Streams the spooled file into its row: the bytes go from disk to the database without a copy in memory.</summary>
    private async Task WriteFileAsync(Guid jobId, Stream content, long size, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var insert = new NpgsqlCommand("INSERT INTO import_files (import_job_id, content) VALUES ($1, $2)", connection,
            (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        insert.CommandTimeout = 120;
        insert.Parameters.Add(new NpgsqlParameter { Value = jobId });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = content, Size = checked((int)size) });
        await insert.ExecuteNonQueryAsync(ct);
    }
}

public static class UploadImportEndpoint
{
    /// <summary>The largest import file accepted.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Maps the upload of one kind of file. Each kind has its own route, mapped once its processor exists, so that an
    /// unknown or unfinished kind is a 404 and never a job that silently does nothing.
    /// </summary>
    public static RouteHandlerBuilder MapUploadImport(this RouteGroupBuilder group, ImportKind kind, string operationId,
        string summary, string description, params string[] contentTypes)
    {
        var name = ContractValues.Members(typeof(ImportKind)).Single(m => (ImportKind)m.Value == kind).Name;
        return group.MapPost($"/{{schoolId:guid}}/imports/{name}",
                (Guid schoolId, [FromQuery] bool? dryRun, HttpRequest request, ISender sender, CancellationToken ct) =>
                    Upload(schoolId, kind, dryRun ?? false, contentTypes, request, sender, ct))
            .WithName(operationId)
            .WithMetadata(new AcceptsFileBodyMetadata())
            .WithMetadata(new FileBody(MaxBytes, contentTypes))
            .WithBodyLimit(MaxBytes)
            .WithSummary(summary)
            .WithDescription(description + $"""


                The file is the request body (`Content-Type` one of {string.Join(", ", contentTypes.Select(t => $"`{t}`"))}; 415
                otherwise), at most {MaxBytes} bytes (413 as soon as it is exceeded while reading). The answer is `202 Accepted`
                with the job and its `Location` (`/v1/imports/` and the job's id); poll it until `status` is `succeeded` or
                `failed`, or subscribe to the webhook events `import.completed` and `import.failed`. Sending the same bytes
                again for the same school, kind and `dryRun` answers `200` with the job already made (unless that job
                failed: then a new one starts). `dryRun=true` checks the file and reports in `result` what it would change,
                and changes nothing. Any error in the file fails the whole job and changes nothing.
                """)
            .Produces<ImportJobResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    /// <summary>
    /// Answers an upload of a kind that has no route of its own with a 404 Problem Details (rather than the 415 a body that
    /// is not JSON would get from an unknown route). Not an operation of the contract.
    /// </summary>
    public static RouteHandlerBuilder MapUnknownImportKind(this RouteGroupBuilder group) =>
        group.MapPost("/{schoolId:guid}/imports/{kind}", (string kind) =>
                Task.FromException<IResult>(new Infrastructure.Errors.NotFoundException("Import kind", kind)))
            .WithMetadata(new AcceptsFileBodyMetadata())
            .WithBodyLimit(MaxBytes)
            .ExcludeFromDescription();

    private static async Task<Results<Accepted<ImportJobResponse>, Ok<ImportJobResponse>>> Upload(
        Guid schoolId, ImportKind kind, bool dryRun, string[] contentTypes, HttpRequest request, ISender sender, CancellationToken ct)
    {
        var contentType = AcceptedContentType(request, contentTypes);
        await using var content = await SpooledUpload.ReadAsync(request.Body, MaxBytes, ct, "an import file");
        var uploaded = await sender.Send(
            new UploadImportCommand(schoolId, kind, dryRun, contentType, content.Length, content.Sha256, content), ct);
        return uploaded.IsNew
            ? TypedResults.Accepted($"/v1/imports/{uploaded.Job.Id}", uploaded.Job)
            : TypedResults.Ok(uploaded.Job);
    }

    private static string AcceptedContentType(HttpRequest request, string[] contentTypes)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !contentTypes.Contains(mediaType.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException($"Send the file as {string.Join(" or ", contentTypes)}.",
                StatusCodes.Status415UnsupportedMediaType);
        }
        return mediaType.MediaType.Value!.ToLowerInvariant();
    }
}
