namespace ConsentApi.Infrastructure.Events;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Allow http:// endpoints (local testing only); otherwise https is required.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Allow endpoints on loopback, link-local and private networks (local testing only): off against SSRF.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// The ports a webhook URL may name (443 when not configured). Where <see cref="AllowPrivateNetworks"/> is on
    /// (local testing, receivers on random ports) any port is allowed.
    /// </summary>
    public int[]? AllowedPorts { get; set; }

    public bool IsPortAllowed(int port) => AllowPrivateNetworks || (AllowedPorts is { Length: > 0 } ports ? ports : [443]).Contains(port);

    /// <summary>
    /// How often the dispatcher looks for due deliveries; zero switches this instance's dispatcher off. With
    /// <see cref="WakeOnCommit"/> this is only the fallback (a lost notification, a listener reconnecting) and the pace
    /// of retries.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Wake the dispatcher as soon as a transaction that wrote deliveries commits, on any instance (PostgreSQL
    /// LISTEN/NOTIFY on one dedicated connection per instance), instead of waiting for the next poll.
    /// </summary>
    public bool WakeOnCommit { get; set; } = true;

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
