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

/// <summary>
/// A school's knowledge of a guardian. A guardian is one person across the organisation's schools (a parent of
/// children at two schools), identified by external id; each school that names them, by roster, link or create, knows
/// them under the name its own records give. A client limited to some schools sees only the guardians its schools
/// know, under their names, so nothing another school holds shows through.
/// </summary>
public sealed class GuardianSchool
{
    public Guid GuardianId { get; init; }
    public Guid SchoolId { get; init; }
    public required string DisplayName { get; set; }
}
