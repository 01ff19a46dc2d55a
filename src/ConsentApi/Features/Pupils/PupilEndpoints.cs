using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Pupils;

public static class PupilEndpoints
{
    public static IEndpointRouteBuilder MapPupilEndpoints(this IEndpointRouteBuilder app)
    {
        var schoolPupils = app.MapGroup("/v1/schools/{schoolId:guid}/pupils").WithTags("Pupils");
        schoolPupils.MapListPupils().RequireScope(Scopes.RosterRead);
        schoolPupils.MapCreatePupil().RequireScope(Scopes.RosterWrite);

        var pupils = app.MapGroup("/v1/pupils").WithTags("Pupils");
        pupils.MapGetPupil().RequireScope(Scopes.RosterRead);
        pupils.MapUpdatePupil().RequireScope(Scopes.RosterWrite);
        pupils.MapGetGuardianLink().RequireScope(Scopes.RosterRead);
        pupils.MapLinkGuardian().RequireScope(Scopes.RosterWrite);
        pupils.MapUnlinkGuardian().RequireScope(Scopes.RosterWrite);
        pupils.MapErasePupil().RequireScope(Scopes.RosterWrite);
        return app;
    }
}
