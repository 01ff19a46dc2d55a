namespace ConsentApi.Domain;

/// <summary>Whether a pupil is at the school.</summary>
public enum PupilStatus
{
    /// <summary>At the school.</summary>
    Active,

    /// <summary>Left the school; kept for the record.</summary>
    Left,
}

public sealed class Pupil : ISchoolScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public Guid SchoolId { get; init; }
    public required string ExternalId { get; set; }
    public required string DisplayName { get; set; }
    public DateOnly DateOfBirth { get; set; }
    public Guid? GroupId { get; set; }
    public PupilStatus Status { get; set; } = PupilStatus.Active;
    public DateOnly? LeftOn { get; set; }

    public List<GuardianLink> Guardians { get; init; } = [];

    /// <summary>Marks the pupil as left. A pupil is never deleted: their consent history is proof.</summary>
    public void Leave(DateOnly on)
    {
        Status = PupilStatus.Left;
        LeftOn = on;
    }

    public void Rejoin()
    {
        Status = PupilStatus.Active;
        LeftOn = null;
    }
}
