using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Webhooks;

public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/webhooks").WithTags("Webhooks").RequireScope(Scopes.Admin);
        group.MapCreateWebhook();
        group.MapListWebhooks();
        group.MapGetWebhook();
        group.MapDeleteWebhook();
        group.MapListWebhookDeliveries();
        group.MapResendWebhookDelivery();
        return app;
    }
}
