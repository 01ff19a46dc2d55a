using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Errors;
using Riok.Mapperly.Abstractions;

namespace ConsentApi.Features.Pupils;

/// <summary>A pupil of a school.</summary>
/// <param name="ExternalId">The admin system's id for the pupil, unique within the school.</param>
/// <param name="GroupId">The pupil's current group, if any.</param>
/// <param name="Status">`active`, or `left` once the pupil left the school. Pupils are never deleted: their consent history is proof.</param>
/// <param name="LeftOn">The day the pupil left; set exactly when the status is `left`.</param>
/// <param name="ErasedAt">When the pupil's personal data was erased (on request or after the retention period); the name
/// and external id are placeholders from then on. Absent while the data is kept.</param>
public sealed record PupilResponse(
    Guid Id,
    Guid SchoolId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    DateOnly DateOfBirth,
    Guid? GroupId,
    PupilStatus Status,
    DateOnly? LeftOn,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ErasedAt = null);

/// <summary>A guardian linked to a pupil.</summary>
/// <param name="HasParentalAuthority">Only guardians with parental authority can decide on consent.</param>
public sealed record PupilGuardianResponse(
    Guid GuardianId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    bool HasParentalAuthority);

/// <summary>A pupil as the admin system knows them.</summary>
/// <param name="ExternalId">The admin system's id for the pupil, unique within the school.</param>
/// <param name="DisplayName">The name staff know the pupil by, e.g. "Sanne de Vries".</param>
/// <param name="DateOfBirth">Decides from when the pupil consents for themself (16 years).</param>
/// <param name="GroupId">The pupil's group in this school, if any.</param>
/// <param name="Status">`active` (default) or `left`.</param>
/// <param name="LeftOn">The day the pupil left; only with status `left`, defaults to today.</param>
public sealed record PupilRequest(
    [property: Required, StringLength(FieldLengths.ExternalId, MinimumLength = 1)] string ExternalId,
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 1)] string DisplayName,
    [property: Required] DateOnly? DateOfBirth,
    Guid? GroupId,
    PupilStatus? Status,
    DateOnly? LeftOn);

public static class PupilRules
{
    /// <summary>A pupil has at most this many guardians linked.</summary>
    public const int MaxGuardians = 10;

    /// <summary>Plausible for a pupil: not in the future and not more than 30 years ago.</summary>
    public static void EnsurePlausibleDateOfBirth(DateOnly dateOfBirth, DateOnly today, string field = "dateOfBirth")
    {
        if (dateOfBirth > today)
        {
            throw new RequestValidationException(field, "The date of birth lies in the future.");
        }
        if (dateOfBirth < today.AddYears(-30))
        {
            throw new RequestValidationException(field, "The date of birth lies more than 30 years back.");
        }
    }

    /// <summary>Applies a requested status: leaving sets the left-on day (today unless given); returning clears it.</summary>
    public static void ApplyStatus(Pupil pupil, PupilStatus? status, DateOnly? leftOn, DateOnly today)
    {
        if (status is not PupilStatus.Left && leftOn is not null)
        {
            throw new RequestValidationException("leftOn", "A left-on day goes only with status 'left'.");
        }
        if (leftOn > today)
        {
            throw new RequestValidationException("leftOn", "The left-on day lies in the future.");
        }

        if (status is PupilStatus.Left)
        {
            pupil.Leave(leftOn ?? (pupil.Status == PupilStatus.Left ? pupil.LeftOn!.Value : today));
        }
        else
        {
            pupil.Rejoin();
        }
    }
}

[Mapper]
public static partial class PupilMapper
{
    [MapperIgnoreSource(nameof(Pupil.OrganisationId))]
    [MapperIgnoreSource(nameof(Pupil.Guardians))]
    public static partial PupilResponse ToResponse(this Pupil pupil);

    public static partial IQueryable<PupilResponse> ProjectToResponse(this IQueryable<Pupil> pupils);
}
