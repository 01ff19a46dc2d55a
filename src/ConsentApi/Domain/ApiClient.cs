namespace ConsentApi.Domain;

/// <summary>A calling system (admin system, parents' app backend, staff tool) of one organisation.</summary>
public sealed class ApiClient
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public required string Name { get; set; }

    /// <summary>The public, non-secret part of the key, shown in listings to recognise it.</summary>
    public required string KeyPrefix { get; init; }

    /// <summary>SHA-256 of the whole key. The key itself is never stored.</summary>
    public required byte[] KeyHash { get; init; }

    public required List<string> Scopes { get; set; }

    /// <summary>The schools the client is limited to; empty means every school of the organisation.</summary>
    public required List<Guid> SchoolIds { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
}
