using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Campaigns;

public static class CampaignEndpoints
{
    public static IEndpointRouteBuilder MapCampaignEndpoints(this IEndpointRouteBuilder app)
    {
        var schools = app.MapGroup("/v1/schools").WithTags("Campaigns");
        schools.MapCreateCampaign().RequireScope(Scopes.Admin);
        schools.MapListCampaigns().RequireScope(Scopes.ConsentRead);

        var campaigns = app.MapGroup("/v1/campaigns").WithTags("Campaigns");
        campaigns.MapGetCampaign().RequireScope(Scopes.ConsentRead);
        campaigns.MapListCampaignNonResponders().RequireScope(Scopes.ConsentRead);
        campaigns.MapCloseCampaign().RequireScope(Scopes.Admin);
        return app;
    }
}
