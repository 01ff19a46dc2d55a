using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Schools;

public static class SchoolEndpoints
{
    public static IEndpointRouteBuilder MapSchoolEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/schools").WithTags("Schools");
        group.MapCreateSchool().RequireScope(Scopes.Admin);
        group.MapListSchools().RequireScope(Scopes.RosterRead);
        group.MapGetSchool().RequireScope(Scopes.RosterRead);
        group.MapUpdateSchool().RequireScope(Scopes.Admin);
        return app;
    }
}
