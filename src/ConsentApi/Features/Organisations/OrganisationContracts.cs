using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Features.ApiClients;
using Riok.Mapperly.Abstractions;

namespace ConsentApi.Features.Organisations;

/// <summary>A school board: the tenant that owns schools, pupils, guardians and consent.</summary>
public sealed record OrganisationResponse(Guid Id, [property: MaxLength(FieldLengths.Name)] string Name, DateTimeOffset CreatedAt);

/// <summary>A new organisation and its first admin client, whose key is shown only in this response.</summary>
public sealed record CreatedOrganisationResponse(OrganisationResponse Organisation, CreatedApiClientResponse AdminClient);

[Mapper]
public static partial class OrganisationMapper
{
    public static partial OrganisationResponse ToResponse(this Organisation organisation);

    public static partial IQueryable<OrganisationResponse> ProjectToResponse(this IQueryable<Organisation> organisations);
}
