namespace ConsentApi.Domain;

/// <summary>One command carried out: who, what, on which resource, when. Written in the command's own transaction.</summary>
public sealed class AuditEvent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Recording order, given by the database: ids made in the same millisecond are in no particular order.</summary>
    public long Sequence { get; init; }

    /// <summary>Null for commands of the platform operator, which belong to no organisation until they create one.</summary>
    public Guid? OrganisationId { get; init; }

    /// <summary>The API client; null for the configured bootstrap key.</summary>
    public Guid? ClientId { get; init; }
    public required string Action { get; init; }
    public string? ResourceType { get; init; }
    public Guid? ResourceId { get; init; }
    public required string RequestId { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
}
