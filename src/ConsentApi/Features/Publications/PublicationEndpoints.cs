using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Publications;

public static class PublicationEndpoints
{
    public static IEndpointRouteBuilder MapPublicationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/publications").WithTags("Publications");
        group.MapRegisterPublication().RequireScope(Scopes.ConsentWrite);
        group.MapListPublications().RequireScope(Scopes.ConsentRead);
        group.MapGetPublication().RequireScope(Scopes.ConsentRead);
        group.MapGetPublicationDossier().RequireScope(Scopes.ConsentRead);
        group.MapRemovePublication().RequireScope(Scopes.ConsentWrite);
        return app;
    }
}
