using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Webhooks;

/// <summary>
/// The dispatcher as it runs in production: in the background, polling every 100 ms, on one or two instances over the
/// same database, delivering to real receivers on 127.0.0.1.
/// </summary>
public sealed class BackgroundDispatchTests : ApiTest
{
    private static readonly Dictionary<string, string> DispatchSettings = new()
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:RetryBaseDelay"] = "00:00:00.001",
        ["Webhooks:PollInterval"] = "00:00:00.100",
    };

    private readonly List<WebhookReceiver> _receivers = [];

    protected override IReadOnlyDictionary<string, string> Settings => DispatchSettings;

    [TearDown]
    public async Task StopReceiversAsync()
    {
        foreach (var receiver in _receivers)
        {
            await receiver.DisposeAsync();
        }
        _receivers.Clear();
    }

    private async Task<WebhookReceiver> ReceiverAsync(TimeSpan delay = default)
    {
        var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = delay;
        _receivers.Add(receiver);
        return receiver;
    }

    private static async Task<Guid> SubscribeAsync(Tenant tenant, WebhookReceiver receiver, string eventType)
    {
        var response = await tenant.Admin().PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { eventType } });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["webhook"]!["id"]!;
    }

    /// <summary>One roster sync of the tenant's school: one roster.synced event. Returns the response status.</summary>
    private static async Task<HttpStatusCode> SyncRosterAsync(HttpClient client, Tenant tenant) =>
        (await client.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster",
            new { groups = Array.Empty<object>(), pupils = Array.Empty<object>(), guardians = Array.Empty<object>() })).StatusCode;

    private async Task<List<string>> EventIdsAsync(Guid organisationId, string type) =>
        await Factory.QueryAsync(db => db.OutboxEvents.Where(e => e.OrganisationId == organisationId && e.Type == type)
            .OrderBy(e => e.Sequence).Select(e => e.Id.ToString()).ToListAsync());

    /// <summary>Arrivals that came after an arrival of an event positioned later (first arrivals only).</summary>
    private static int Inversions(IEnumerable<string> firstArrivals, IReadOnlyList<string> positionOrder)
    {
        var position = positionOrder.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var highest = -1;
        var inversions = 0;
        foreach (var id in firstArrivals)
        {
            if (position[id] < highest)
            {
                inversions++;
            }
            highest = Math.Max(highest, position[id]);
        }
        return inversions;
    }

    [Test]
    public async Task A_slow_receiver_of_one_school_board_does_not_hold_up_the_writes_or_deliveries_of_another()
    {
        const int backlog = 6;
        const int writes = 5;
        var slow = await ReceiverAsync(TimeSpan.FromMilliseconds(1500));
        var fast = await ReceiverAsync();
        var x = await CreateTenantAsync(1);
        var y = await CreateTenantAsync(1);
        await SubscribeAsync(x, slow, EventTypes.RosterSynced);
        await SubscribeAsync(y, fast, EventTypes.RosterSynced);
        for (var i = 0; i < backlog; i++)
        {
            Assert.That(await SyncRosterAsync(x.Full(), x), Is.EqualTo(HttpStatusCode.OK));
        }
        await WebhookReceiver.WaitUntilAsync(() => !slow.Requests.IsEmpty, TimeSpan.FromSeconds(30), "X's first delivery to start");

        // While X's receiver works through its backlog (about 9 s), Y writes and expects its events at once.
        var written = new List<(HttpStatusCode Status, DateTimeOffset At)>();
        for (var i = 0; i < writes; i++)
        {
            var status = await SyncRosterAsync(y.Full(), y);
            written.Add((status, DateTimeOffset.UtcNow));
            await Task.Delay(200);
        }
        await WebhookReceiver.WaitUntilAsync(() => fast.Requests.Count >= writes, TimeSpan.FromSeconds(60), "Y's deliveries");
        var slowDoneWhenFastDone = slow.Requests.Count;

        var yEvents = await EventIdsAsync(y.OrganisationId, EventTypes.RosterSynced);
        var arrivals = fast.Requests.ToList();
        var lags = arrivals.Select((r, i) => (r.ArrivedAt - written[i].At).TotalMilliseconds).ToList();
        TestContext.Out.WriteLine($"Y: {writes} events, delivery lag after the write's response: max {lags.Max():0} ms, mean {lags.Average():0} ms; " +
                                  $"X had received {slowDoneWhenFastDone} of {backlog} by then.");
        Assert.Multiple(() =>
        {
            Assert.That(written.Select(w => w.Status), Has.All.EqualTo(HttpStatusCode.OK), "Y's writes succeed while X is being delivered");
            Assert.That(arrivals.Select(r => r.Id), Is.EqualTo(yEvents), "Y's events, each once, in order");
            Assert.That(slowDoneWhenFastDone, Is.LessThan(backlog), "Y's deliveries did not wait for X's backlog");
        });

        await WebhookReceiver.WaitUntilAsync(() => slow.Requests.Count >= backlog, TimeSpan.FromSeconds(60), "X's backlog");
        Assert.That(slow.Requests.Select(r => r.Id), Is.EqualTo(await EventIdsAsync(x.OrganisationId, EventTypes.RosterSynced)),
            "X still gets every event, in order");
    }

    [Test]
    public async Task Two_instances_dispatching_while_many_writers_commit_deliver_every_event_in_position_order()
    {
        const int pupils = 8;
        const int togglesPerPupil = 30;
        await using var second = new ConsentApiFactory(Factory.ConnectionString, DispatchSettings);
        var receivers = new[] { await ReceiverAsync(), await ReceiverAsync() };
        var tenant = await CreateTenantAsync(1);
        foreach (var receiver in receivers)
        {
            await SubscribeAsync(tenant, receiver, EventTypes.ConsentChanged);
        }
        var full = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:social-media"]))["id"]!;
        var guardian = await CreateGuardianAsync(full, "Ouder Gelijktijdig");
        var pupilIds = new List<Guid>();
        for (var i = 0; i < pupils; i++)
        {
            var pupil = await CreatePupilAsync(full, tenant.SchoolId, $"Leerling {i}");
            await LinkAsync(full, pupil, guardian);
            pupilIds.Add(pupil);
        }

        // Every pupil's consent flips back and forth, all pupils at once, half through each instance: transactions
        // interleave, and one that took its position first may commit last.
        var onSecond = second.CreateClient();
        onSecond.DefaultRequestHeaders.Add("X-Api-Key", tenant.FullKey);
        var failures = new ConcurrentBag<string>();
        await Task.WhenAll(pupilIds.Select((pupil, i) => Task.Run(async () =>
        {
            var client = i % 2 == 0 ? full : onSecond;
            for (var toggle = 0; toggle < togglesPerPupil; toggle++)
            {
                var outcome = toggle % 2 == 0 ? "granted" : "refused";
                var response = await SendDecisionsAsync(client, pupil, versionId, guardian, [$"photo:social-media={outcome}"]);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        })));
        Assert.That(failures, Is.Empty);

        var events = await EventIdsAsync(tenant.OrganisationId, EventTypes.ConsentChanged);
        Assert.That(events, Has.Count.EqualTo(pupils * togglesPerPupil), "one consent.changed per decision");
        foreach (var receiver in receivers)
        {
            await WebhookReceiver.WaitUntilAsync(() => receiver.Arrivals().FirstArrivals.Count >= events.Count, TimeSpan.FromSeconds(120),
                "every event at every subscription");
        }

        for (var r = 0; r < receivers.Length; r++)
        {
            var (first, duplicates) = receivers[r].Arrivals();
            var inversions = Inversions(first, events);
            TestContext.Out.WriteLine($"subscription {r + 1}: {events.Count} events, {inversions} inversions, {duplicates} duplicates");
            Assert.Multiple(() =>
            {
                Assert.That(inversions, Is.Zero, "no event arrived after one positioned later");
                Assert.That(first, Is.EqualTo(events), "first deliveries in position order, none missing");
            });
        }
        var undelivered = -1;
        for (var wait = 0; wait < 300 && undelivered != 0; wait++)
        {
            // The receiver records a request before it answers; the outcome is recorded just after.
            undelivered = await Factory.QueryAsync(db => db.WebhookDeliveries.CountAsync(d => d.Status != DeliveryStatus.Delivered
                && db.WebhookSubscriptions.Any(s => s.Id == d.SubscriptionId && s.OrganisationId == tenant.OrganisationId)));
            await Task.Delay(100);
        }
        Assert.That(undelivered, Is.Zero, "every delivery is recorded as delivered");
    }
}
