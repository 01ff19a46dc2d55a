namespace ConsentApi.Domain;

/// <summary>A class ("groep 5b") of a school in one school year.</summary>
public sealed class Group
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SchoolId { get; init; }
    public required string ExternalId { get; set; }
    public required string Name { get; set; }

    /// <summary>"2026-2027".</summary>
    public required string SchoolYear { get; set; }
}
