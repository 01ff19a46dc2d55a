using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Channels;

internal static class ChannelLookup
{
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
