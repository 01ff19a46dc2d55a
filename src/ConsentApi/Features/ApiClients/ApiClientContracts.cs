using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using Riok.Mapperly.Abstractions;

namespace ConsentApi.Features.ApiClients;

/// <summary>A calling system and what it may do. The key itself is never shown again after creation.</summary>
/// <param name="KeyPrefix">The public start of the client's key, to tell keys apart.</param>
/// <param name="SchoolIds">The schools the client is limited to; empty means every school of the organisation.</param>
/// <param name="RevokedAt">When the key was revoked; a revoked key no longer authenticates.</param>
public sealed record ApiClientResponse(
    Guid Id,
    [property: MaxLength(FieldLengths.ClientName)] string Name,
    [property: MaxLength(FieldLengths.KeyPrefix)] string KeyPrefix,
    [property: MaxLength(6), OneOf(typeof(Scope))] IReadOnlyList<string> Scopes,
    [property: MaxLength(500)] IReadOnlyList<Guid> SchoolIds,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt);

[Mapper]
public static partial class ApiClientMapper
{
    [MapperIgnoreSource(nameof(ApiClient.KeyHash))]
    [MapperIgnoreSource(nameof(ApiClient.OrganisationId))]
    public static partial ApiClientResponse ToResponse(this ApiClient client);

    public static partial IQueryable<ApiClientResponse> ProjectToResponse(this IQueryable<ApiClient> clients);
}

public static class ApiClientFactory
{
    public static (ApiClient Client, string Key) Create(
        Guid organisationId, string name, IEnumerable<string> scopes, IEnumerable<Guid> schoolIds, DateTimeOffset now)
    {
        var (key, prefix, hash) = ApiKeys.Generate();
        var client = new ApiClient
        {
            OrganisationId = organisationId,
            Name = name,
            KeyPrefix = prefix,
            KeyHash = hash,
            Scopes = scopes.Distinct().Order(StringComparer.Ordinal).ToList(),
            SchoolIds = schoolIds.Distinct().Order().ToList(),
            CreatedAt = now,
        };
        return (client, key);
    }
}
