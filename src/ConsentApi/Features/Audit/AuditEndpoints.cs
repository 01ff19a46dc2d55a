using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Audit;

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/audit-events").WithTags("Audit")
            .MapListAuditEvents().RequireScope(Scopes.Admin);
        return app;
    }
}
