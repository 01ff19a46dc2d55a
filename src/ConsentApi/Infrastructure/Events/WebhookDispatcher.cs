using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Infrastructure.Events;

/// <summary>
/// Delivers committed events to their subscriptions, at least once and in order per subscription. Each round locks the
/// subscriptions it serves with <c>FOR UPDATE SKIP LOCKED</c>, so several instances share the work without two of them
/// ever delivering to the same subscription at once. A failed delivery is retried with growing delays for about a
/// day; the request that caused the event never waits for any of this.
/// </summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, IHttpClientFactory http, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int SubscriptionsPerRound = 20;
    private const int DeliveriesPerSubscription = 50;
    private const int FailingAfter = 5;
    private static readonly int[] RetryFactors = [1, 6, 24, 120, 360, 720, 1440, 2880, 5760, 5760];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.PollInterval <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                while (await DispatchOnceAsync(stoppingToken) > 0 && !stoppingToken.IsCancellationRequested)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRoundFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round: delivers what is due for the subscriptions no other instance holds. Returns the attempts made.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var subscriptions = await db.WebhookSubscriptions
            .FromSql($"""
                SELECT s.* FROM webhook_subscriptions s
                WHERE s.status <> 'Disabled'
                  AND EXISTS (SELECT 1 FROM webhook_deliveries d
                              WHERE d.subscription_id = s.id AND d.status = 'Pending' AND d.next_attempt_at <= {now})
                ORDER BY s.id
                LIMIT {SubscriptionsPerRound}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(ct);

        var attempts = 0;
        foreach (var subscription in subscriptions)
        {
            // In the order the events were recorded: ids made in the same millisecond are in no particular order.
            var pending = await (from d in db.WebhookDeliveries
                                 join e in db.OutboxEvents on d.EventId equals e.Id
                                 where d.SubscriptionId == subscription.Id && d.Status == DeliveryStatus.Pending
                                 orderby e.Sequence
                                 select d)
                .Take(DeliveriesPerSubscription).ToListAsync(ct);
            foreach (var delivery in pending)
            {
                // In order: a delivery waiting for its retry holds back the ones after it.
                if (delivery.NextAttemptAt > now)
                {
                    break;
                }
                attempts++;
                if (!await AttemptAsync(db, subscription, delivery, ct))
                {
                    break;
                }
            }
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return attempts;
    }

    private async Task<bool> AttemptAsync(ConsentDbContext db, WebhookSubscription subscription, WebhookDelivery delivery, CancellationToken ct)
    {
        var payload = await db.OutboxEvents.Where(e => e.Id == delivery.EventId).Select(e => e.Payload).SingleAsync(ct);
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
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException or InvalidOperationException)
        {
            error = e is TaskCanceledException ? "The receiver did not answer in time." : e.Message;
        }

        var now = clock.GetUtcNow();
        delivery.Attempts++;
        delivery.AttemptLog.Add(new WebhookAttempt
        {
            DeliveryId = delivery.Id, AttemptedAt = started, StatusCode = status,
            Error = error?[..Math.Min(error.Length, Domain.FieldLengths.Note)], DurationMs = (int)watch.ElapsedMilliseconds,
        });
        db.Add(delivery.AttemptLog[^1]);
        if (error is null)
        {
            delivery.Status = DeliveryStatus.Delivered;
            delivery.DeliveredAt = now;
            subscription.ConsecutiveFailures = 0;
            subscription.Status = SubscriptionStatus.Active;
            return true;
        }

        subscription.ConsecutiveFailures++;
        if (subscription.ConsecutiveFailures >= FailingAfter)
        {
            subscription.Status = SubscriptionStatus.Failing;
        }
        if (delivery.Attempts > RetryFactors.Length)
        {
            delivery.Status = DeliveryStatus.Failed;
            return true; // given up: the next delivery may go
        }
        delivery.NextAttemptAt = now + options.Value.RetryBaseDelay * RetryFactors[delivery.Attempts - 1];
        return false;
    }

    /// <summary>The HTTP client for deliveries: it refuses to connect to non-public addresses unless allowed, after DNS.</summary>
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
}
