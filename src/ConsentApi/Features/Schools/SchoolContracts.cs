using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using Riok.Mapperly.Abstractions;

namespace ConsentApi.Features.Schools;

/// <summary>One school of the organisation.</summary>
/// <param name="BrinCode">The school's BRIN code, with the two-digit location suffix where it has one.</param>
public sealed record SchoolResponse(
    Guid Id,
    [property: MaxLength(FieldLengths.Name)] string Name,
    [property: MaxLength(FieldLengths.BrinCode)] string BrinCode,
    DateTimeOffset CreatedAt);

/// <summary>A school's name and BRIN code.</summary>
/// <param name="Name">The school's name, e.g. "OBS De Regenboog".</param>
/// <param name="BrinCode">Four characters (two digits, two letters), optionally followed by a two-digit location: "12AB" or "12AB01". Unique in the organisation.</param>
public sealed record SchoolRequest(
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 2)] string Name,
    [property: Required, StringLength(FieldLengths.BrinCode, MinimumLength = 4), RegularExpression(SchoolRequest.BrinPattern)] string BrinCode)
{
    public const string BrinPattern = "^[0-9]{2}[A-Z]{2}([0-9]{2})?$";
}

[Mapper]
public static partial class SchoolMapper
{
    [MapperIgnoreSource(nameof(School.OrganisationId))]
    public static partial SchoolResponse ToResponse(this School school);

    public static partial IQueryable<SchoolResponse> ProjectToResponse(this IQueryable<School> schools);
}
