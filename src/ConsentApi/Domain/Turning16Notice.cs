namespace ConsentApi.Domain;

/// <summary>When a <c>pupil.turning-16</c> event is sent: some days before the 16th birthday, and on the day.</summary>
public enum Turning16Occasion
{
    /// <summary>The 16th birthday is near (the organisation's notice period).</summary>
    Upcoming,

    /// <summary>The 16th birthday is today: from now the pupil decides.</summary>
    Birthday,
}

/// <summary>
/// A <c>pupil.turning-16</c> event that was sent. The key (pupil, occasion, birthday) makes the announcement once per
/// pupil and occasion whatever number of instances run the job; a corrected date of birth is a new birthday and is
/// announced again.
/// </summary>
public sealed class Turning16Notice
{
    public Guid PupilId { get; init; }
    public Turning16Occasion Occasion { get; init; }
    public DateOnly Birthday { get; init; }
    public Guid OrganisationId { get; init; }
    public DateTimeOffset SentAt { get; init; }
}
