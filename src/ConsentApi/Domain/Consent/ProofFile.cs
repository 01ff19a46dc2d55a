namespace ConsentApi.Domain.Consent;

/// <summary>
/// A scanned paper form or signed letter kept as proof of one batch of decisions (one person's answers recorded in one
/// call, the receipt). Append-only, like the decisions it proves: it is evidence, so it is never replaced or withdrawn.
/// The bytes are kept apart, in <see cref="ProofFileChunk"/> rows, so that they are written and read in pieces.
/// </summary>
public sealed class ProofFile
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public Guid PupilId { get; init; }

    /// <summary>The batch (receipt) of decisions the file proves.</summary>
    public Guid BatchId { get; init; }

    /// <summary>The media type detected from the content: application/pdf, image/jpeg or image/png.</summary>
    public required string MediaType { get; init; }
    public long Size { get; init; }

    /// <summary>The SHA-256 of the content, as "sha256:" and 64 lower-case hex digits.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The name the uploader gave, reduced to a safe file name; never trusted for the type.</summary>
    public required string FileName { get; init; }
    public Guid? UploadedByClientId { get; init; }
    public DateTimeOffset UploadedAt { get; init; }

    /// <summary>When the content was erased with the pupil's data; the hash, size and type are kept as proof.</summary>
    public DateTimeOffset? ErasedAt { get; init; }
}

/// <summary>One piece of a proof file's content, in order of <see cref="Index"/>.</summary>
public sealed class ProofFileChunk
{
    public Guid ProofFileId { get; init; }
    public int Index { get; init; }
    public required byte[] Data { get; init; }
}
