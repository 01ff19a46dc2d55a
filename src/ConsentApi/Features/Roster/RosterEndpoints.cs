using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Roster;

public static class RosterEndpoints
{
    public static IEndpointRouteBuilder MapRosterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/schools").WithTags("Roster").MapSyncRoster().RequireScope(Scopes.RosterWrite);
        return app;
    }
}
