using ConsentApi.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace ConsentApi.Infrastructure.Auth;

/// <summary>Endpoint metadata naming the scope an operation requires; also read by the OpenAPI document.</summary>
public sealed record RequiredScope(string Scope);

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
}
