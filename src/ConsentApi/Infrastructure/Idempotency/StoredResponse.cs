namespace ConsentApi.Infrastructure.Idempotency;

/// <summary>
/// What a creating command answered under an <c>Idempotency-Key</c>, kept so that a retry gets the same answer instead
/// of a second effect. Written in the command's own transaction: the effect and this row commit together or not at all.
/// </summary>
public sealed class StoredResponse
{
    /// <summary>The API client that sent the key; <see cref="Guid.Empty"/> for the platform key. Keys are per client.</summary>
    public Guid ClientId { get; init; }

    public required string Key { get; init; }

    /// <summary>The command the key was first used for, so that the same key on another operation is a mismatch.</summary>
    public required string Operation { get; init; }

    /// <summary>SHA-256 of the operation and its bound request (route values and body), hex.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The command's result as JSON; the endpoint turns it into the same status, body and <c>Location</c> again.</summary>
    public required string Response { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
