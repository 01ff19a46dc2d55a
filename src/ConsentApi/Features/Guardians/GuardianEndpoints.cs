using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Guardians;

public static class GuardianEndpoints
{
    public static IEndpointRouteBuilder MapGuardianEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/guardians").WithTags("Guardians");
        group.MapListGuardians().RequireScope(Scopes.RosterRead);
        group.MapCreateGuardian().RequireScope(Scopes.RosterWrite);
        group.MapGetGuardian().RequireScope(Scopes.RosterRead);
        group.MapUpdateGuardian().RequireScope(Scopes.RosterWrite);
        return app;
    }
}
