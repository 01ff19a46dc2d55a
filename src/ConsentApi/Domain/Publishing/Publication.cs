using ConsentApi.Domain.Consent;

namespace ConsentApi.Domain.Publishing;

/// <summary>Whether a registered publication is online.</summary>
public enum PublicationStatus
{
    /// <summary>Online as far as the register knows.</summary>
    Online,

    /// <summary>Taken down, or withdrawn from the register; kept for the record.</summary>
    Removed,
}

/// <summary>An item a school published, with the pupils recognisable in it: what must come down when consent ends.</summary>
public sealed class Publication : ISchoolScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public Guid SchoolId { get; init; }
    public required string ChannelKey { get; init; }
    public MediaType MediaType { get; init; }
    public required string Title { get; init; }
    public string? Url { get; init; }
    public string? Location { get; init; }
    public DateTimeOffset PublishedAt { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    public Guid? RegisteredByClientId { get; init; }

    /// <summary>Registered although the check said no: kept for the record, with a takedown opened at once.</summary>
    public bool PublishedWithoutCheck { get; init; }
    public PublicationStatus Status { get; private set; } = PublicationStatus.Online;
    public DateTimeOffset? RemovedAt { get; private set; }
    public string? RemovalNote { get; private set; }
    public List<PublicationPupil> Pupils { get; init; } = [];

    /// <summary>The check the registration relied on; null for publications registered before checks were kept.</summary>
    public PublicationCheck? Check { get; init; }

    public void Remove(DateTimeOffset at, string? note)
    {
        if (Status == PublicationStatus.Removed)
        {
            return;
        }
        Status = PublicationStatus.Removed;
        RemovedAt = at;
        RemovalNote = note;
    }
}

public sealed class PublicationPupil
{
    public Guid PublicationId { get; init; }
    public Guid PupilId { get; init; }

    /// <summary>
    /// False when the pupil is shown unrecognisable (blurred, from behind): no consent is needed for them, and takedowns
    /// leave them out.
    /// </summary>
    public bool Recognisable { get; init; } = true;
}

/// <summary>Whether a takedown is done.</summary>
public enum TakedownStatus
{
    /// <summary>The publication must still come down.</summary>
    Open,

    /// <summary>Completed: the publication was taken down or removed from the register.</summary>
    Done,

    /// <summary>
    /// Completed for an item that cannot be recalled (kind `do-not-reprint`): the school acknowledged
    /// that it will not be reprinted or handed out again.
    /// </summary>
    Acknowledged,
}

/// <summary>What a takedown asks for, decided by the channel's `recall` when it opens.</summary>
public enum TakedownKind
{
    /// <summary>Take the item down: remove it from the website, the app, social media.</summary>
    Removal,

    /// <summary>
    /// The item cannot be recalled (a printed school guide or newsletter already handed out): do not reprint it or hand
    /// it out again.
    /// </summary>
    DoNotReprint,
}

/// <summary>
/// A task to take a publication down because consent ended for pupils shown in it. One open task per publication:
/// pupils affected later are added to it.
/// </summary>
public sealed class Takedown : ISchoolScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public Guid SchoolId { get; init; }
    public Guid PublicationId { get; init; }
    public TakedownStatus Status { get; private set; } = TakedownStatus.Open;
    public TakedownKind Kind { get; init; } = TakedownKind.Removal;
    public DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public string? CompletedBy { get; private set; }
    public string? CompletionNote { get; private set; }
    public List<TakedownPupil> Pupils { get; init; } = [];

    public void Complete(DateTimeOffset at, string by, string? note)
    {
        Status = Kind == TakedownKind.DoNotReprint ? TakedownStatus.Acknowledged : TakedownStatus.Done;
        CompletedAt = at;
        CompletedBy = by;
        CompletionNote = note;
    }
}

/// <summary>A pupil whose consent no longer allows a publication, with the state and reason when it was found.</summary>
public sealed class TakedownPupil
{
    public Guid TakedownId { get; init; }
    public Guid PupilId { get; init; }
    public ConsentState State { get; init; }
    public required string Reason { get; init; }
    public DateTimeOffset AddedAt { get; init; }
}
