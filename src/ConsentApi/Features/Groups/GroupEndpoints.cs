using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Groups;

public static class GroupEndpoints
{
    public static IEndpointRouteBuilder MapGroupEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/schools/{schoolId:guid}/groups").WithTags("Groups");
        group.MapListGroups().RequireScope(Scopes.RosterRead);
        group.MapCreateGroup().RequireScope(Scopes.RosterWrite);
        group.MapGetGroup().RequireScope(Scopes.RosterRead);
        group.MapUpdateGroup().RequireScope(Scopes.RosterWrite);
        return app;
    }
}
