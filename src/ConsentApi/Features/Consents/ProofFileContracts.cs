using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json.Serialization;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;

namespace ConsentApi.Features.Consents;

/// <summary>A scanned paper form or signed letter kept as proof of one batch of decisions (a receipt).</summary>
/// <param name="ReceiptId">The batch of decisions it proves.</param>
/// <param name="ContentType">What the content is, judged by its first bytes: `application/pdf`, `image/jpeg` or `image/png`.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Sha256">The SHA-256 of the exact bytes stored, as `sha256:` and 64 hex digits: proof the file was not changed.</param>
/// <param name="FileName">The name it downloads under: the uploader's name reduced to letters, digits and hyphens, with the
/// extension of the detected type.</param>
/// <param name="UploadedByClientId">The API client that uploaded it.</param>
/// <param name="ErasedAt">When the content was erased with the pupil's personal data: the file can no longer be downloaded
/// (410), and its hash, size and type are kept as proof of what was on paper. Absent while the file is kept.</param>
public sealed record ProofFileResponse(
    Guid Id,
    Guid ReceiptId,
    Guid PupilId,
    [property: MaxLength(FieldLengths.MediaTypeName)] string ContentType,
    [property: Range(1, long.MaxValue)] long Size,
    [property: MaxLength(FieldLengths.ContentHash)] string Sha256,
    [property: MaxLength(FieldLengths.FileName)] string FileName,
    Guid? UploadedByClientId,
    DateTimeOffset UploadedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ErasedAt = null);

internal static class ProofFileMapping
{
    public static ProofFileResponse ToResponse(this ProofFile f) =>
        new(f.Id, f.BatchId, f.PupilId, f.MediaType, f.Size, f.Sha256, f.FileName, f.UploadedByClientId, f.UploadedAt, f.ErasedAt);

    /// <summary>
    /// A name safe in any download folder and header: the given name's stem in lower-case ASCII letters, digits and
    /// hyphens, and the extension of what the content is (a ".pdf" that is a PNG downloads as ".png").
    /// </summary>
    public static string SafeFileName(string? given, string mediaType)
    {
        var stem = Path.GetFileNameWithoutExtension((given ?? "").Replace('\\', '/').Split('/')[^1]);
        var safe = new StringBuilder(stem.Length);
        foreach (var c in stem.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                safe.Append(c);
            }
            else if (char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark && safe.Length > 0 && safe[^1] != '-')
            {
                safe.Append('-');
            }
        }
        var name = safe.ToString().Trim('-');
        name = name.Length == 0 ? "proof" : name[..Math.Min(name.Length, 80)].TrimEnd('-');
        return $"{name}.{ProofFileTypes.ExtensionOf(mediaType)}";
    }
}
