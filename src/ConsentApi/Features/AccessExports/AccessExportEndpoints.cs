using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.AccessExports;

public static class AccessExportEndpoints
{
    /// <summary>The school's route and the pupil's own; the guardian's is in the parents' app group (<see cref="GuardianAccess.GuardianAccessEndpoints"/>).</summary>
    public static IEndpointRouteBuilder MapAccessExportEndpoints(this IEndpointRouteBuilder app)
    {
        // Read with the consent history it contains, by the same scope.
        app.MapGroup("/v1/pupils").WithTags("Consent")
            .MapGetPupilAccessExport().RequireScope(Scopes.ConsentRead);
        app.MapGroup("/v1/parent-app/pupils").WithTags("Parents' app")
            .MapGetOwnAccessExport().RequireScope(Scopes.GuardianAct);
        return app;
    }
}
