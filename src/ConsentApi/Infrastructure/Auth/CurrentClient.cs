using System.Security.Claims;

namespace ConsentApi.Infrastructure.Auth;

/// <summary>The authenticated caller of this request, as handlers need it: tenant, client, scopes, school limits.</summary>
public sealed class CurrentClient(IHttpContextAccessor accessor)
{
    private ClaimsPrincipal User =>
        accessor.HttpContext?.User ?? throw new InvalidOperationException("No request is being handled.");

    /// <summary>The platform operator (the configured bootstrap key): belongs to no organisation.</summary>
    public bool IsPlatform => User.HasClaim(ApiKeyClaims.Scope, Domain.Scopes.Platform);

    public Guid OrganisationId => Guid.Parse(User.FindFirstValue(ApiKeyClaims.OrganisationId)
        ?? throw new InvalidOperationException("The caller belongs to no organisation."));

    public Guid? ClientId => User.FindFirstValue(ApiKeyClaims.ClientId) is { } id ? Guid.Parse(id) : null;

    /// <summary>The schools the client is limited to; empty when it may see every school of its organisation.</summary>
    public IReadOnlyList<Guid> SchoolIds => field ??= User.FindAll(ApiKeyClaims.School).Select(c => Guid.Parse(c.Value)).ToList();

    public bool IsLimitedToSchools => SchoolIds.Count > 0;

    public bool MaySee(Guid schoolId) => !IsLimitedToSchools || SchoolIds.Contains(schoolId);
}

public static class ApiKeyClaims
{
    public const string ClientId = "client_id";
    public const string OrganisationId = "org_id";
    public const string Scope = "scope";
    public const string School = "school";
}
