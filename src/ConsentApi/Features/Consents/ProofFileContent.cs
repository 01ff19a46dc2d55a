using System.Security.Cryptography;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <summary>Proof file settings (<c>ProofFiles__MaxBytes</c>).</summary>
public sealed class ProofFileOptions
{
    public const string Section = "ProofFiles";

    /// <summary>The largest file accepted: 10 MiB, ample for a scanned page or letter at 300 dpi.</summary>
    public long MaxBytes { get; set; } = 10 * 1024 * 1024;
}

/// <summary>
/// An uploaded file as it was read: the request body copied in pieces to a temporary file that is deleted when disposed,
/// its size and SHA-256 counted on the way, and refused with a 413 at the first byte over the limit. Kept on disk rather
/// than in memory, and kept at all so that a command the database makes run again (a deadlock) can read it again.
/// </summary>
public sealed class SpooledUpload : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;
    private readonly FileStream _file;

    private SpooledUpload(FileStream file, long length, string sha256)
    {
        _file = file;
        Length = length;
        Sha256 = sha256;
    }

    public long Length { get; }

    /// <summary>"sha256:" and 64 lower-case hex digits.</summary>
    public string Sha256 { get; }

    public static async Task<SpooledUpload> ReadAsync(Stream body, long maxBytes, CancellationToken ct, string what = "a proof file")
    {
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, BufferSize,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[BufferSize];
            long length = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    throw new BadHttpRequestException(
                        $"The file is larger than the {maxBytes} bytes {what} may be.", StatusCodes.Status413PayloadTooLarge);
                }
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            return new SpooledUpload(file, length, "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>The content from its first byte.</summary>
    public Stream Open()
    {
        _file.Position = 0;
        return _file;
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}

/// <summary>What a file is, judged by its first bytes (its signature), never by its name or declared Content-Type.</summary>
public static class ProofFileTypes
{
    public const string Pdf = "application/pdf";
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";

    private static readonly (string MediaType, string Extension, byte[] Signature)[] Known =
    [
        (Pdf, "pdf", "%PDF-"u8.ToArray()),
        (Jpeg, "jpg", [0xFF, 0xD8, 0xFF]),
        (Png, "png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
    ];

    public static int SignatureLength => Known.Max(k => k.Signature.Length);

    public static (string MediaType, string Extension)? Detect(ReadOnlySpan<byte> start)
    {
        foreach (var (mediaType, extension, signature) in Known)
        {
            if (start.StartsWith(signature))
            {
                return (mediaType, extension);
            }
        }
        return null;
    }

    public static string ExtensionOf(string mediaType) => Known.Single(k => k.MediaType == mediaType).Extension;
}

/// <summary>Proof file content in the database: written and read in pieces of <see cref="ChunkBytes"/>.</summary>
public static class ProofFileChunks
{
    public const int ChunkBytes = 256 * 1024;

    public static async Task WriteAsync(this ConsentDbContext db, Guid proofFileId, Stream content, CancellationToken ct)
    {
        var buffer = new byte[ChunkBytes];
        for (var index = 0; ; index++)
        {
            var filled = await content.ReadAtLeastAsync(buffer, ChunkBytes, throwOnEndOfStream: false, ct);
            if (filled == 0)
            {
                return;
            }
            var data = filled == ChunkBytes ? buffer : buffer[..filled];
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO proof_file_chunks (proof_file_id, index, data) VALUES ({proofFileId}, {index}, {data})", ct);
        }
    }

    /// <summary>Copies the content to <paramref name="output"/> one piece at a time, as the rows arrive.</summary>
    public static async Task CopyToAsync(this ConsentDbContext db, Guid proofFileId, Stream output, CancellationToken ct)
    {
        await foreach (var data in db.ProofFileChunks.AsNoTracking().Where(c => c.ProofFileId == proofFileId)
                           .OrderBy(c => c.Index).Select(c => c.Data).AsAsyncEnumerable().WithCancellation(ct))
        {
            await output.WriteAsync(data, ct);
        }
    }
}
