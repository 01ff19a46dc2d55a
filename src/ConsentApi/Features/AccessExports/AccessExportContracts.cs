using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Audit;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Contract;

namespace ConsentApi.Features.AccessExports;

/// <summary>Whose view of the record an access export is.</summary>
public enum AccessExportView
{
    /// <summary>The school's: everything held about the pupil and every decision for them.</summary>
    School,

    /// <summary>One guardian's: the child's data, their own link, decisions, receipts and proof files; other guardians only as such.</summary>
    Guardian,

    /// <summary>The pupil's own, from their 16th birthday: their data, their own decisions in full, their guardians' decisions in outline.</summary>
    Pupil,
}

/// <summary>
/// Everything held about one pupil, as a GDPR art. 15 access export: the roster data and its history, the guardian links and
/// their history, every decision with the exact form text answered and its hash, the receipts and proof files, the consent
/// per item now, the publications showing the pupil with the check each relied on, the takedowns, the consent requests, the
/// 16th-birthday notices and the audit trail about the pupil. What a guardian's or the pupil's export leaves out is said per member.
/// </summary>
/// <param name="GeneratedAt">When the export was made.</param>
/// <param name="View">Whose view it is: `school`, `guardian` or `pupil`.</param>
/// <param name="TimeZone">The organisation's time zone: its local days decide the 16th birthday and school years.</param>
/// <param name="OrganisationName">The school board responsible for the processing (the controller).</param>
/// <param name="Pupil">The roster data as it stands now.</param>
/// <param name="Enrolments">The enrolment history, oldest first: school status and group from when each held.</param>
/// <param name="BirthDates">The date of birth as recorded and as corrected, oldest first.</param>
/// <param name="Guardians">The guardians linked now. In a guardian's export only that guardian; in the pupil's export without external ids.</param>
/// <param name="OtherGuardians">In a guardian's export: the other guardians linked now, only whether each holds parental authority. Empty otherwise.</param>
/// <param name="GuardianLinkChanges">The history of the links shown in `guardians`, oldest first.</param>
/// <param name="Decisions">Every decision recorded for the pupil, in recording order. A guardian's export holds only their own;
/// the pupil's export holds the guardians' without notes, proof references or the recording client.</param>
/// <param name="FormTexts">The exact text of every form version a listed decision answered, in the language it was answered in, with the version's content hash.</param>
/// <param name="Receipts">The receipts of the listed decisions' batches (a guardian's or the pupil's export: only their own).</param>
/// <param name="ProofFiles">The proof files (scanned forms, letters) kept with those receipts.</param>
/// <param name="Consents">The consent per item now, for every item asked or answered, from the one facts model.</param>
/// <param name="Publications">The registered publications showing the pupil, each with the pupil's part of the check it relied on.</param>
/// <param name="Takedowns">The takedowns opened because consent for the pupil ended, with the pupil's part only.</param>
/// <param name="ConsentRequests">The campaigns that asked for the pupil's consent.</param>
/// <param name="Turning16Notices">The `pupil.turning-16` announcements sent about the pupil.</param>
/// <param name="AuditEvents">The commands carried out on the pupil, their proof files, and the publications and takedowns about them,
/// oldest first. Without client ids in a guardian's or the pupil's export.</param>
public sealed record AccessExport(
    DateTimeOffset GeneratedAt,
    AccessExportView View,
    [property: MaxLength(FieldLengths.TimeZone)] string TimeZone,
    [property: MaxLength(FieldLengths.Name)] string OrganisationName,
    ExportPupil Pupil,
    [property: MaxLength(AccessExport.MaxHistory)] IReadOnlyList<ExportEnrolment> Enrolments,
    [property: MaxLength(AccessExport.MaxHistory)] IReadOnlyList<ExportBirthDate> BirthDates,
    [property: MaxLength(AccessExport.MaxHistory)] IReadOnlyList<ExportGuardian> Guardians,
    [property: MaxLength(AccessExport.MaxHistory)] IReadOnlyList<ExportOtherGuardian> OtherGuardians,
    [property: MaxLength(AccessExport.MaxHistory)] IReadOnlyList<ExportLinkChange> GuardianLinkChanges,
    [property: MaxLength(AccessExport.MaxRecords)] IReadOnlyList<ExportDecision> Decisions,
    [property: MaxLength(AccessExport.MaxHistory)] IReadOnlyList<ExportFormText> FormTexts,
    [property: MaxLength(AccessExport.MaxRecords)] IReadOnlyList<ConsentReceipt> Receipts,
    [property: MaxLength(AccessExport.MaxRecords)] IReadOnlyList<ExportProofFile> ProofFiles,
    [property: MaxLength(1000)] IReadOnlyList<ConsentItemState> Consents,
    [property: MaxLength(AccessExport.MaxRecords)] IReadOnlyList<ExportPublication> Publications,
    [property: MaxLength(AccessExport.MaxRecords)] IReadOnlyList<ExportTakedown> Takedowns,
    [property: MaxLength(AccessExport.MaxHistory)] IReadOnlyList<ExportConsentRequest> ConsentRequests,
    [property: MaxLength(AccessExport.MaxHistory)] IReadOnlyList<ExportTurning16Notice> Turning16Notices,
    [property: MaxLength(AccessExport.MaxRecords)] IReadOnlyList<AuditEventResponse> AuditEvents)
{
    /// <summary>Histories of one pupil (enrolments, links, forms answered) stay short; decisions grow by about ten per person and item a decade.</summary>
    public const int MaxHistory = 1000;

    public const int MaxRecords = 100_000;
}

/// <summary>The pupil as the roster holds them now.</summary>
/// <param name="ExternalId">The admin system's id for the pupil.</param>
/// <param name="SchoolName">The school's name.</param>
/// <param name="GroupName">The current group's name, if the pupil is in one.</param>
/// <param name="Status">`active`, or `left` once the pupil left the school.</param>
/// <param name="LeftOn">The day the pupil left, when `left`.</param>
/// <param name="SixteenthBirthday">From this local day the pupil decides on their own consent.</param>
/// <param name="ErasedAt">When the pupil's personal data was erased (on request or after the retention period): the name and
/// external id are placeholders from then on, and only the pseudonymised record of consent remains.</param>
public sealed record ExportPupil(
    Guid Id,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    DateOnly DateOfBirth,
    Guid SchoolId,
    [property: MaxLength(FieldLengths.Name)] string SchoolName,
    Guid? GroupId,
    [property: MaxLength(FieldLengths.GroupName)] string? GroupName,
    PupilStatus Status,
    DateOnly? LeftOn,
    DateOnly SixteenthBirthday,
    DateTimeOffset? ErasedAt);

/// <summary>One step of the enrolment history.</summary>
/// <param name="ValidFrom">From when it held; null for the first record, which holds from the start.</param>
/// <param name="RecordedAt">When the record learnt it; null for the first record.</param>
/// <param name="Status">`active` or `left`.</param>
/// <param name="GroupName">The group's name, if the pupil was in one.</param>
public sealed record ExportEnrolment(
    DateTimeOffset? ValidFrom,
    DateTimeOffset? RecordedAt,
    PupilStatus Status,
    Guid? GroupId,
    [property: MaxLength(FieldLengths.GroupName)] string? GroupName);

/// <summary>A date of birth as recorded: a correction holds from the start, as known from when it was recorded.</summary>
/// <param name="RecordedAt">When it was recorded; null for the first record.</param>
public sealed record ExportBirthDate(DateTimeOffset? RecordedAt, DateOnly DateOfBirth);

/// <summary>A guardian linked to the pupil.</summary>
/// <param name="ExternalId">The admin system's id for the guardian; null in the pupil's export.</param>
/// <param name="HasParentalAuthority">Only guardians with parental authority decide on consent (until the pupil is 16).</param>
public sealed record ExportGuardian(
    Guid GuardianId,
    [property: MaxLength(FieldLengths.ExternalId)] string? ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    bool HasParentalAuthority);

/// <summary>Another guardian of the child, as a guardian's export shows them: no name, no id.</summary>
/// <param name="HasParentalAuthority">Whether they hold parental authority.</param>
public sealed record ExportOtherGuardian(bool HasParentalAuthority);

/// <summary>One change of a guardian's link to the pupil.</summary>
/// <param name="ValidFrom">From when it held; null when it held from the start (set up before any consent was recorded).</param>
/// <param name="RecordedAt">When the record learnt it; null for links on record before histories were kept.</param>
/// <param name="Linked">False when the guardian was unlinked.</param>
/// <param name="HasParentalAuthority">Whether the guardian held parental authority from then (false when unlinked).</param>
public sealed record ExportLinkChange(Guid GuardianId, DateTimeOffset? ValidFrom, DateTimeOffset? RecordedAt, bool Linked, bool HasParentalAuthority);

/// <summary>One recorded decision, with everything that proves it.</summary>
/// <param name="Sequence">The recording order.</param>
/// <param name="BatchId">The batch of decisions recorded together; also its receipt's id.</param>
/// <param name="GuardianId">The deciding guardian; null when the pupil decided.</param>
/// <param name="Method">How the answer reached the school.</param>
/// <param name="GivenAt">When the person gave the answer.</param>
/// <param name="RecordedAt">When it was recorded.</param>
/// <param name="RecordedByClientId">The API client that recorded it; null in a guardian's or the pupil's export.</param>
/// <param name="ProofReference">Where the proof is kept; in the pupil's export only for the pupil's own decisions.</param>
/// <param name="Note">A remark for the record; in the pupil's export only for the pupil's own decisions.</param>
/// <param name="Language">The language of the form text answered (`nl` or `en`): see `formTexts`.</param>
/// <param name="FormNumber">The form version's number within its form.</param>
/// <param name="FormContentHash">The form version's content hash: proof of the exact text.</param>
/// <param name="SupersededAt16">A guardian's decision once the pupil is 16: history, which no longer counts.</param>
public sealed record ExportDecision(
    Guid Id,
    long Sequence,
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
    [property: MaxLength(FieldLengths.ProofReference)] string? ProofReference,
    [property: MaxLength(FieldLengths.Note)] string? Note,
    [property: MaxLength(2), OneOf(typeof(FormLanguage))] string Language,
    Guid FormId,
    Guid FormVersionId,
    [property: Range(1, 1000)] int FormNumber,
    [property: MaxLength(FieldLengths.ContentHash)] string FormContentHash,
    bool SupersededAt16);

/// <summary>The exact text of a form version in one language, as the person read it.</summary>
/// <param name="Number">The version's number within its form.</param>
/// <param name="FormName">The form's name.</param>
/// <param name="Language">`nl` or `en`.</param>
/// <param name="ContentHash">The version's content hash (over its texts, items and validity).</param>
/// <param name="Text">The text, exactly as published.</param>
public sealed record ExportFormText(
    Guid FormId,
    Guid FormVersionId,
    [property: Range(1, 1000)] int Number,
    [property: MaxLength(FieldLengths.Name)] string FormName,
    [property: MaxLength(2), OneOf(typeof(FormLanguage))] string Language,
    [property: MaxLength(FieldLengths.ContentHash)] string ContentHash,
    [property: MaxLength(FieldLengths.FormText)] string Text);

/// <summary>A proof file kept with a receipt.</summary>
/// <param name="ContentType">What the content is: `application/pdf`, `image/jpeg` or `image/png`.</param>
/// <param name="Sha256">The SHA-256 of the bytes stored.</param>
/// <param name="FileName">The name it downloads under.</param>
/// <param name="DownloadPath">Where the school downloads it: `GET /v1/receipts/{receiptId}/proof-files/{proofFileId}`; null in a
/// guardian's or the pupil's export (the school hands out a copy on request), and once the content is erased.</param>
/// <param name="ErasedAt">When the content was erased with the pupil's personal data; the hash, size and type remain.</param>
public sealed record ExportProofFile(
    Guid Id,
    Guid ReceiptId,
    [property: MaxLength(FieldLengths.MediaTypeName)] string ContentType,
    [property: Range(1, long.MaxValue)] long Size,
    [property: MaxLength(FieldLengths.ContentHash)] string Sha256,
    [property: MaxLength(FieldLengths.FileName)] string FileName,
    DateTimeOffset UploadedAt,
    [property: MaxLength(300)] string? DownloadPath,
    DateTimeOffset? ErasedAt);

/// <summary>A publication showing the pupil, with the pupil's part of the check it relied on.</summary>
/// <param name="Status">`online`, or `removed`.</param>
/// <param name="RemovalNote">How it was removed, as the school recorded it.</param>
/// <param name="Recognisable">False when the pupil is shown unrecognisable (blurred, from behind): no consent was needed.</param>
/// <param name="Check">The pupil's part of the stored check the registration relied on; null for publications registered before checks were kept.</param>
public sealed record ExportPublication(
    Guid Id,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    MediaType MediaType,
    [property: MaxLength(FieldLengths.Name)] string Title,
    [property: MaxLength(FieldLengths.Url)] string? Url,
    [property: MaxLength(FieldLengths.Location)] string? Location,
    DateTimeOffset PublishedAt,
    DateTimeOffset RegisteredAt,
    bool PublishedWithoutCheck,
    PublicationStatus Status,
    DateTimeOffset? RemovedAt,
    [property: MaxLength(FieldLengths.Note)] string? RemovalNote,
    bool Recognisable,
    ExportPublicationCheck? Check);

/// <summary>The pupil's entry in the stored check a publication relied on (consent at `at` as known at `asKnownAt`).</summary>
/// <param name="At">The moment consent was checked for: when the item was published.</param>
/// <param name="AsKnownAt">What the record knew: the moment of registration.</param>
/// <param name="State">The pupil's consent state then.</param>
/// <param name="Reason">Why.</param>
/// <param name="Allowed">Whether the pupil's consent allowed the publication.</param>
/// <param name="Recognisable">False when declared shown unrecognisable: then consent was not needed.</param>
/// <param name="DeclaredBy">Who declared pupils unrecognisable, as the client named them.</param>
public sealed record ExportPublicationCheck(
    Guid CheckId,
    DateTimeOffset At,
    DateTimeOffset AsKnownAt,
    ConsentState State,
    [property: MaxLength(FieldLengths.Reason), OneOf(typeof(ConsentReason))] string Reason,
    bool Allowed,
    bool Recognisable,
    [property: MaxLength(FieldLengths.Name)] string? DeclaredBy);

/// <summary>A takedown opened because consent for the pupil no longer allowed a publication; the pupil's part only.</summary>
/// <param name="Status">`open`, `done`, or `acknowledged` (a `do-not-reprint` takedown).</param>
/// <param name="Kind">`removal`, or `do-not-reprint` for an item that cannot be recalled.</param>
/// <param name="CompletedBy">Who took the item down, as recorded.</param>
/// <param name="CompletionNote">How it was taken down, as recorded.</param>
/// <param name="State">The pupil's consent state when they were added.</param>
/// <param name="Reason">Why.</param>
/// <param name="AddedAt">When the pupil was added to the takedown.</param>
public sealed record ExportTakedown(
    Guid Id,
    Guid PublicationId,
    TakedownStatus Status,
    TakedownKind Kind,
    DateTimeOffset OpenedAt,
    DateTimeOffset? CompletedAt,
    [property: MaxLength(FieldLengths.Name)] string? CompletedBy,
    [property: MaxLength(FieldLengths.Note)] string? CompletionNote,
    ConsentState State,
    [property: MaxLength(FieldLengths.Reason), OneOf(typeof(ConsentReason))] string Reason,
    DateTimeOffset AddedAt);

/// <summary>A campaign's request for the pupil's consent.</summary>
/// <param name="SchoolYear">The campaign's school year.</param>
/// <param name="FormVersionId">The form version asked.</param>
/// <param name="ClosedAt">When the campaign was closed early, if it was.</param>
/// <param name="RequestedAt">When the pupil was added to the campaign.</param>
public sealed record ExportConsentRequest(
    Guid CampaignId,
    [property: MaxLength(FieldLengths.SchoolYear)] string SchoolYear,
    Guid FormVersionId,
    DateOnly OpensOn,
    DateOnly ClosesOn,
    DateTimeOffset? ClosedAt,
    DateTimeOffset RequestedAt);

/// <summary>A `pupil.turning-16` announcement sent about the pupil.</summary>
/// <param name="Occasion">`upcoming` (some days before) or `birthday` (on the day).</param>
/// <param name="Birthday">The 16th birthday announced.</param>
public sealed record ExportTurning16Notice(Turning16Occasion Occasion, DateOnly Birthday, DateTimeOffset SentAt);
