using ConsentApi.Infrastructure.Auth;
using Microsoft.Extensions.Options;

namespace ConsentApi.Features.Consents;

public static class ConsentEndpoints
{
    public static IEndpointRouteBuilder MapConsentEndpoints(this IEndpointRouteBuilder app)
    {
        var pupils = app.MapGroup("/v1/pupils").WithTags("Consent");
        pupils.MapRecordDecisions().RequireScope(Domain.Scopes.ConsentWrite);
        pupils.MapGetConsentMatrix().RequireScope(Domain.Scopes.ConsentRead);
        pupils.MapGetConsentHistory().RequireScope(Domain.Scopes.ConsentRead);

        app.MapGroup("/v1/publication-checks").WithTags("Consent")
            .MapCheckPublication().RequireScope(Domain.Scopes.ConsentRead);

        app.MapGroup("/v1/schools").WithTags("Consent")
            .MapGetConsentOverview().RequireScope(Domain.Scopes.ConsentRead);

        var receipts = app.MapGroup("/v1/receipts").WithTags("Consent");
        receipts.MapGetConsentReceipt().RequireScope(Domain.Scopes.ConsentRead);
        var maxProofBytes = app.ServiceProvider.GetRequiredService<IOptions<ProofFileOptions>>().Value.MaxBytes;
        receipts.MapUploadProofFile(maxProofBytes).RequireScope(Domain.Scopes.ConsentWrite);
        receipts.MapDownloadProofFile(maxProofBytes).RequireScope(Domain.Scopes.ConsentRead);
        return app;
    }
}
