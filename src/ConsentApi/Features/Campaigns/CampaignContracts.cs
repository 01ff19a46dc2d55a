using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Contract;

namespace ConsentApi.Features.Campaigns;

/// <summary>A campaign with its progress.</summary>
/// <param name="Status">Where the campaign is in its school year: a <c>CampaignStatus</c>.</param>
public sealed record CampaignResponse(
    Guid Id,
    Guid SchoolId,
    [property: MaxLength(FieldLengths.SchoolYear)] string SchoolYear,
    Guid FormVersionId,
    DateOnly OpensOn,
    DateOnly ClosesOn,
    [property: MaxLength(FieldLengths.Status), OneOf(typeof(CampaignStatus))] string Status,
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
