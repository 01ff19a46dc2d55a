using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Organisations;

public static class OrganisationEndpoints
{
    public static IEndpointRouteBuilder MapOrganisationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/organisations").WithTags("Organisations");
        group.MapCreateOrganisation().RequireScope(Scopes.Platform);
        group.MapListOrganisations().RequireScope(Scopes.Platform);
        group.MapGetOrganisation().RequireScope(ScopeAuthorization.PlatformOrAdmin);
        group.MapUpdateConsentPolicy().RequireScope(Scopes.Admin);
        group.MapUpdateRetentionPolicy().RequireScope(Scopes.Admin);
        return app;
    }
}
