using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.ApiClients;
using Riok.Mapperly.Abstractions;

namespace ConsentApi.Features.Organisations;

/// <summary>A school board: the tenant that owns schools, pupils, guardians and consent.</summary>
public sealed record OrganisationResponse(
    Guid Id,
    [property: MaxLength(FieldLengths.Name)] string Name,
    DateTimeOffset CreatedAt,
    ConsentPolicyResponse ConsentPolicy);

/// <summary>How the organisation's consent rules are set.</summary>
/// <param name="GrantRequires">`any-guardian`: one guardian with parental authority granting suffices (and none refused); `all-guardians`: every guardian with parental authority must grant.</param>
/// <param name="SchoolYearEndMonth">With the day: the last day of a school year, when school-year consent ends (default 31 July).</param>
/// <param name="TimeZone">The IANA time zone whose local days count: the 16th birthday, the school-year end and "today" (default `Europe/Amsterdam`).</param>
/// <param name="AfterLeaving">`ends` (default): consent holds while the pupil is at the school, so grants end when the pupil leaves and a pupil who returns is asked again; `continues`: grants keep counting after leaving.</param>
public sealed record ConsentPolicyResponse(
    GrantRequires GrantRequires,
    [property: Range(1, 12)] int SchoolYearEndMonth,
    [property: Range(1, 31)] int SchoolYearEndDay,
    [property: MaxLength(FieldLengths.TimeZone)] string TimeZone,
    ConsentAfterLeaving AfterLeaving);

/// <summary>A new organisation and its first admin client, whose key is shown only in this response.</summary>
public sealed record CreatedOrganisationResponse(OrganisationResponse Organisation, CreatedApiClientResponse AdminClient);

[Mapper]
public static partial class OrganisationMapper
{
    [MapPropertyFromSource(nameof(OrganisationResponse.ConsentPolicy))]
    public static partial OrganisationResponse ToResponse(this Organisation organisation);

    [MapperIgnoreSource(nameof(Organisation.Id))]
    [MapperIgnoreSource(nameof(Organisation.Name))]
    [MapperIgnoreSource(nameof(Organisation.CreatedAt))]
    [MapperIgnoreSource(nameof(Organisation.Policy))]
    private static partial ConsentPolicyResponse ToPolicyResponse(Organisation organisation);

    public static partial IQueryable<OrganisationResponse> ProjectToResponse(this IQueryable<Organisation> organisations);
}
