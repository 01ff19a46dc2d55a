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
    ConsentPolicyResponse ConsentPolicy,
    RetentionPolicyResponse RetentionPolicy);

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

/// <summary>How long the organisation keeps a pupil's personal data after they leave.</summary>
/// <param name="KeepMonthsAfterLeaving">Months after the local day the pupil left (default 24) after which their personal
/// data is erased; the pseudonymised record of their consent is kept.</param>
public sealed record RetentionPolicyResponse(
    [property: Range(RetentionPolicy.MinKeepMonths, RetentionPolicy.MaxKeepMonths)] int KeepMonthsAfterLeaving);

/// <summary>A new organisation and its first admin client, whose key is shown only in this response.</summary>
public sealed record CreatedOrganisationResponse(OrganisationResponse Organisation, CreatedApiClientResponse AdminClient);

[Mapper]
public static partial class OrganisationMapper
{
    [MapPropertyFromSource(nameof(OrganisationResponse.ConsentPolicy))]
    [MapPropertyFromSource(nameof(OrganisationResponse.RetentionPolicy))]
    public static partial OrganisationResponse ToResponse(this Organisation organisation);

    [MapperIgnoreSource(nameof(Organisation.Id))]
    [MapperIgnoreSource(nameof(Organisation.Name))]
    [MapperIgnoreSource(nameof(Organisation.CreatedAt))]
    [MapperIgnoreSource(nameof(Organisation.Policy))]
    [MapperIgnoreSource(nameof(Organisation.KeepMonthsAfterLeaving))]
    private static partial ConsentPolicyResponse ToPolicyResponse(Organisation organisation);

    [MapperIgnoreSource(nameof(Organisation.Id))]
    [MapperIgnoreSource(nameof(Organisation.Name))]
    [MapperIgnoreSource(nameof(Organisation.CreatedAt))]
    [MapperIgnoreSource(nameof(Organisation.Policy))]
    [MapperIgnoreSource(nameof(Organisation.GrantRequires))]
    [MapperIgnoreSource(nameof(Organisation.SchoolYearEndMonth))]
    [MapperIgnoreSource(nameof(Organisation.SchoolYearEndDay))]
    [MapperIgnoreSource(nameof(Organisation.TimeZone))]
    [MapperIgnoreSource(nameof(Organisation.AfterLeaving))]
    private static partial RetentionPolicyResponse ToRetentionResponse(Organisation organisation);

    public static partial IQueryable<OrganisationResponse> ProjectToResponse(this IQueryable<Organisation> organisations);
}
