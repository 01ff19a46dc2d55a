using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.GuardianAccess;

public static class GuardianAccessEndpoints
{
    public static IEndpointRouteBuilder MapGuardianAccessEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/parent-app/guardians/{guardianExternalId:maxlength(64)}").WithTags("Parents' app")
            .RequireScope(Scopes.GuardianAct);
        group.MapGetGuardianChildren();
        group.MapGetGuardianConsentRequests();
        group.MapSubmitGuardianDecisions();
        group.MapWithdrawGuardianConsent();
        group.MapGetGuardianReceipt();
        return app;
    }
}
