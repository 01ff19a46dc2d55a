namespace ConsentApi.Domain;

/// <summary>A school board: the tenant. Everything else belongs to exactly one organisation.</summary>
public sealed class Organisation
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}
