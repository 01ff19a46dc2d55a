using System.Security.Claims;

namespace ConsentApi.Infrastructure.Auth;

/// <summary>
/// The authenticated caller of this request, as handlers need it: tenant, client, scopes, school limits. Outside a
/// request (an import job in the background) it is the client the work was started by, named with <see cref="ActFor"/>.
/// </summary>
public sealed class CurrentClient(IHttpContextAccessor accessor)
{
    private ClaimsPrincipal? _actingFor;

    private ClaimsPrincipal User =>
        _actingFor ?? accessor.HttpContext?.User ?? throw new InvalidOperationException("No request is being handled.");

    /// <summary>
    /// Makes this scope act for <paramref name="user"/>: background work started by a client runs the same commands, with
    /// the same access rules and audit trail, as that client's own request would.
    /// </summary>
    public void ActFor(ClaimsPrincipal user)
    {
        if (accessor.HttpContext is not null || _actingFor is not null)
        {
            throw new InvalidOperationException("Only a scope outside any request can act for a client, and only once.");
        }
        _actingFor = user;
    }

    /// <summary>The platform operator (the configured bootstrap key): belongs to no organisation.</summary>
    public bool IsPlatform => User.HasClaim(ApiKeyClaims.Scope, Domain.Scopes.Platform);

    public Guid OrganisationId => Guid.Parse(User.FindFirstValue(ApiKeyClaims.OrganisationId)
        ?? throw new InvalidOperationException("The caller belongs to no organisation."));

    public Guid? ClientId => User.FindFirstValue(ApiKeyClaims.ClientId) is { } id ? Guid.Parse(id) : null;

    /// <summary>The schools the client is limited to; empty when it may see every school of its organisation.</summary>
    public IReadOnlyList<Guid> SchoolIds => field ??= User.FindAll(ApiKeyClaims.School).Select(c => Guid.Parse(c.Value)).ToList();

    public bool HasScope(string scope) => User.HasClaim(ApiKeyClaims.Scope, scope);

    public bool IsLimitedToSchools => SchoolIds.Count > 0;

    public bool MaySee(Guid schoolId) => !IsLimitedToSchools || SchoolIds.Contains(schoolId);
}

public static class ApiKeyClaims
{
    public const string ClientId = "client_id";
    public const string OrganisationId = "org_id";
    public const string Scope = "scope";
    public const string School = "school";

    /// <summary>A claim as <c>new Claim(type, value)</c> makes it, made for <paramref name="identity"/> so that adding it does not copy it.</summary>
    public static Claim ClaimOf(ClaimsIdentity identity, string type, string value) =>
        new(type, value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity);

    /// <summary>The principal of an organisation's API client, as authentication makes it from the client's record.</summary>
    public static ClaimsPrincipal PrincipalFor(Guid clientId, Guid organisationId, IEnumerable<string> scopes, IEnumerable<Guid> schoolIds, string scheme) =>
        new(new ClaimsIdentity([
            new Claim(ClientId, clientId.ToString()),
            new Claim(OrganisationId, organisationId.ToString()),
            .. scopes.Select(s => new Claim(Scope, s)),
            .. schoolIds.Select(s => new Claim(School, s.ToString())),
        ], scheme, ClientId, null));
}
