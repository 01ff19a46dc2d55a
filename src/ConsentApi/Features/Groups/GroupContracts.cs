using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Errors;
using Riok.Mapperly.Abstractions;

namespace ConsentApi.Features.Groups;

/// <summary>A class of a school in one school year.</summary>
public sealed record GroupResponse(
    Guid Id,
    Guid SchoolId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.GroupName)] string Name,
    [property: MaxLength(FieldLengths.SchoolYear)] string SchoolYear);

/// <summary>A class as the admin system knows it.</summary>
/// <param name="ExternalId">The admin system's id for the group, unique within the school.</param>
/// <param name="Name">e.g. "Groep 5b".</param>
/// <param name="SchoolYear">"2026-2027": a start year and the next.</param>
public sealed record GroupRequest(
    [property: Required, StringLength(FieldLengths.ExternalId, MinimumLength = 1)] string ExternalId,
    [property: Required, StringLength(FieldLengths.GroupName, MinimumLength = 1)] string Name,
    [property: Required, StringLength(FieldLengths.SchoolYear, MinimumLength = 9), RegularExpression(SchoolYears.Pattern)] string SchoolYear)
{
    public void EnsureValidSchoolYear(string field = "schoolYear")
    {
        if (!SchoolYears.IsValid(SchoolYear))
        {
            throw new RequestValidationException(field, "A school year is two consecutive years, e.g. \"2026-2027\".");
        }
    }
}

[Mapper]
public static partial class GroupMapper
{
    public static partial GroupResponse ToResponse(this Group group);

    public static partial IQueryable<GroupResponse> ProjectToResponse(this IQueryable<Group> groups);
}
