namespace ConsentApi.Domain;

/// <summary>A parent or carer, known across the schools of one organisation.</summary>
public sealed class Guardian
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public required string ExternalId { get; set; }
    public required string DisplayName { get; set; }
}

/// <summary>A guardian's relation to a pupil. Only guardians with parental authority may decide on consent.</summary>
public sealed class GuardianLink
{
    public Guid PupilId { get; init; }
    public Guid GuardianId { get; init; }
    public bool HasParentalAuthority { get; set; }
}
