namespace ConsentApi.Domain;

public sealed class School
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public required string Name { get; set; }

    /// <summary>The Dutch BRIN code with optional location suffix, e.g. "12AB" or "12AB01".</summary>
    public required string BrinCode { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}
