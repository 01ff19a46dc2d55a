using System.Security.Claims;
using System.Text.Encodings.Web;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Infrastructure.Auth;

public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";

    /// <summary>
    /// The platform operator's key: creates organisations (each with its first admin client). At least 32 characters.
    /// Leave empty once organisations exist to switch the operator key off.
    /// </summary>
    public string? AdminApiKey { get; set; }
}

public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiClientCache cache,
    ApiRateLimiter limiter,
    IOptionsMonitor<BootstrapOptions> bootstrap)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Operations that need no key (the health checks) never look one up: liveness and readiness must not depend on it.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null
            || !Request.Headers.TryGetValue(ApiKeys.HeaderName, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return AuthenticateResult.NoResult();
        }

        var key = values[0]!;
        if (bootstrap.CurrentValue.AdminApiKey is { Length: >= 32 } bootstrapKey
            && ApiKeys.Matches(key, ApiKeys.Hash(bootstrapKey)))
        {
            return Success([new Claim(ApiKeyClaims.Scope, Scopes.Platform)]);
        }

        if (ApiKeys.PrefixOf(key) is not { } prefix)
        {
            return AuthenticateResult.Fail("Malformed API key.");
        }

        // Within its cache window a prefix is answered without a lookup (no DbContext, no delegates). An address that has
        // spent its budget for calls without a valid key gets no lookup of a new prefix: the rate limiter, which runs after
        // authentication, answers it 429 without the database having been asked.
        if (!cache.TryGetFresh(prefix, out var client))
        {
            client = await cache.GetAsync(prefix,
                () => ClientByPrefix(Context.RequestServices.GetRequiredService<ConsentDbContext>(), prefix, Context.RequestAborted),
                () => limiter.AddressMayLookUpKeys(Context));
        }
        if (client is null || !ApiKeys.Matches(key, client.KeyHash))
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        return Success(client);
    }

    /// <summary>Every authenticated request runs this lookup, so it is compiled once rather than translated per request.</summary>
    private static readonly Func<ConsentDbContext, string, CancellationToken, Task<CachedApiClient?>> ClientByPrefix =
        EF.CompileAsyncQuery((ConsentDbContext db, string prefix, CancellationToken ct) => db.ApiClients.AsNoTracking()
            .Where(c => c.KeyPrefix == prefix && c.RevokedAt == null)
            .Select(c => new CachedApiClient(c.Id, c.OrganisationId, c.KeyHash, c.Scopes, c.SchoolIds))
            .SingleOrDefault());

    private static AuthenticateResult Success(IEnumerable<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ApiKeyClaims.ClientId, null)), SchemeName));

    /// <summary>
    /// The principal of a client's key: the claims <see cref="ApiKeyClaims.PrincipalFor"/> makes, from the texts the cache
    /// entry holds, each made for its identity (a claim made without one is copied when added).
    /// </summary>
    private static AuthenticateResult Success(CachedApiClient client)
    {
        var identity = new ClaimsIdentity(SchemeName, ApiKeyClaims.ClientId, null);
        identity.AddClaim(ApiKeyClaims.ClaimOf(identity, ApiKeyClaims.ClientId, client.IdText));
        identity.AddClaim(ApiKeyClaims.ClaimOf(identity, ApiKeyClaims.OrganisationId, client.OrganisationIdText));
        foreach (var scope in client.Scopes)
        {
            identity.AddClaim(ApiKeyClaims.ClaimOf(identity, ApiKeyClaims.Scope, scope));
        }
        foreach (var school in client.SchoolIdTexts)
        {
            identity.AddClaim(ApiKeyClaims.ClaimOf(identity, ApiKeyClaims.School, school));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{ApiKeys.HeaderName}\"";
        return ProblemDetailsSetup.WriteProblem(Context, StatusCodes.Status401Unauthorized, "Unauthorized.",
            $"Send a valid, unrevoked API key in the {ApiKeys.HeaderName} header.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var required = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>();
        return ProblemDetailsSetup.WriteProblem(Context, StatusCodes.Status403Forbidden, "Forbidden.",
            required?.Refusal ?? "The API key lacks the scope this operation requires.");
    }
}
