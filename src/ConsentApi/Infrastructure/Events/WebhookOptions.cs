using System.Net;
using System.Net.Sockets;

namespace ConsentApi.Infrastructure.Events;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Allow http:// endpoints (local testing only); otherwise https is required.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Allow endpoints on loopback, link-local and private networks (local testing only): off against SSRF.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How often the dispatcher looks for due deliveries; zero switches this instance's dispatcher off.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The first retry's delay; later ones grow from it (×6, ×24, ... up to about a day in all).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one delivery attempt may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a dispatcher's claim on a subscription lasts without renewal; every recorded attempt renews it. Must
    /// exceed <see cref="Timeout"/>. An instance that dies mid-delivery holds its subscriptions up to this long.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many subscriptions one instance delivers to at once; each is served on its own.</summary>
    public int MaxConcurrentSubscriptions { get; set; } = 8;
}

/// <summary>Which addresses a webhook may reach: public ones, unless configuration allows private networks.</summary>
public static class WebhookAddresses
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast);
        }
        var b = address.GetAddressBytes();
        return !(b[0] == 10
                 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                 || (b[0] == 192 && b[1] == 168)
                 || (b[0] == 169 && b[1] == 254)
                 || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                 || b[0] == 0
                 || b[0] >= 224);
    }
}
