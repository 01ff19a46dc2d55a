using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.ConsentForms;

public static class ConsentFormEndpoints
{
    public static IEndpointRouteBuilder MapConsentFormEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/consent-forms").WithTags("Consent forms");
        group.MapListConsentForms().RequireScope(Scopes.ConsentRead);
        group.MapCreateConsentForm().RequireScope(Scopes.Admin);
        group.MapGetConsentForm().RequireScope(Scopes.ConsentRead);
        group.MapCreateFormVersion().RequireScope(Scopes.Admin);
        group.MapGetFormVersion().RequireScope(Scopes.ConsentRead);
        group.MapUpdateFormVersion().RequireScope(Scopes.Admin);
        group.MapPublishFormVersion().RequireScope(Scopes.Admin);
        group.MapWithdrawFormVersion().RequireScope(Scopes.Admin);
        return app;
    }
}
