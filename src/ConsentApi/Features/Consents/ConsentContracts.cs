using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Contract;

namespace ConsentApi.Features.Consents;

/// <summary>Who made a decision.</summary>
public enum DecidedBy
{
    /// <summary>A guardian with parental authority, named by <c>guardianId</c>.</summary>
    Guardian,

    /// <summary>The pupil themself, from their 16th birthday.</summary>
    Pupil,
}

/// <summary>A batch of decisions by one person for one pupil against one published form version.</summary>
/// <param name="FormVersionId">The published form version the person answered.</param>
/// <param name="DecidedBy">`guardian` (give `guardianId`) or `pupil` (from 16).</param>
/// <param name="GuardianId">The deciding guardian; they must be linked to the pupil with parental authority.</param>
/// <param name="Method">How the answer reached the school.</param>
/// <param name="GivenAt">When the person gave the answer; may lie in the past (a paper form keyed in later), not in the future. Defaults to now.</param>
/// <param name="ProofReference">Where the proof is kept, e.g. a scan's document number.</param>
/// <param name="Note">A remark for the record.</param>
/// <param name="Items">The answers, one per item of the form version at most.</param>
/// <param name="Language">The language of the form text the person read: `nl` (default) or `en` (when the version has an English text).</param>
public sealed record RecordDecisionsRequest(
    [property: Required] Guid? FormVersionId,
    [property: Required] DecidedBy? DecidedBy,
    Guid? GuardianId,
    [property: Required] DecisionMethod? Method,
    DateTimeOffset? GivenAt,
    [property: StringLength(FieldLengths.ProofReference, MinimumLength = 1)] string? ProofReference,
    [property: StringLength(FieldLengths.Note, MinimumLength = 1)] string? Note,
    [property: Required, MinLength(1), MaxLength(RecordDecisionsRequest.MaxItems)] IReadOnlyList<ItemDecision> Items,
    [property: OneOf(typeof(FormLanguage))] string? Language = null)
{
    public const int MaxItems = 60;
}

/// <summary>An answer for one item.</summary>
/// <param name="Channel">The channel's key, e.g. `social-media`.</param>
/// <param name="Outcome">`granted`, or `refused` (also to withdraw an earlier grant).</param>
public sealed record ItemDecision(
    [property: Required] MediaType? MediaType,
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2)] string Channel,
    [property: Required] ConsentOutcome? Outcome);

/// <summary>The decisions recorded by one call, and the receipt to give the person who decided.</summary>
/// <param name="BatchId">Shared by the decisions of this call; also the receipt's id.</param>
public sealed record RecordedDecisionsResponse(
    Guid BatchId,
    Guid PupilId,
    [property: MaxLength(RecordDecisionsRequest.MaxItems)] IReadOnlyList<DecisionResponse> Decisions,
    ConsentReceipt Receipt);

/// <summary>One recorded decision, with everything that proves it.</summary>
/// <param name="GuardianId">The deciding guardian; null when the pupil decided.</param>
/// <param name="RecordedByClientId">The API client that recorded it.</param>
/// <param name="FormContentHash">The content hash of the form version answered: proof of the exact text.</param>
/// <param name="SupersededAt16">True for a guardian's decision once the pupil has turned 16: kept as the record of what the
/// guardians decided before the 16th birthday, it no longer counts (from that day the pupil decides).</param>
/// <param name="ProofFiles">In the consent history: the proof files (scanned forms, letters) of the decision's receipt, oldest
/// first, empty when there are none. Null in other answers.</param>
public sealed record DecisionResponse(
    Guid Id,
    Guid BatchId,
    MediaType MediaType,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    ConsentOutcome Outcome,
    DecidedBy DecidedBy,
    Guid? GuardianId,
    DecisionMethod Method,
    DateTimeOffset GivenAt,
    DateTimeOffset RecordedAt,
    Guid? RecordedByClientId,
    Guid FormVersionId,
    [property: MaxLength(FieldLengths.ContentHash)] string FormContentHash,
    [property: MaxLength(FieldLengths.ProofReference)] string? ProofReference,
    [property: MaxLength(FieldLengths.Note)] string? Note,
    bool SupersededAt16,
    [property: MaxLength(DecisionResponse.MaxProofFiles)] IReadOnlyList<ProofFileResponse>? ProofFiles = null)
{
    /// <summary>A receipt's proof files listed with each of its decisions; more is not a scan of one form.</summary>
    public const int MaxProofFiles = 100;
}

/// <summary>The effective consent of one item.</summary>
/// <param name="State">Only `granted` allows publication.</param>
/// <param name="Reason">Why the item has its state: a <c>ConsentReason</c>.</param>
/// <param name="Allowed">True exactly when the state is `granted`.</param>
/// <param name="Decisions">The decisions the state rests on (each person's latest that counts); from the pupil's 16th
/// birthday also the guardians' latest decisions, marked `supersededAt16`, which no longer count.</param>
public sealed record ConsentItemState(
    MediaType MediaType,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    ConsentState State,
    [property: MaxLength(FieldLengths.Reason), OneOf(typeof(ConsentReason))] string Reason,
    bool Allowed,
    [property: MaxLength(20)] IReadOnlyList<DecisionResponse> Decisions);

/// <summary>A pupil's consent per media type and channel at a moment.</summary>
/// <param name="At">The moment the answer is about.</param>
/// <param name="AsKnownAt">What the record knew: decisions recorded after this moment are left out.</param>
public sealed record ConsentMatrixResponse(
    Guid PupilId,
    DateTimeOffset At,
    DateTimeOffset AsKnownAt,
    [property: MaxLength(1000)] IReadOnlyList<ConsentItemState> Items);

/// <summary>May these pupils appear in this media type on this channel?</summary>
/// <param name="PupilIds">The pupils shown, 1 to 200.</param>
/// <param name="Channel">The channel's key, e.g. `social-media`.</param>
/// <param name="At">The moment to check; defaults to now. A past moment proves whether an earlier publication was allowed.</param>
/// <param name="AsKnownAt">What the record knew; defaults to now. With `at`, the answer as it was known then: decisions recorded
/// later (a paper form keyed in afterwards) are left out.</param>
/// <param name="Answer">`all-or-nothing` (default): is every pupil allowed? `per-pupil-blur`: for a photo as a whole, which
/// pupils may be shown recognisably (`allowed`) and which must be blurred (`blur`).</param>
public sealed record CheckPublicationRequest(
    [property: Required, MinLength(1), MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<Guid> PupilIds,
    [property: Required] MediaType? MediaType,
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2)] string Channel,
    DateTimeOffset? At,
    DateTimeOffset? AsKnownAt = null,
    CheckAnswer? Answer = null)
{
    public const int MaxPupils = 200;
}

/// <summary>What a publication check answers.</summary>
public enum CheckAnswer
{
    /// <summary>Whether every pupil may be shown: `allowed` overall is true only if each pupil's consent is `granted`.</summary>
    AllOrNothing,

    /// <summary>
    /// For a photo as a whole: per pupil `allowed`, or `blur` when they may be shown only unrecognisable; `allowed` overall
    /// is true when every pupil is allowed or blurred.
    /// </summary>
    PerPupilBlur,
}

/// <summary>How a pupil may appear, in a check asked with `answer: per-pupil-blur`.</summary>
public enum PupilAnswer
{
    /// <summary>May be shown recognisably: consent is `granted`.</summary>
    Allowed,

    /// <summary>Consent does not allow it: show the pupil only unrecognisable (blurred, from behind), or not at all.</summary>
    Blur,
}

/// <summary>The answer to a publication check.</summary>
/// <param name="Allowed">True only if every pupil's consent is `granted`; with `answer: per-pupil-blur`, true when every
/// pupil is either allowed or to be blurred.</param>
/// <param name="AsKnownAt">What the record knew: decisions recorded after this moment are left out.</param>
public sealed record PublicationCheckResponse(
    bool Allowed,
    DateTimeOffset At,
    DateTimeOffset AsKnownAt,
    MediaType MediaType,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<PupilCheckResult> Pupils);

/// <summary>One pupil's part of a publication check.</summary>
/// <param name="Answer">Only with `answer: per-pupil-blur`: `allowed`, or `blur` when consent does not allow the pupil to be
/// recognisable; absent otherwise, so that the default answer keeps its shape.</param>
public sealed record PupilCheckResult(
    Guid PupilId,
    ConsentState State,
    [property: MaxLength(FieldLengths.Reason), OneOf(typeof(ConsentReason))] string Reason,
    bool Allowed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PupilAnswer? Answer = null);
