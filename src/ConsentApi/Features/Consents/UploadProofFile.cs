using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.OpenApi;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Features.Consents;

/// <summary>An upload already read to its end: its size and hash are part of what a retry with the same key must repeat.</summary>
public sealed record UploadProofFileCommand(Guid ReceiptId, string? FileName, long Size, string Sha256,
    [property: JsonIgnore] SpooledUpload Content) : ICommand<ProofFileResponse>;

public sealed class UploadProofFileHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<UploadProofFileCommand, ProofFileResponse>
{
    public async ValueTask<ProofFileResponse> Handle(UploadProofFileCommand command, CancellationToken ct)
    {
        var visiblePupils = db.Pupils.VisibleTo(client).Select(p => p.Id);
        var batch = await db.Decisions.AsNoTracking()
                        .Where(d => d.BatchId == command.ReceiptId && visiblePupils.Contains(d.PupilId))
                        .Select(d => new { d.OrganisationId, d.PupilId, d.Method })
                        .FirstOrDefaultAsync(ct)
                    ?? throw new NotFoundException("Receipt", command.ReceiptId);
        if (batch.Method is not (DecisionMethod.Paper or DecisionMethod.Email or DecisionMethod.InPerson))
        {
            throw new ConflictException(
                "Proof files prove decisions recorded from paper, e-mail or in person; this receipt's decisions were given in "
                + "the parents' app or on the web, which keeps its own record.");
        }
        // Locked against an erasure running at the same moment: either it sees this file, or this sees the pupil erased.
        var erased = await db.Database.SqlQuery<bool>(
            $"SELECT erased_at IS NOT NULL AS \"Value\" FROM pupils WHERE id = {batch.PupilId} FOR SHARE").ToListAsync(ct);
        if (erased.Single())
        {
            throw new ConflictException("The pupil's personal data was erased; no proof file can be added for them any more.");
        }
        if (await db.ProofFiles.CountAsync(f => f.BatchId == command.ReceiptId, ct) >= DecisionResponse.MaxProofFiles)
        {
            throw new ConflictException($"A receipt keeps at most {DecisionResponse.MaxProofFiles} proof files.");
        }
        if (command.Size == 0)
        {
            throw new RequestValidationException("$", "The file is empty.");
        }

        var content = command.Content.Open();
        var start = new byte[ProofFileTypes.SignatureLength];
        var read = await content.ReadAtLeastAsync(start, start.Length, throwOnEndOfStream: false, ct);
        var type = ProofFileTypes.Detect(start.AsSpan(0, read))
                   ?? throw new UnsupportedContentException(
                       "The content is not a PDF, JPEG or PNG file. The type is judged by the content, not by the file name or "
                       + "the Content-Type sent.");

        var file = new ProofFile
        {
            OrganisationId = batch.OrganisationId,
            PupilId = batch.PupilId,
            BatchId = command.ReceiptId,
            MediaType = type.MediaType,
            Size = command.Size,
            Sha256 = command.Sha256,
            FileName = ProofFileMapping.SafeFileName(command.FileName, type.MediaType),
            UploadedByClientId = client.ClientId,
            UploadedAt = clock.GetUtcNow(),
        };
        db.ProofFiles.Add(file);
        await db.SaveChangesAsync(ct);
        await db.WriteAsync(file.Id, command.Content.Open(), ct);
        audit.On("proof-file", file.Id);
        return file.ToResponse();
    }
}

public static class UploadProofFileEndpoint
{
    public static RouteHandlerBuilder MapUploadProofFile(this RouteGroupBuilder group, long maxBytes) =>
        group.MapPost("/{receiptId:guid}/proof-files", Upload)
            .WithName("UploadProofFile")
            .AcceptsIdempotencyKey()
            .WithMetadata(new AcceptsFileBodyMetadata())
            .WithMetadata(new FileBody(maxBytes, ProofFileTypes.Pdf, ProofFileTypes.Jpeg, ProofFileTypes.Png))
            .WithBodyLimit(maxBytes)
            .WithSummary("Attach a proof file to a receipt")
            .WithDescription($"""
                Keeps a scanned paper form or signed letter (PDF, JPEG or PNG, at most {maxBytes} bytes, setting
                `ProofFiles__MaxBytes`) as proof of the decisions of one receipt recorded by `paper`, `email` or `in-person`.
                Send the file's bytes as the body; `fileName` is the name it was scanned under. The type is judged by the
                content's first bytes, never by the name or the `Content-Type` sent: anything else is refused (415). The
                answer holds the SHA-256 of the bytes stored. Proof files are evidence: they are appended, never replaced
                or removed; a corrected scan is a second file. Refused without any change: a receipt of decisions given in
                the parents' app or on the web (409), a file over the limit (413, as soon as it is exceeded while reading),
                an empty body (400).
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <param name="receiptId">The receipt (batch of decisions) the file proves.</param>
    /// <param name="fileName">The name of the scanned file, e.g. `toestemming-2026.pdf`; only its letters and digits are kept.</param>
    private static async Task<Created<ProofFileResponse>> Upload(
        Guid receiptId, [FromQuery, StringLength(200)] string? fileName, HttpRequest request, IOptions<ProofFileOptions> options,
        ISender sender, CancellationToken ct)
    {
        await using var content = await SpooledUpload.ReadAsync(request.Body, options.Value.MaxBytes, ct);
        var created = await sender.Send(new UploadProofFileCommand(receiptId, fileName, content.Length, content.Sha256, content), ct);
        return TypedResults.Created($"/v1/receipts/{receiptId}/proof-files/{created.Id}", created);
    }
}
