using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Contract;

namespace ConsentApi.Features.Consents;

/// <summary>
/// Proof of one person's answers, for them to keep. Follows the structure of ISO/IEC TS 27560 consent records: who
/// is responsible (controller), whom it concerns (subject), who decided, which notice (form version, content hash,
/// language), which purposes with which outcome, how and when, and how to withdraw.
/// </summary>
/// <param name="ReceiptId">The id of the batch of decisions it records.</param>
/// <param name="SchemaVersion">The receipt format.</param>
public sealed record ConsentReceipt(
    Guid ReceiptId,
    [property: MaxLength(40)] string SchemaVersion,
    DateTimeOffset Timestamp,
    ReceiptController Controller,
    ReceiptSubject Subject,
    ReceiptDecider DecidedBy,
    ReceiptNotice Notice,
    [property: MaxLength(RecordDecisionsRequest.MaxItems)] IReadOnlyList<ReceiptPurpose> Purposes,
    DecisionMethod Method,
    DateTimeOffset GivenAt,
    [property: MaxLength(FieldLengths.ProofReference)] string? ProofReference,
    [property: MaxLength(1000)] string WithdrawalInstructions);

/// <summary>The school board responsible for the processing.</summary>
public sealed record ReceiptController(Guid OrganisationId, [property: MaxLength(FieldLengths.Name)] string Name);

/// <summary>The pupil the consent is about.</summary>
public sealed record ReceiptSubject(Guid PupilId, Guid SchoolId);

/// <summary>Who decided: a guardian with parental authority, or the pupil from 16.</summary>
public sealed record ReceiptDecider(DecidedBy Type, Guid? GuardianId);

/// <summary>The text the person answered: its form version, content hash and language.</summary>
public sealed record ReceiptNotice(
    Guid FormId,
    Guid FormVersionId,
    [property: Range(1, 1000)] int Version,
    [property: MaxLength(FieldLengths.ContentHash)] string ContentHash,
    [property: MaxLength(2), OneOf(typeof(FormLanguage))] string Language);

/// <summary>One purpose (media type × channel) and the answer given.</summary>
public sealed record ReceiptPurpose(
    MediaType MediaType,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    [property: MaxLength(FieldLengths.ChannelName)] string ChannelName,
    ConsentOutcome Outcome);
