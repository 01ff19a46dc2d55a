using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.OpenApi;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

public sealed record GetProofFileQuery(Guid ReceiptId, Guid ProofFileId) : IQuery<ProofFileResponse>;

public sealed class GetProofFileHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetProofFileQuery, ProofFileResponse>
{
    public async ValueTask<ProofFileResponse> Handle(GetProofFileQuery query, CancellationToken ct)
    {
        var visiblePupils = db.Pupils.VisibleTo(client).Select(p => p.Id);
        var file = await db.ProofFiles.AsNoTracking()
                       .SingleOrDefaultAsync(f => f.Id == query.ProofFileId && f.BatchId == query.ReceiptId
                                                  && visiblePupils.Contains(f.PupilId), ct)
                   ?? throw new NotFoundException("Proof file", query.ProofFileId);
        if (file.ErasedAt is not null)
        {
            throw new GoneException("The proof file's content was erased with the pupil's personal data; its SHA-256, size and type are kept.");
        }
        return file.ToResponse();
    }
}

public static class DownloadProofFileEndpoint
{
    public static RouteHandlerBuilder MapDownloadProofFile(this RouteGroupBuilder group, long maxBytes) =>
        group.MapGet("/{receiptId:guid}/proof-files/{proofFileId:guid}", Download)
            .WithName("DownloadProofFile")
            .WithSummary("Download a proof file")
            .WithDescription("""
                The exact bytes stored, as an attachment (never shown inline), with the type detected when it was
                uploaded, `X-Content-Type-Options: nosniff`, a `Content-Security-Policy` that runs nothing, and the
                SHA-256 in `Repr-Digest` (RFC 9530). The file's details (hash, size, who uploaded it and when) are listed
                with the decisions it proves in the pupil's consent history. Once the pupil's personal data is erased the
                content is gone (410); the hash, size and type stay listed in the history.
                """)
            .WithMetadata(new FileBody(maxBytes, ProofFileTypes.Pdf, ProofFileTypes.Jpeg, ProofFileTypes.Png) { InResponse = true })
            .WithMetadata(new SendsContentDisposition("`attachment`, with the file's safe name, e.g. `toestemming-2026.pdf`."))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);

    private static async Task<PushStreamHttpResult> Download(
        Guid receiptId, Guid proofFileId, ISender sender, ConsentDbContext db, HttpResponse response, CancellationToken ct)
    {
        var file = await sender.Send(new GetProofFileQuery(receiptId, proofFileId), ct);
        response.ContentLength = file.Size;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(file.Sha256["sha256:".Length..]))}:";
        return TypedResults.Stream(output => db.CopyToAsync(file.Id, output, ct), file.ContentType, file.FileName);
    }
}
