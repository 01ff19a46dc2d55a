using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Preconditions;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Channels;

internal static class ChannelLookup
{
    /// <summary>The caller's channel a route names, for its ETag; none for the platform key, which has no channels.</summary>
    public static RowKey? RowOf(HttpContext http)
    {
        var client = http.RequestServices.GetRequiredService<CurrentClient>();
        return client.IsPlatform || http.Request.RouteValues["channelKey"] is not string key
            ? null
            : new RowKey("organisation_id = {0} AND key = {1}", client.OrganisationId, key);
    }

    /// <summary>The channel to change: it must exist, and the caller must not be limited to some schools.</summary>
    public static async Task<Channel> FindOwnAsync(this DbSet<Channel> channels, CurrentClient client, string key, CancellationToken ct)
    {
        var channel = await channels.SingleOrDefaultAsync(c => c.OrganisationId == client.OrganisationId && c.Key == key, ct)
                      ?? throw new NotFoundException("Channel", key);
        EnsureMayChangeChannels(client);
        return channel;
    }

    /// <summary>Channels serve every school of the organisation, so a client limited to some schools cannot change them.</summary>
    public static void EnsureMayChangeChannels(CurrentClient client)
    {
        if (client.IsLimitedToSchools)
        {
            throw new ForbiddenException("Channels serve the whole organisation; a client limited to some schools cannot change them.");
        }
    }
}
