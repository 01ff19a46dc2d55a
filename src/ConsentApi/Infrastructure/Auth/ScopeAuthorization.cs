using ConsentApi.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace ConsentApi.Infrastructure.Auth;

/// <summary>
/// Endpoint metadata naming the scopes an operation accepts, any one of them (most name one); also read by the OpenAPI
/// document and by the 403 answer.
/// </summary>
public sealed record RequiredScope(params IReadOnlyList<string> Scopes)
{
    /// <summary>Why a key holding none of them is refused: the 403's detail, and the contract's example of it.</summary>
    public string Refusal => Scopes is [var one]
        ? $"The API key lacks the scope '{one}' this operation requires."
        : $"The API key holds none of the scopes this operation accepts: '{string.Join("', '", Scopes)}'.";
}

public static class ScopeAuthorization
{
    /// <summary>An organisation's admin for its own organisation, or the platform operator for any.</summary>
    public const string PlatformOrAdmin = "platform-or-admin";

    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BootstrapOptions>(configuration.GetSection(BootstrapOptions.Section));
        services.Configure<ApiKeyOptions>(configuration.GetSection(ApiKeyOptions.Section));
        services.AddSingleton<ApiClientCache>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddScopePolicies();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentClient>();
        return services;
    }

    private static AuthorizationBuilder AddScopePolicies(this AuthorizationBuilder builder)
    {
        foreach (var scope in Scopes.Assignable.Append(Scopes.Platform))
        {
            builder.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().RequireClaim(ApiKeyClaims.Scope, scope));
        }
        builder.AddPolicy(PlatformOrAdmin, policy =>
            policy.RequireAuthenticatedUser().RequireClaim(ApiKeyClaims.Scope, Scopes.Platform, Scopes.Admin));
        return builder;
    }

    /// <summary>Requires an API key holding <paramref name="scope"/>.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(scope).WithMetadata(new RequiredScope(scope));

    /// <summary>
    /// Requires an API key holding at least one of <paramref name="scopes"/>: for operations whose handler narrows what
    /// each scope shows (an import job is read with <c>roster:read</c> or with the scope that uploads its kind).
    /// </summary>
    public static TBuilder RequireAnyScope<TBuilder>(this TBuilder builder, IReadOnlyList<string> scopes) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().RequireClaim(ApiKeyClaims.Scope, scopes))
            .WithMetadata(new RequiredScope(scopes));
}
