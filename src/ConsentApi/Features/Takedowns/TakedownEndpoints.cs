using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Takedowns;

public static class TakedownEndpoints
{
    public static IEndpointRouteBuilder MapTakedownEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/takedowns").WithTags("Takedowns");
        group.MapListTakedowns().RequireScope(Scopes.ConsentRead);
        group.MapGetTakedown().RequireScope(Scopes.ConsentRead);
        group.MapCompleteTakedown().RequireScope(Scopes.ConsentWrite);
        return app;
    }
}
