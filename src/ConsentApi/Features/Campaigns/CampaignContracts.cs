using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;

namespace ConsentApi.Features.Campaigns;

/// <summary>A new consent campaign of a school.</summary>
/// <param name="SchoolYear">The school year asked for, e.g. "2026-2027".</param>
/// <param name="FormVersionId">The published form version every family is asked to answer.</param>
/// <param name="OpensOn">The first day of the campaign.</param>
/// <param name="ClosesOn">The last day; pupils who join the school until then are asked too.</param>
public sealed record CreateCampaignRequest(
    [property: Required, StringLength(FieldLengths.SchoolYear, MinimumLength = 9), RegularExpression(SchoolYears.Pattern)] string SchoolYear,
    [property: Required] Guid? FormVersionId,
    [property: Required] DateOnly? OpensOn,
    [property: Required] DateOnly? ClosesOn);

/// <summary>A campaign with its progress.</summary>
/// <param name="Status">`open` (asking), `scheduled` (not yet open) or `closed` (past its last day, or closed early).</param>
public sealed record CampaignResponse(
    Guid Id,
    Guid SchoolId,
    [property: MaxLength(FieldLengths.SchoolYear)] string SchoolYear,
    Guid FormVersionId,
    DateOnly OpensOn,
    DateOnly ClosesOn,
    [property: MaxLength(FieldLengths.Status)] string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ClosedAt,
    CampaignProgress Progress,
    [property: MaxLength(500)] IReadOnlyList<GroupProgress> Groups);

/// <summary>
/// How far the answers are: a pupil's request is answered fully when every item of the form has an answer by whoever
/// decides: a guardian with parental authority (every one of them under the organisation policy `all-guardians`), or the
/// pupil from 16.
/// </summary>
public sealed record CampaignProgress(
    [property: Range(0, int.MaxValue)] int Requested,
    [property: Range(0, int.MaxValue)] int AnsweredFully,
    [property: Range(0, int.MaxValue)] int AnsweredPartly,
    [property: Range(0, int.MaxValue)] int NotAnswered);

/// <summary>The progress of one group (pupils without a group are counted under a null group).</summary>
public sealed record GroupProgress(Guid? GroupId, [property: MaxLength(FieldLengths.GroupName)] string? GroupName, CampaignProgress Progress);

/// <summary>A pupil whose request is not fully answered, and whom to remind.</summary>
/// <param name="Answered">How many of the form's items have an answer (under `all-guardians`: from every guardian with parental authority).</param>
/// <param name="Remind">Who still has to answer: the guardians with parental authority (under `all-guardians` only those who have not answered every item), or the pupil themself from 16.</param>
public sealed record NonResponder(
    Guid PupilId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    Guid? GroupId,
    [property: Range(0, 60)] int Answered,
    [property: Range(1, 60)] int Items,
    [property: MaxLength(10)] IReadOnlyList<ReminderTarget> Remind);

/// <summary>Someone to remind: a guardian (with the admin system's id) or the pupil.</summary>
public sealed record ReminderTarget(
    [property: MaxLength(FieldLengths.Status)] string Type,
    Guid? GuardianId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId);

/// <summary>The pupils of a campaign whose requests are not fully answered.</summary>
public sealed record NonResponderList(Guid CampaignId, [property: MaxLength(20_000)] IReadOnlyList<NonResponder> Pupils);
