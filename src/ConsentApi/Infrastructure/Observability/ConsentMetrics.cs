using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Infrastructure.Contract;

namespace ConsentApi.Infrastructure.Observability;

/// <summary>
/// The product's own meter, in one place: what the API decides and delivers, counted where it happens. Tags carry only
/// closed vocabularies (outcomes, methods, results): never an id, a name or a key, so neither personal data nor an
/// unbounded number of series can reach a metrics backend.
/// </summary>
public sealed class ConsentMetrics
{
    public const string MeterName = "ConsentApi";

    private static readonly ConcurrentDictionary<Enum, string> WireNames = new();

    private readonly Counter<long> _checks;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _takedownsOpened;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _keyCacheHits;
    private readonly Counter<long> _keyCacheMisses;

    public ConsentMetrics(IMeterFactory meters, DatabaseGauges gauges)
    {
        var meter = meters.Create(MeterName);
        _checks = meter.CreateCounter<long>("consent.checks", "{check}",
            "Publication checks answered, by outcome: allowed or not-allowed.");
        _decisions = meter.CreateCounter<long>("consent.decisions", "{decision}",
            "Decisions recorded (one per item), by method and outcome.");
        _takedownsOpened = meter.CreateCounter<long>("consent.takedowns.opened", "{takedown}",
            "Takedowns opened, by kind: removal or do-not-reprint.");
        _webhookDeliveries = meter.CreateCounter<long>("consent.webhook.deliveries", "{attempt}",
            "Webhook delivery attempts, by result: delivered, failed (retried later) or given-up.");
        _keyCacheHits = meter.CreateCounter<long>("consent.api_key_cache.hits", "{lookup}",
            "API key lookups answered from this instance's cache.");
        _keyCacheMisses = meter.CreateCounter<long>("consent.api_key_cache.misses", "{lookup}",
            "API key lookups that asked the database.");
        // Read from the database at collection time (through a short cache), so every instance reports the same truth and
        // a figure survives restarts; with several instances, aggregate these with max, not sum.
        meter.CreateObservableGauge("consent.takedowns.open", () => Observe(gauges, s => s.OpenTakedowns), "{takedown}",
            "Takedowns open now, across the database.");
        meter.CreateObservableGauge("consent.outbox.backlog", () => Observe(gauges, s => s.PendingDeliveries), "{delivery}",
            "Webhook deliveries not yet delivered or given up, across the database.");
        meter.CreateObservableGauge("consent.outbox.oldest_age", () => Observe(gauges, s => s.OldestPendingAge.TotalSeconds), "s",
            "Age of the oldest webhook delivery not yet delivered or given up; 0 when none waits.");
    }

    public void CheckAnswered(bool allowed) =>
        _checks.Add(1, new TagList { { "outcome", allowed ? "allowed" : "not-allowed" } });

    public void DecisionRecorded(DecisionMethod method, ConsentOutcome outcome) =>
        _decisions.Add(1, new TagList { { "method", Wire(method) }, { "outcome", Wire(outcome) } });

    public void TakedownOpened(TakedownKind kind) => _takedownsOpened.Add(1, new TagList { { "kind", Wire(kind) } });

    public void WebhookAttempted(string result) => _webhookDeliveries.Add(1, new TagList { { "result", result } });

    public void KeyCacheHit() => _keyCacheHits.Add(1);

    public void KeyCacheMiss() => _keyCacheMisses.Add(1);

    // An unreadable database gives no measurement rather than a false zero.
    private static IEnumerable<Measurement<T>> Observe<T>(DatabaseGauges gauges, Func<GaugeSnapshot, T> value) where T : struct =>
        gauges.Read() is { } snapshot ? [new Measurement<T>(value(snapshot))] : [];

    private static string Wire(Enum value) => WireNames.GetOrAdd(value,
        v => ContractValues.Members(v.GetType()).First(m => m.Value.Equals(v)).Name);
}

/// <summary>The results a webhook delivery attempt is counted under.</summary>
public static class WebhookResults
{
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string GivenUp = "given-up";
}
