namespace ConsentApi.Domain.Consent;

/// <summary>
/// The state of one item of one pupil as the last <c>consent.changed</c> event announced it. The next event about the
/// item starts from this state, so the events of a pupil form an unbroken chain whatever changed in between.
/// </summary>
public sealed class AnnouncedConsent
{
    public Guid PupilId { get; init; }
    public MediaType MediaType { get; init; }
    public required string ChannelKey { get; init; }
    public ConsentState State { get; set; }

    /// <summary>The pupil's event sequence number of the event that announced this state.</summary>
    public long Sequence { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}
