using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Webhooks;

/// <summary>
/// The API as a real process, killed with SIGKILL while a delivery is in flight: its lease expires, another instance
/// takes the subscription over and delivers everything, in order; only what was in flight is sent twice.
/// </summary>
public sealed class DispatcherKillTests : ApiTest
{
    private static readonly Dictionary<string, string> TakeOverSettings = new()
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:PollInterval"] = "00:00:00.100",
        // The receiver holds each request 1.5 s; the timeout leaves room for a loaded machine, or the first delivery
        // would time out and be sent again before the kill.
        ["Webhooks:Timeout"] = "00:00:06",
        ["Webhooks:LeaseDuration"] = "00:00:07",
    };

    private ApiProcess? _child;
    private WebhookReceiver? _receiver;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    [TearDown]
    public async Task StopAsync()
    {
        if (_child is not null)
        {
            await _child.DisposeAsync();
            _child = null;
        }
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    [Test]
    public async Task After_a_kill_mid_delivery_another_instance_takes_over_when_the_lease_expires_and_delivers_everything_in_order()
    {
        const int events = 6;
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Delay = TimeSpan.FromMilliseconds(1500);
        var tenant = await CreateTenantAsync(1);
        var created = await tenant.Admin().PostAsJsonAsync("/v1/webhooks", new { url = _receiver.Url, eventTypes = new[] { EventTypes.RosterSynced } });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var webhookId = (Guid)(await created.ReadObjectAsync())["webhook"]!["id"]!;
        for (var i = 0; i < events; i++)
        {
            (await tenant.Full().PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster",
                new { groups = Array.Empty<object>(), pupils = Array.Empty<object>(), guardians = Array.Empty<object>() })).EnsureSuccessStatusCode();
        }
        var order = await Factory.QueryAsync(db => db.OutboxEvents.Where(e => e.OrganisationId == tenant.OrganisationId)
            .OrderBy(e => e.Sequence).Select(e => e.Id.ToString()).ToListAsync());

        // The process delivers the first event, and is killed while the second is in flight.
        _child = ApiProcess.Start(Factory.ConnectionString, TakeOverSettings);
        await WebhookReceiver.WaitUntilAsync(() => _receiver.Requests.Count >= 2 || _child.Process.HasExited, TimeSpan.FromSeconds(60),
            "the API process to deliver");
        Assert.That(_child.Process.HasExited, Is.False, "the API process runs");
        await _child.KillAsync();
        var answeredBeforeKill = _receiver.Requests.Take(1).Select(r => r.Id).ToList();
        var inFlight = _receiver.Requests.Skip(1).Select(r => r.Id).Distinct().ToList();
        var lease = await Factory.QueryAsync(db => db.WebhookSubscriptions.Where(s => s.Id == webhookId)
            .Select(s => new { s.LeaseOwner, s.LeaseExpiresAt }).SingleAsync());
        Assert.That(lease.LeaseOwner, Is.Not.Null, "the killed process left its lease behind");

        await using var takeOver = new ConsentApiFactory(Factory.ConnectionString, TakeOverSettings);
        _ = takeOver.Server; // starts the host, and with it the dispatcher
        await WebhookReceiver.WaitUntilAsync(() => _receiver.Arrivals().FirstArrivals.Count >= events, TimeSpan.FromSeconds(60),
            "every event after the take-over");
        var pending = -1;
        for (var wait = 0; wait < 100 && pending != 0; wait++)
        {
            pending = await Factory.QueryAsync(db => db.WebhookDeliveries.CountAsync(d => d.SubscriptionId == webhookId && d.Status != DeliveryStatus.Delivered));
            await Task.Delay(100);
        }

        var (first, duplicates) = _receiver.Arrivals();
        var resent = _receiver.Requests.GroupBy(r => r.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var takenOverAt = _receiver.Requests.Skip(2).Select(r => r.ArrivedAt).DefaultIfEmpty().First();
        TestContext.Out.WriteLine($"{events} events, {duplicates} duplicate(s) ({string.Join(", ", resent.Select(id => order.IndexOf(id) + 1))}), " +
                                  $"take-over {(takenOverAt - lease.LeaseExpiresAt!.Value).TotalMilliseconds:0} ms after the lease expired");
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(order), "every event, first deliveries in order");
            Assert.That(resent, Is.SubsetOf(inFlight), "only the delivery in flight at the kill is sent again");
            Assert.That(resent.Intersect(answeredBeforeKill), Is.Empty, "a delivery answered before the kill is not sent again");
            Assert.That(pending, Is.Zero, "every delivery is recorded as delivered");
        });
    }
}
