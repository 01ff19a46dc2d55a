using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

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
