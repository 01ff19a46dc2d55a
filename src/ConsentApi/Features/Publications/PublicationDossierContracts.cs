using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Contract;

namespace ConsentApi.Features.Publications;

/// <summary>
/// For one publication, the proof an inquiry of the Autoriteit Persoonsgegevens asks for (GDPR art. 5(2), 7(1)): what was
/// published where and when, who is shown and whether recognisably, the check the registration relied on as it was stored
/// then, the same check as the record stands now, the decisions each pupil's state rested on with the hash of the form
/// text answered, withdrawals given after publication and the takedowns they opened, with who completed them and how.
/// </summary>
/// <param name="GeneratedAt">When this dossier was put together: the `asKnownAt` of `asKnownNow`.</param>
/// <param name="TimeZone">The organisation's time zone (IANA), in which the printed forms give days and times.</param>
/// <param name="Channel">The channel as it stood at `publishedAt`: its audience and recall then, from its history.</param>
/// <param name="Pupils">Every pupil shown, by name.</param>
/// <param name="CheckReliedOn">The check stored at registration and never changed (consent at `publishedAt` as the record
/// stood then): the proof. Null for a publication registered before checks were kept.</param>
/// <param name="AsKnownNow">The same check, at `publishedAt`, as the record stands now, with each difference flagged.</param>
/// <param name="Decisions">Per pupil shown, the decisions the state at `publishedAt` rested on.</param>
/// <param name="LaterWithdrawals">Refusals of the publication's item given after `publishedAt` for a pupil shown, in the
/// order they were given: consent that ended after publication. At most 1000, the latest left out beyond that.</param>
/// <param name="Takedowns">The publication's takedowns, oldest first.</param>
public sealed record PublicationDossier(
    Guid PublicationId,
    DateTimeOffset GeneratedAt,
    [property: MaxLength(FieldLengths.TimeZone)] string TimeZone,
    DossierPublication Publication,
    DossierChannel Channel,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<DossierPupil> Pupils,
    StoredPublicationCheck? CheckReliedOn,
    DossierRecheck AsKnownNow,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<DossierPupilDecisions> Decisions,
    [property: MaxLength(PublicationDossier.MaxLaterWithdrawals)] IReadOnlyList<DossierDecision> LaterWithdrawals,
    [property: MaxLength(PublicationDossier.MaxTakedowns)] IReadOnlyList<DossierTakedown> Takedowns)
{
    public const int MaxLaterWithdrawals = 1000;
    public const int MaxTakedowns = 100;
}

/// <summary>What was published, where and when, and who registered it.</summary>
/// <param name="Title">What it is, as registered.</param>
/// <param name="Url">Where it is online, if it has an address.</param>
/// <param name="Location">Where it is otherwise, e.g. "Schoolgids 2026-2027, p. 12".</param>
/// <param name="PublishedAt">When it went online: the moment consent was checked for.</param>
/// <param name="RegisteredAt">When it was registered: what the record knew then is what the stored check relied on.</param>
/// <param name="RegisteredByClientId">The API client that registered it.</param>
/// <param name="RegisteredByClientName">That client's name.</param>
/// <param name="PublishedWithoutCheck">Registered although the check did not allow it (kept for the record).</param>
/// <param name="Status">`online`, or `removed` once taken down or withdrawn from the register.</param>
/// <param name="RemovalNote">How it was removed, as recorded.</param>
public sealed record DossierPublication(
    Guid Id,
    Guid SchoolId,
    [property: MaxLength(FieldLengths.Name)] string SchoolName,
    [property: MaxLength(FieldLengths.Name)] string Title,
    [property: MaxLength(FieldLengths.Url)] string? Url,
    [property: MaxLength(FieldLengths.Location)] string? Location,
    MediaType MediaType,
    DateTimeOffset PublishedAt,
    DateTimeOffset RegisteredAt,
    Guid? RegisteredByClientId,
    [property: MaxLength(FieldLengths.ClientName)] string? RegisteredByClientName,
    bool PublishedWithoutCheck,
    PublicationStatus Status,
    DateTimeOffset? RemovedAt,
    [property: MaxLength(FieldLengths.Note)] string? RemovalNote);

/// <summary>The channel published on, as it stood at the moment of publication (channels have a history).</summary>
/// <param name="Key">The channel's key, e.g. `website`.</param>
/// <param name="NameNl">Its Dutch name (names are not history: the current one).</param>
/// <param name="NameEn">Its English name, if it has one.</param>
/// <param name="Audience">`public` or `closed` at the moment of publication.</param>
/// <param name="Recall">`removable`, or `not-recallable` (printed matter) at the moment of publication.</param>
/// <param name="Retired">Whether it was retired at the moment of publication.</param>
public sealed record DossierChannel(
    [property: MaxLength(FieldLengths.ChannelKey)] string Key,
    [property: MaxLength(FieldLengths.ChannelName)] string NameNl,
    [property: MaxLength(FieldLengths.ChannelName)] string? NameEn,
    ChannelAudience Audience,
    ChannelRecall Recall,
    bool Retired);

/// <summary>A pupil shown in the publication.</summary>
/// <param name="ExternalId">The id the school's admin system gives the pupil.</param>
/// <param name="GroupId">The pupil's group at the moment of publication; null when in none.</param>
/// <param name="GroupName">That group's name, e.g. "Groep 5b".</param>
/// <param name="Recognisable">False when shown unrecognisable (blurred, from behind): then no consent was needed.</param>
/// <param name="DeclaredByClientId">For a pupil shown unrecognisable: the API client that declared it.</param>
/// <param name="DeclaredByClientName">That client's name.</param>
/// <param name="DeclaredBy">The person the client named as declaring it, if any.</param>
public sealed record DossierPupil(
    Guid PupilId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    Guid? GroupId,
    [property: MaxLength(FieldLengths.GroupName)] string? GroupName,
    bool Recognisable,
    Guid? DeclaredByClientId,
    [property: MaxLength(FieldLengths.ClientName)] string? DeclaredByClientName,
    [property: MaxLength(FieldLengths.Name)] string? DeclaredBy);

/// <summary>
/// The check the registration relied on, asked again for the same moment (`at`, the publication's `publishedAt`) as the
/// record stands now (`asKnownAt`). A decision recorded later but given before publication (a paper form keyed in late)
/// changes it; the stored check never changes.
/// </summary>
/// <param name="Allowed">Whether, as known now, every recognisable pupil's consent allowed the publication.</param>
/// <param name="DiffersFromCheckReliedOn">True when any pupil's state, reason or allowed differs from the stored check.</param>
public sealed record DossierRecheck(
    DateTimeOffset At,
    DateTimeOffset AsKnownAt,
    bool Allowed,
    bool DiffersFromCheckReliedOn,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<DossierRecheckPupil> Pupils);

/// <summary>One pupil's consent at the moment of publication as known now.</summary>
/// <param name="Reason">Why the item has its state: a <c>ConsentReason</c>.</param>
/// <param name="Allowed">True exactly when the state is `granted`.</param>
/// <param name="DiffersFromCheckReliedOn">True when the state, reason or allowed differs from the stored check's for this
/// pupil (or the stored check has no entry for them).</param>
public sealed record DossierRecheckPupil(
    Guid PupilId,
    ConsentState State,
    [property: MaxLength(FieldLengths.Reason), OneOf(typeof(ConsentReason))] string Reason,
    bool Allowed,
    bool DiffersFromCheckReliedOn);

/// <summary>The decisions one pupil's consent at the moment of publication rested on.</summary>
/// <param name="Decisions">Each person's latest decision on the publication's item that counted at `publishedAt`, as the
/// record stood at registration (`countedAsKnownThen`) or as it stands now (`countedAsKnownNow`), in recording order.</param>
public sealed record DossierPupilDecisions(
    Guid PupilId,
    [property: MaxLength(DossierPupilDecisions.MaxDecisions)] IReadOnlyList<DossierDecision> Decisions)
{
    public const int MaxDecisions = 100;
}

/// <summary>One recorded decision with everything that proves it.</summary>
/// <param name="ReceiptId">The batch of decisions it was recorded in; also its receipt's id.</param>
/// <param name="DecidedBy">`guardian`, or `pupil` (from 16).</param>
/// <param name="GuardianId">The deciding guardian; null when the pupil decided.</param>
/// <param name="GuardianExternalId">The guardian's id in the school's admin system.</param>
/// <param name="GuardianName">The guardian's name.</param>
/// <param name="RecordedByClientId">The API client that recorded it.</param>
/// <param name="FormVersionNumber">The number of the form version answered, within its form.</param>
/// <param name="FormContentHash">The content hash of that form version: proof of the exact text agreed to or refused.</param>
/// <param name="ProofReference">The reference to the paper or e-mail kept elsewhere, if any.</param>
/// <param name="ProofFiles">The scanned forms and letters kept with the decision's receipt, each with its SHA-256.</param>
/// <param name="CountedAsKnownThen">Whether the stored check counted it: the person's latest decision at `publishedAt` as the
/// record stood at registration. False in `laterWithdrawals`.</param>
/// <param name="CountedAsKnownNow">Whether it counts for `publishedAt` as the record stands now. False in `laterWithdrawals`.</param>
/// <param name="SupersededAt16">A guardian's decision while the pupil was 16 or older at `publishedAt`: kept, but the pupil decides.</param>
public sealed record DossierDecision(
    Guid Id,
    Guid PupilId,
    Guid ReceiptId,
    DecidedBy DecidedBy,
    Guid? GuardianId,
    [property: MaxLength(FieldLengths.ExternalId)] string? GuardianExternalId,
    [property: MaxLength(FieldLengths.Name)] string? GuardianName,
    ConsentOutcome Outcome,
    DecisionMethod Method,
    DateTimeOffset GivenAt,
    DateTimeOffset RecordedAt,
    Guid? RecordedByClientId,
    Guid FormVersionId,
    [property: Range(1, int.MaxValue)] int FormVersionNumber,
    [property: MaxLength(FieldLengths.ContentHash)] string FormContentHash,
    [property: MaxLength(FieldLengths.ProofReference)] string? ProofReference,
    [property: MaxLength(DecisionResponse.MaxProofFiles)] IReadOnlyList<ProofFileResponse> ProofFiles,
    bool CountedAsKnownThen,
    bool CountedAsKnownNow,
    bool SupersededAt16);

/// <summary>A takedown of the publication: why it opened, and who completed it and how.</summary>
/// <param name="Kind">`removal`, or `do-not-reprint` for an item on a channel that cannot be recalled.</param>
/// <param name="Status">`open`, `done`, or `acknowledged` (a `do-not-reprint` takedown completed).</param>
/// <param name="Pupils">Why it opened: the pupils whose consent no longer allowed the publication, with the state and reason found.</param>
/// <param name="CompletedBy">The person or system who completed it, as recorded.</param>
/// <param name="CompletedByClientId">The API client through which it was completed.</param>
/// <param name="CompletedByClientName">That client's name.</param>
/// <param name="CompletionNote">How, as recorded, e.g. "Foto verwijderd van website en Facebook".</param>
public sealed record DossierTakedown(
    Guid Id,
    TakedownKind Kind,
    TakedownStatus Status,
    DateTimeOffset OpenedAt,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<DossierTakedownPupil> Pupils,
    DateTimeOffset? CompletedAt,
    [property: MaxLength(FieldLengths.Name)] string? CompletedBy,
    Guid? CompletedByClientId,
    [property: MaxLength(FieldLengths.ClientName)] string? CompletedByClientName,
    [property: MaxLength(FieldLengths.Note)] string? CompletionNote);

/// <summary>A pupil whose consent no longer allowed the publication, as the takedown found it.</summary>
/// <param name="Reason">Why: a <c>ConsentReason</c>.</param>
/// <param name="AddedAt">When the pupil was added to the takedown.</param>
public sealed record DossierTakedownPupil(
    Guid PupilId,
    ConsentState State,
    [property: MaxLength(FieldLengths.Reason), OneOf(typeof(ConsentReason))] string Reason,
    DateTimeOffset AddedAt);
