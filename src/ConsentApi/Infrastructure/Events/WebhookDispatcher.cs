using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Observability;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Infrastructure.Events;

/// <summary>
/// Delivers committed events to their subscriptions, at least once and in position order per subscription (an event
/// that commits late is never overtaken by one positioned after it), from any
/// number of instances. No database lock is held across a network call:
/// <list type="bullet">
/// <item>A short transaction claims subscriptions with due deliveries as a lease (<c>lease_owner</c>,
/// <c>lease_expires_at</c>), picking them with <c>FOR NO KEY UPDATE SKIP LOCKED</c>. That row lock never blocks a
/// writer inserting a delivery (the foreign key takes <c>FOR KEY SHARE</c>), and it ends with the claim.</item>
/// <item>Deliveries are sent outside any transaction. Outcomes are recorded in short transactions (a run of successes
/// together, a failure at once) that first renew the lease and check that it is still this claim's; a claim that lost
/// its lease stops.</item>
/// <item>The lease is released when the subscription's batch is done. An instance killed mid-delivery leaves a lease
/// that expires after <see cref="WebhookOptions.LeaseDuration"/>; another instance then takes over and sends again
/// what was not recorded as delivered (at least once).</item>
/// </list>
/// Up to <see cref="WebhookOptions.MaxConcurrentSubscriptions"/> subscriptions are served at once, each on its own;
/// a free slot is refilled at the next poll, when a commit wakes the dispatcher (<see cref="DispatcherWake"/>, fed by
/// <see cref="CommitListener"/>), or as soon as a subscription's batch ends, so a slow receiver delays only itself. Within a subscription, deliveries go in event position order, and only events the <see cref="CommitFence"/>
/// has settled are sent, so an event that commits late is never overtaken by one positioned after it. A delivery
/// waiting for its retry holds back the ones after it; failed attempts are retried with growing delays for about a day.
/// </summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, IHttpClientFactory http, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<WebhookDispatcher> logger, ConsentMetrics metrics, DispatcherWake wake, PoolRepair poolRepair) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int DeliveriesPerSubscription = 100;

    // Successes are recorded in runs of up to this many, or as soon as the run's first send is this old: few transactions
    // under a fast receiver's load, while a crash sends again (at least once) only what was answered in the last moment,
    // and a slow receiver's deliveries are recorded one by one as before.
    private const int RecordEvery = 25;
    private static readonly TimeSpan RecordWithin = TimeSpan.FromMilliseconds(100);
    private const int FailingAfter = 5;
    private static readonly int[] RetryFactors = [1, 6, 24, 120, 360, 720, 1440, 2880, 5760, 5760];
    private static readonly TimeSpan FencePatience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstFenceRecheck = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestFenceRecheck = TimeSpan.FromSeconds(1);

    private readonly CommitFence _fence = new();

    private sealed record Outcome(DateTimeOffset Started, int? StatusCode, string? Error, int DurationMs);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.PollInterval <= TimeSpan.Zero)
        {
            return;
        }
        if (settings.LeaseDuration <= settings.Timeout)
        {
            throw new InvalidOperationException("Webhooks:LeaseDuration must be longer than Webhooks:Timeout, or a slow delivery would lose its lease.");
        }
        var slots = Math.Max(1, settings.MaxConcurrentSubscriptions);
        var longestRecheck = settings.PollInterval < LongestFenceRecheck ? settings.PollInterval : LongestFenceRecheck;
        var serving = new List<Task<int>>();
        using var timer = new PeriodicTimer(settings.PollInterval);
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        var woken = wake.WaitAsync(stoppingToken);
        Task? recheck = null;
        var recheckAfter = FirstFenceRecheck;
        // Claim when there is reason to: a poll, a wake, a recheck of the fence, or a batch that sent something (its
        // subscription may have more). A batch that sent nothing waits for one of the others, so nothing spins.
        var claim = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (claim && serving.Count < slots)
                {
                    claim = false;
                    try
                    {
                        serving.AddRange(await StartServingAsync(slots - serving.Count, stoppingToken));
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        poolRepair.After(e);
                        LogRoundFailed(logger, e);
                    }
                    // A writer still running held the fence back, so a commit that woke us may not be sendable yet: look
                    // again soon, less often while it lasts, rather than at the next poll. Polling alone waits for the poll.
                    if (settings.WakeOnCommit && _fence.IsOpen)
                    {
                        recheck ??= Task.Delay(recheckAfter, clock, stoppingToken);
                        recheckAfter = recheckAfter * 2 < longestRecheck ? recheckAfter * 2 : longestRecheck;
                    }
                    else
                    {
                        recheckAfter = FirstFenceRecheck;
                    }
                }

                var done = await Task.WhenAny([tick, woken, .. recheck is null ? Array.Empty<Task>() : [recheck], .. serving]);
                if (done == tick)
                {
                    if (!await tick)
                    {
                        break;
                    }
                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                    claim = true;
                }
                else if (done == woken)
                {
                    await woken;
                    woken = wake.WaitAsync(stoppingToken);
                    claim = true;
                }
                else if (done == recheck)
                {
                    await recheck;
                    recheck = null;
                    claim = true;
                }
                foreach (var finished in serving.Where(t => t.IsCompleted))
                {
                    claim |= finished.Result > 0;
                }
                serving.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(serving);
    }

    /// <summary>
    /// One complete round, waited for: settles every event committed before the call, claims up to
    /// <see cref="WebhookOptions.MaxConcurrentSubscriptions"/> subscriptions no instance holds, and delivers their due
    /// deliveries. Returns the attempts made.
    /// </summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        long settled;
        await using (var scope = scopes.CreateAsyncScope())
        {
            settled = await _fence.SettleNowAsync(scope.ServiceProvider.GetRequiredService<ConsentDbContext>(), FencePatience, ct);
        }
        var lease = Guid.NewGuid();
        var claimedAt = Stopwatch.GetTimestamp();
        var claimed = await ClaimAsync(Math.Max(1, options.Value.MaxConcurrentSubscriptions), lease, settled, ct);
        var attempts = await Task.WhenAll(claimed.Select(id => ServeAsync(id, lease, claimedAt, settled, ct)));
        return attempts.Sum();
    }

    private async Task<IEnumerable<Task<int>>> StartServingAsync(int count, CancellationToken ct)
    {
        long settled;
        await using (var scope = scopes.CreateAsyncScope())
        {
            settled = await _fence.AdvanceAsync(scope.ServiceProvider.GetRequiredService<ConsentDbContext>(), ct);
        }
        var lease = Guid.NewGuid();
        var claimedAt = Stopwatch.GetTimestamp();
        var claimed = await ClaimAsync(count, lease, settled, ct);
        return claimed.Select(id => Task.Run(() => ServeAsync(id, lease, claimedAt, settled, ct), CancellationToken.None)).ToList();
    }

    /// <summary>
    /// Leases up to <paramref name="count"/> subscriptions whose first settled pending delivery is due, least recently
    /// served first. The row locks last only as long as this statement's transaction.
    /// </summary>
    private async Task<List<Guid>> ClaimAsync(int count, Guid lease, long settled, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        var now = clock.GetUtcNow();
        return await db.Database.SqlQuery<Guid>($"""
            UPDATE webhook_subscriptions
            SET lease_owner = {lease}, lease_expires_at = clock_timestamp() + {options.Value.LeaseDuration}
            WHERE id IN (
                SELECT s.id FROM webhook_subscriptions s
                WHERE s.status <> 'Disabled'
                  AND (s.lease_owner IS NULL OR s.lease_expires_at < clock_timestamp())
                  AND (SELECT d.next_attempt_at
                       FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
                       WHERE d.subscription_id = s.id AND d.status = 'Pending' AND e.sequence <= {settled}
                       ORDER BY e.sequence
                       LIMIT 1) <= {now}
                ORDER BY s.lease_expires_at NULLS FIRST, s.id
                LIMIT {count}
                FOR NO KEY UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(ct);
    }

    /// <summary>Delivers one batch of a leased subscription's settled deliveries, in position order, then releases it.</summary>
    private async Task<int> ServeAsync(Guid subscriptionId, Guid lease, long claimedAt, long settled, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        var attempts = 0;
        // When the lease was last claimed or renewed (at the latest), on this process's monotonic clock.
        var renewed = claimedAt;
        try
        {
            var subscription = await db.WebhookSubscriptions.AsNoTracking().SingleAsync(s => s.Id == subscriptionId, ct);
            var queue = await (from d in db.WebhookDeliveries
                               join e in db.OutboxEvents on d.EventId equals e.Id
                               where d.SubscriptionId == subscriptionId && d.Status == DeliveryStatus.Pending && e.Sequence <= settled
                               orderby e.Sequence
                               select new { Delivery = d, e.Payload })
                .Take(DeliveriesPerSubscription).ToListAsync(ct);
            var unrecorded = new List<(WebhookDelivery Delivery, Outcome Outcome)>();
            var oldestUnrecorded = 0L;
            var leaseLost = false;
            foreach (var item in queue)
            {
                // In order: a delivery waiting for its retry holds back the ones after it.
                if (item.Delivery.NextAttemptAt > clock.GetUtcNow())
                {
                    break;
                }
                // Never send on a lease that may have run out meanwhile (a pause, a long collection): another instance may
                // hold the subscription by now, and sending after it would break the order.
                if (Stopwatch.GetElapsedTime(renewed) > options.Value.LeaseDuration - options.Value.Timeout)
                {
                    if (!await RenewAsync(db, subscriptionId, lease, ct))
                    {
                        LogLeaseLost(logger, subscriptionId);
                        leaseLost = true;
                        break;
                    }
                    renewed = Stopwatch.GetTimestamp();
                }
                var sending = Stopwatch.GetTimestamp();
                var outcome = await SendAsync(subscription, item.Delivery, item.Payload, ct);
                attempts++;
                if (unrecorded.Count == 0)
                {
                    oldestUnrecorded = sending;
                }
                unrecorded.Add((item.Delivery, outcome));
                // Successes are recorded together, a few at a time: one short transaction per run instead of one per
                // delivery. A failure is recorded at once, because it decides whether the next delivery may go.
                if (outcome.Error is null && unrecorded.Count < RecordEvery && Stopwatch.GetElapsedTime(oldestUnrecorded) < RecordWithin)
                {
                    continue;
                }
                var recording = Stopwatch.GetTimestamp();
                var goOn = await RecordAsync(db, subscription, lease, unrecorded, ct);
                unrecorded.Clear();
                if (!goOn)
                {
                    break;
                }
                renewed = recording;
            }
            if (unrecorded.Count > 0 && !leaseLost)
            {
                await RecordAsync(db, subscription, lease, unrecorded, ct);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            poolRepair.After(e);
            LogServeFailed(logger, subscriptionId, e);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: what was not recorded is sent again by whoever holds the subscription next.
        }
        finally
        {
            await ReleaseAsync(db, subscriptionId, lease);
        }
        return attempts;
    }

    private async Task<Outcome> SendAsync(WebhookSubscription subscription, WebhookDelivery delivery, string payload, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var timestamp = started.ToUnixTimeSeconds();
        var id = delivery.EventId.ToString();
        int? status = null;
        string? error = null;
        var watch = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
            {
                Content = new StringContent(payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", id);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSigner.Sign(subscription.Secret, id, timestamp, payload));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.Timeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = $"The receiver answered {status}.";
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested
                                  && e is HttpRequestException or TaskCanceledException or SocketException or InvalidOperationException)
        {
            error = e is TaskCanceledException ? "The receiver did not answer in time." : e.Message;
        }
        return new Outcome(started, status, error, (int)watch.ElapsedMilliseconds);
    }

    /// <summary>
    /// Records a run of attempts (successes, and at most one failure, the last) in one short transaction that first
    /// renews the lease. Returns whether the next delivery may go: false when the lease is no longer this claim's
    /// (nothing is recorded then: what was sent is sent again, at least once), when the subscription was deleted
    /// meanwhile, or when the last delivery now waits for a retry.
    /// </summary>
    private async Task<bool> RecordAsync(ConsentDbContext db, WebhookSubscription subscription, Guid lease,
        IReadOnlyList<(WebhookDelivery Delivery, Outcome Outcome)> attempts, CancellationToken ct)
    {
        var failed = attempts[^1].Outcome.Error is not null;
        var succeededBefore = attempts.Count > 1;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var status = await db.Database.SqlQuery<string>($"""
            UPDATE webhook_subscriptions
            SET lease_expires_at = clock_timestamp() + {options.Value.LeaseDuration},
                consecutive_failures = CASE WHEN NOT {failed} THEN 0 WHEN {succeededBefore} THEN 1 ELSE consecutive_failures + 1 END,
                status = CASE WHEN status = 'Disabled' THEN status
                              WHEN NOT {failed} OR {succeededBefore} THEN 'Active'
                              WHEN consecutive_failures + 1 >= {FailingAfter} THEN 'Failing'
                              ELSE status END
            WHERE id = {subscription.Id} AND lease_owner = {lease}
            RETURNING status AS "Value"
            """).ToListAsync(ct);
        if (status.Count == 0)
        {
            LogLeaseLost(logger, subscription.Id);
            return false;
        }

        var now = clock.GetUtcNow();
        var goOn = true;
        var results = new List<string>(attempts.Count);
        foreach (var (delivery, outcome) in attempts)
        {
            delivery.Attempts++;
            db.Add(new WebhookAttempt
            {
                DeliveryId = delivery.Id, AttemptedAt = outcome.Started, StatusCode = outcome.StatusCode,
                Error = outcome.Error?[..Math.Min(outcome.Error.Length, Domain.FieldLengths.Note)], DurationMs = outcome.DurationMs,
            });
            if (outcome.Error is null)
            {
                delivery.Status = DeliveryStatus.Delivered;
                delivery.DeliveredAt = now;
                results.Add(WebhookResults.Delivered);
            }
            else if (delivery.Attempts > RetryFactors.Length)
            {
                delivery.Status = DeliveryStatus.Failed; // given up: the next delivery may go
                results.Add(WebhookResults.GivenUp);
            }
            else
            {
                delivery.NextAttemptAt = now + options.Value.RetryBaseDelay * RetryFactors[delivery.Attempts - 1];
                goOn = false;
                results.Add(WebhookResults.Failed);
            }
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        foreach (var result in results)
        {
            metrics.WebhookAttempted(result);
        }
        return goOn && status[0] != nameof(SubscriptionStatus.Disabled);
    }

    private async Task<bool> RenewAsync(ConsentDbContext db, Guid subscriptionId, Guid lease, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"""
            UPDATE webhook_subscriptions SET lease_expires_at = clock_timestamp() + {options.Value.LeaseDuration}
            WHERE id = {subscriptionId} AND lease_owner = {lease}
            """, ct) == 1;

    private async Task ReleaseAsync(ConsentDbContext db, Guid subscriptionId, Guid lease)
    {
        try
        {
            // The release moment stays in lease_expires_at: the least recently served subscription is claimed first.
            await db.Database.ExecuteSqlAsync($"""
                UPDATE webhook_subscriptions SET lease_owner = NULL, lease_expires_at = clock_timestamp()
                WHERE id = {subscriptionId} AND lease_owner = {lease}
                """, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The lease expires by itself.
            LogServeFailed(logger, subscriptionId, e);
        }
    }

    /// <summary>The HTTP client for deliveries: it refuses to connect to non-public addresses (after DNS) or other ports unless allowed.</summary>
    public static void ConfigureHttp(IServiceCollection services) =>
        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var settings = provider.GetRequiredService<IOptions<WebhookOptions>>().Value;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    ConnectCallback = async (context, ct) =>
                    {
                        if (!settings.IsPortAllowed(context.DnsEndPoint.Port))
                        {
                            throw new HttpRequestException($"Port {context.DnsEndPoint.Port} is not allowed for webhooks.");
                        }
                        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
                        var allowed = addresses.Where(a => settings.AllowPrivateNetworks || WebhookAddresses.IsPublic(a)).ToArray();
                        if (allowed.Length == 0)
                        {
                            throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to no address webhooks may reach.");
                        }
                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        try
                        {
                            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                            return new NetworkStream(socket, ownsSocket: true);
                        }
                        catch
                        {
                            socket.Dispose();
                            throw;
                        }
                    },
                };
            });

    [LoggerMessage(Level = LogLevel.Error, Message = "A webhook dispatch round failed; the next round retries.")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering to webhook {SubscriptionId} failed; its lease is released or expires, and delivery resumes.")]
    private static partial void LogServeFailed(ILogger logger, Guid subscriptionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease on webhook {SubscriptionId} passed to another instance; this one stops delivering to it.")]
    private static partial void LogLeaseLost(ILogger logger, Guid subscriptionId);
}
