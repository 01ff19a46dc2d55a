using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;

namespace ConsentApi.Features.Guardians;

/// <summary>A parent or carer.</summary>
/// <param name="ExternalId">The admin system's id for the guardian, unique within the organisation.</param>
public sealed record GuardianResponse(
    Guid Id,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName);

/// <summary>A guardian as the admin system knows them.</summary>
/// <param name="ExternalId">The admin system's id for the guardian, unique within the organisation.</param>
/// <param name="DisplayName">e.g. "Marieke de Vries".</param>
public sealed record GuardianRequest(
    [property: Required, StringLength(FieldLengths.ExternalId, MinimumLength = 1)] string ExternalId,
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 1)] string DisplayName);
