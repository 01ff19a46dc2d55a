using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.AccessExports;

public static class AccessExportEndpoints
{
    /// <summary>The school's route, the guardian's and the pupil's own (both under the parents' app's paths and scope).</summary>
    public static IEndpointRouteBuilder MapAccessExportEndpoints(this IEndpointRouteBuilder app)
    {
        // Read with the consent history it contains, by the same scope.
        app.MapGroup("/v1/pupils").WithTags("Consent")
            .MapGetPupilAccessExport().RequireScope(Scopes.ConsentRead);
        // The parents' app's guardian paths (see GuardianAccessEndpoints), mapped here so that the export's feature does not
        // make the parents' app depend on it.
        app.MapGroup("/v1/parent-app/guardians/{guardianExternalId:maxlength(64)}").WithTags("Parents' app")
            .MapGetGuardianAccessExport().RequireScope(Scopes.GuardianAct);
        app.MapGroup("/v1/parent-app/pupils").WithTags("Parents' app")
            .MapGetOwnAccessExport().RequireScope(Scopes.GuardianAct);
        return app;
    }
}
