namespace ConsentApi.Domain.Consent;

/// <summary>A school's round of consent requests for a school year, with one published form version.</summary>
public sealed class Campaign
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public Guid SchoolId { get; init; }
    public required string SchoolYear { get; init; }
    public Guid FormVersionId { get; init; }
    public DateOnly OpensOn { get; init; }
    public DateOnly ClosesOn { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Open from its first day to its last, unless closed early; pupils who join while it is open are asked too.</summary>
    public bool IsOpenOn(DateOnly day) => ClosedAt is null && day >= OpensOn && day <= ClosesOn;
}

/// <summary>One pupil asked in a campaign: their guardians with parental authority, or the pupil from 16, answer it.</summary>
public sealed class ConsentRequest
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid CampaignId { get; init; }
    public Guid PupilId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
