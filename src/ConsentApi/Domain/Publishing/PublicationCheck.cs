using ConsentApi.Domain.Consent;

namespace ConsentApi.Domain.Publishing;

/// <summary>
/// The check a publication's registration relied on, kept as it was answered (GDPR art. 7(1), 5(2)): consent at the moment
/// of publication as the record stood when it was registered. Append-only: the database refuses to change or delete it.
/// </summary>
public sealed class PublicationCheck
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public Guid PublicationId { get; init; }
    public MediaType MediaType { get; init; }
    public required string ChannelKey { get; init; }

    /// <summary>The moment consent was checked for: when the item was published.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>What the record knew: the moment of registration.</summary>
    public DateTimeOffset AsKnownAt { get; init; }
    public bool Allowed { get; init; }

    /// <summary>Registered although <see cref="Allowed"/> was false.</summary>
    public bool PublishedWithoutCheck { get; init; }

    /// <summary>The API client that declared pupils unrecognisable in the publication; null when every pupil is recognisable.</summary>
    public Guid? UnrecognisableDeclaredByClientId { get; init; }

    /// <summary>The person who declared it, as the client named them; optional.</summary>
    public string? UnrecognisableDeclaredBy { get; init; }
    public List<PublicationCheckPupil> Pupils { get; init; } = [];
}

/// <summary>One pupil's part of a stored publication check.</summary>
public sealed class PublicationCheckPupil
{
    public Guid CheckId { get; init; }
    public Guid PupilId { get; init; }
    public ConsentState State { get; init; }
    public required string Reason { get; init; }
    public bool Allowed { get; init; }

    /// <summary>False when shown unrecognisable: then <see cref="Allowed"/> did not need to be true.</summary>
    public bool Recognisable { get; init; } = true;
}
