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

    /// <summary>
    /// When the pupil's personal data was erased (<see cref="ErasedPupil"/>): the name and external id are placeholders
    /// from then on, and the consent ledger keeps only ids.
    /// </summary>
    public DateTimeOffset? ErasedAt { get; init; }

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

/// <summary>What an erased pupil's and guardian's personal fields hold instead.</summary>
public static class ErasedPupil
{
    public const string DisplayName = "Erased pupil";
    public const string GuardianDisplayName = "Erased guardian";
    public const string FileName = "erased";

    /// <summary>Keeps the school's unique index on external ids: the id is unique already.</summary>
    public static string ExternalId(Guid id) => $"erased-{id}";
}
