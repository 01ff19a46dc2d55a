using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using Riok.Mapperly.Abstractions;

namespace ConsentApi.Features.Guardians;

/// <summary>A parent or carer.</summary>
/// <param name="ExternalId">The admin system's id for the guardian, unique within the organisation.</param>
public sealed record GuardianResponse(Guid Id, string ExternalId, string DisplayName);

/// <summary>A guardian with the pupils linked to them (those of the schools the caller may see).</summary>
public sealed record GuardianDetailResponse(Guid Id, string ExternalId, string DisplayName, IReadOnlyList<GuardianPupilResponse> Pupils);

/// <summary>A pupil linked to a guardian.</summary>
public sealed record GuardianPupilResponse(Guid PupilId, Guid SchoolId, string DisplayName, bool HasParentalAuthority);

/// <summary>A guardian as the admin system knows them.</summary>
/// <param name="ExternalId">The admin system's id for the guardian, unique within the organisation.</param>
/// <param name="DisplayName">e.g. "Marieke de Vries".</param>
public sealed record GuardianRequest(
    [property: Required, StringLength(64, MinimumLength = 1)] string ExternalId,
    [property: Required, StringLength(200, MinimumLength = 1)] string DisplayName);

[Mapper]
public static partial class GuardianMapper
{
    [MapperIgnoreSource(nameof(Guardian.OrganisationId))]
    public static partial GuardianResponse ToResponse(this Guardian guardian);

    public static partial IQueryable<GuardianResponse> ProjectToResponse(this IQueryable<Guardian> guardians);
}
