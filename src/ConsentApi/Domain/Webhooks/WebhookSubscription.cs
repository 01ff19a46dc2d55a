namespace ConsentApi.Domain.Webhooks;

/// <summary>The state of a webhook subscription.</summary>
public enum SubscriptionStatus
{
    /// <summary>Deliveries succeed.</summary>
    Active,

    /// <summary>Recent deliveries failed; delivery goes on, with back-off.</summary>
    Failing,

    /// <summary>Deleted by the organisation: nothing more is delivered; the history stays.</summary>
    Disabled,
}

/// <summary>An organisation's endpoint that receives signed events (Standard Webhooks).</summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public required string Url { get; init; }
    public required List<string> EventTypes { get; init; }

    /// <summary>Only events of this school; null for all.</summary>
    public Guid? SchoolId { get; init; }

    /// <summary><c>whsec_</c> + base64 of 32 random bytes. Kept to sign with; shown once at creation.</summary>
    public required string Secret { get; init; }
    public SubscriptionStatus Status { get; set; } = SubscriptionStatus.Active;
    public int ConsecutiveFailures { get; set; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// The dispatcher claim that serves this subscription now, or null. A lease, not a lock: it expires at
    /// <see cref="LeaseExpiresAt"/>, so a dispatcher that dies mid-delivery holds nothing for longer than that. Once
    /// released, <see cref="LeaseExpiresAt"/> keeps the release moment, so the least recently served goes first.
    /// Only the dispatcher writes these, with SQL.
    /// </summary>
    public Guid? LeaseOwner { get; private set; }

    public DateTimeOffset? LeaseExpiresAt { get; private set; }
}

/// <summary>Where one event's delivery to one subscription is.</summary>
public enum DeliveryStatus
{
    /// <summary>Waiting for its first or next attempt.</summary>
    Pending,

    /// <summary>The receiver answered with a 2xx status.</summary>
    Delivered,

    /// <summary>Every attempt over about a day failed; can be re-sent.</summary>
    Failed,
}

/// <summary>One event on its way to one subscription.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SubscriptionId { get; init; }
    public Guid EventId { get; init; }
    public DeliveryStatus Status { get; set; } = DeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public List<WebhookAttempt> AttemptLog { get; init; } = [];
}

/// <summary>One try to deliver: when, what the receiver answered (or what went wrong), how long it took.</summary>
public sealed class WebhookAttempt
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid DeliveryId { get; init; }
    public DateTimeOffset AttemptedAt { get; init; }
    public int? StatusCode { get; init; }
    public string? Error { get; init; }
    public int DurationMs { get; init; }
}
