using System.Net;
using System.Net.Sockets;

namespace ConsentApi.Infrastructure.Events;

/// <summary>
/// Which addresses a webhook may reach: none of the IANA IPv4 and IPv6 special-purpose ranges, unless configuration
/// allows private networks. Checked when a subscription is made and again at every connection (DNS may change).
/// </summary>
public static class WebhookAddresses
{
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"),           // "this network"
        IPNetwork.Parse("10.0.0.0/8"),          // private
        IPNetwork.Parse("100.64.0.0/10"),       // carrier-grade NAT shared space
        IPNetwork.Parse("127.0.0.0/8"),         // loopback
        IPNetwork.Parse("169.254.0.0/16"),      // link-local, cloud metadata services
        IPNetwork.Parse("172.16.0.0/12"),       // private
        IPNetwork.Parse("192.0.0.0/24"),        // IETF protocol assignments (incl. 192.0.0.192 and NAT64 discovery)
        IPNetwork.Parse("192.0.2.0/24"),        // documentation TEST-NET-1
        IPNetwork.Parse("192.88.99.0/24"),      // 6to4 relay anycast (deprecated)
        IPNetwork.Parse("192.168.0.0/16"),      // private
        IPNetwork.Parse("198.18.0.0/15"),       // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),     // documentation TEST-NET-2
        IPNetwork.Parse("203.0.113.0/24"),      // documentation TEST-NET-3
        IPNetwork.Parse("224.0.0.0/4"),         // multicast
        IPNetwork.Parse("240.0.0.0/4"),         // reserved
        IPNetwork.Parse("255.255.255.255/32"),  // limited broadcast (inside 240/4; listed as the registry does)
        IPNetwork.Parse("::/128"),              // unspecified
        IPNetwork.Parse("::1/128"),             // loopback
        IPNetwork.Parse("64:ff9b:1::/48"),      // local-use NAT64: translates to whatever the local network chooses
        IPNetwork.Parse("100::/64"),            // discard-only
        IPNetwork.Parse("2001::/23"),           // IETF protocol assignments, Teredo 2001::/32 among them
        IPNetwork.Parse("2001:db8::/32"),       // documentation
        IPNetwork.Parse("2002::/16"),           // 6to4: would tunnel to the embedded IPv4 address, whatever it is
        IPNetwork.Parse("3fff::/20"),           // documentation
        IPNetwork.Parse("5f00::/16"),           // segment routing (SRv6) SIDs
        IPNetwork.Parse("fc00::/7"),            // unique local
        IPNetwork.Parse("fe80::/10"),           // link-local
        IPNetwork.Parse("fec0::/10"),           // site-local (deprecated, still routed by some stacks)
        IPNetwork.Parse("ff00::/8"),            // multicast
    ];

    // These carry an IPv4 address in their last 32 bits and reach it: the embedded address decides.
    private static readonly IPNetwork Ipv4Mapped = IPNetwork.Parse("::ffff:0:0/96");
    private static readonly IPNetwork Ipv4Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    public static bool IsPublic(IPAddress address)
    {
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }
        if (Refused.Any(range => range.Contains(address)))
        {
            return false;
        }
        if (Ipv4Mapped.Contains(address) || Ipv4Compatible.Contains(address) || Nat64.Contains(address))
        {
            return IsPublic(new IPAddress(address.GetAddressBytes()[12..]));
        }
        return true;
    }
}
