using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Channels;

public static class ChannelEndpoints
{
    public static IEndpointRouteBuilder MapChannelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/channels").WithTags("Channels");
        group.MapListChannels().RequireScope(Domain.Scopes.ConsentRead);
        group.MapCreateChannel().RequireScope(Domain.Scopes.Admin);
        group.MapGetChannel().RequireScope(Domain.Scopes.ConsentRead);
        group.MapUpdateChannel().RequireScope(Domain.Scopes.Admin);
        group.MapRetireChannel().RequireScope(Domain.Scopes.Admin);
        return app;
    }
}
