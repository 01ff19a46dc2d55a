namespace ConsentApi.Domain.Consent;

/// <summary>
/// One person's answer for one item of one pupil, as recorded. Append-only: nothing is ever updated or deleted; a
/// withdrawal is a later refusal. Everything needed to prove it is kept: who, how, when, which text, who recorded it.
/// </summary>
public sealed class Decision
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Recording order, assigned by the database; breaks ties between decisions given at the same moment.</summary>
    public long Sequence { get; init; }
    public Guid OrganisationId { get; init; }
    public Guid PupilId { get; init; }

    /// <summary>The decisions recorded in one call share a batch id.</summary>
    public Guid BatchId { get; init; }
    public Guid FormVersionId { get; init; }
    public MediaType MediaType { get; init; }
    public required string ChannelKey { get; init; }
    public ConsentOutcome Outcome { get; init; }

    /// <summary>The guardian who decided; null when the pupil (16 or older) decided themself.</summary>
    public Guid? GuardianId { get; init; }
    public DecisionMethod Method { get; init; }
    public DateTimeOffset GivenAt { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public Guid? RecordedByClientId { get; init; }
    public string? ProofReference { get; init; }

    /// <summary>The language of the form text the person answered: "nl" or "en".</summary>
    public string Language { get; init; } = "nl";
    public string? Note { get; init; }
}
