using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.ApiClients;

public static class ApiClientEndpoints
{
    public static IEndpointRouteBuilder MapApiClientEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/api-clients").WithTags("API clients").RequireScope(Scopes.Admin);
        group.MapCreateApiClient();
        group.MapListApiClients();
        group.MapGetApiClient();
        group.MapRevokeApiClient();
        return app;
    }
}
