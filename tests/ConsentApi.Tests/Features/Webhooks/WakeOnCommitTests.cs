using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Webhooks;

/// <summary>
/// A commit wakes the dispatchers at once (LISTEN/NOTIFY), on every instance, although their next poll is ten minutes
/// away: a delivery that arrives within seconds here was not brought by polling. The fixture's own app dispatches
/// nothing; each test starts the dispatching instance it needs over the same database.
/// </summary>
public sealed class WakeOnCommitTests : ApiTest
{
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(15);

    private readonly List<IAsyncDisposable> _started = [];

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    private sealed record Family(Tenant Tenant, Guid VersionId, Guid GuardianId, Guid PupilId);

    [TearDown]
    public async Task StopStartedAsync()
    {
        foreach (var started in Enumerable.Reverse(_started))
        {
            await started.DisposeAsync();
        }
        _started.Clear();
    }

    /// <summary>An instance over the fixture's database whose dispatcher polls only every ten minutes.</summary>
    private ConsentApiFactory StartDispatcher(bool wakeOnCommit)
    {
        var instance = new ConsentApiFactory(Factory.ConnectionString, new Dictionary<string, string>
        {
            ["Webhooks:AllowHttp"] = "true",
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:PollInterval"] = "00:10:00",
            ["Webhooks:WakeOnCommit"] = wakeOnCommit ? "true" : "false",
        });
        _started.Add(instance);
        _ = instance.Server; // starts the host and its background services
        return instance;
    }

    private async Task<WebhookReceiver> ReceiverAsync()
    {
        var receiver = await WebhookReceiver.StartAsync();
        _started.Add(receiver);
        return receiver;
    }

    /// <summary>A tenant with a consent.changed subscription to <paramref name="receiver"/> and one pupil with a guardian.</summary>
    private async Task<Family> FamilyAsync(WebhookReceiver receiver)
    {
        var tenant = await CreateTenantAsync(1);
        var subscribed = await tenant.Admin().PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { EventTypes.ConsentChanged } });
        Assert.That(subscribed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await subscribed.Content.ReadAsStringAsync());
        var full = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:social-media"]))["id"]!;
        var guardian = await CreateGuardianAsync(full, "Ouder Wekker");
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Leerling Wekker");
        await LinkAsync(full, pupil, guardian);
        return new Family(tenant, versionId, guardian, pupil);
    }

    private async Task<List<string>> ConsentEventIdsAsync(Guid organisationId) =>
        await Factory.QueryAsync(db => db.OutboxEvents.Where(e => e.OrganisationId == organisationId && e.Type == EventTypes.ConsentChanged)
            .OrderBy(e => e.Sequence).Select(e => e.Id.ToString()).ToListAsync());

    /// <summary>
    /// A decision made before the dispatcher starts is delivered by its first pass at start-up; once it has arrived and
    /// the dispatcher has had a moment to go idle, only a wake (or a poll, ten minutes away) brings the next one.
    /// </summary>
    private async Task<Family> DeliveredFirstAsync(WebhookReceiver receiver, Func<ConsentApiFactory> start)
    {
        var family = await FamilyAsync(receiver);
        await DecideAsync(family.Tenant.Full(), family.PupilId, family.VersionId, family.GuardianId, "granted", ["photo:social-media"]);
        start();
        await WebhookReceiver.WaitUntilAsync(() => !receiver.Requests.IsEmpty, TimeSpan.FromSeconds(30), "the start-up pass's delivery");
        await Task.Delay(TimeSpan.FromSeconds(1));
        return family;
    }

    private static HttpClient ClientOf(ConsentApiFactory instance, Tenant tenant)
    {
        var client = instance.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", tenant.FullKey);
        return client;
    }

    [Test]
    public async Task A_decision_reaches_the_receiver_at_once_although_the_next_poll_is_ten_minutes_away()
    {
        var receiver = await ReceiverAsync();
        ConsentApiFactory? instance = null;
        var family = await DeliveredFirstAsync(receiver, () => instance = StartDispatcher(wakeOnCommit: true));

        await DecideAsync(ClientOf(instance!, family.Tenant), family.PupilId, family.VersionId, family.GuardianId, "refused",
            ["photo:social-media"]);

        await WebhookReceiver.WaitUntilAsync(() => receiver.Requests.Count >= 2, Promptly, "the woken delivery");
        Assert.That(receiver.Requests.Select(r => r.Id), Is.EqualTo(await ConsentEventIdsAsync(family.Tenant.OrganisationId)));
    }

    [Test]
    public async Task Without_wake_on_commit_the_same_decision_waits_for_the_poll()
    {
        var receiver = await ReceiverAsync();
        ConsentApiFactory? instance = null;
        var family = await DeliveredFirstAsync(receiver, () => instance = StartDispatcher(wakeOnCommit: false));

        await DecideAsync(ClientOf(instance!, family.Tenant), family.PupilId, family.VersionId, family.GuardianId, "refused",
            ["photo:social-media"]);

        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.That(receiver.Requests, Has.Count.EqualTo(1), "only the start-up pass's delivery: the next waits for the poll");
    }

    [Test]
    public async Task A_commit_through_an_instance_whose_dispatcher_is_off_wakes_the_dispatcher_of_another()
    {
        var receiver = await ReceiverAsync();
        var family = await DeliveredFirstAsync(receiver, () => StartDispatcher(wakeOnCommit: true));

        // The fixture's own app writes; its dispatcher is off (PollInterval zero).
        await DecideAsync(family.Tenant.Full(), family.PupilId, family.VersionId, family.GuardianId, "refused", ["photo:social-media"]);

        await WebhookReceiver.WaitUntilAsync(() => receiver.Requests.Count >= 2, Promptly, "the delivery woken from the other instance");
        Assert.That(receiver.Requests.Select(r => r.Id), Is.EqualTo(await ConsentEventIdsAsync(family.Tenant.OrganisationId)));
    }

    [Test]
    public async Task Events_of_a_transaction_that_rolls_back_are_never_delivered_and_the_next_commit_still_wakes()
    {
        var receiver = await ReceiverAsync();
        var family = await DeliveredFirstAsync(receiver, () => StartDispatcher(wakeOnCommit: true));

        // The outbox writes an event with its delivery, as in any command, and then the transaction fails.
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<EventOutbox>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await outbox.AddAsync(EventTypes.ConsentChanged, family.Tenant.OrganisationId, family.Tenant.SchoolId,
                new ConsentChangedEvent(family.PupilId, 99, []), CancellationToken.None);
            await db.SaveChangesAsync();
            Assert.That(await db.WebhookDeliveries.CountAsync(d => d.Status == DeliveryStatus.Pending
                && db.OutboxEvents.Any(e => e.Id == d.EventId && e.OrganisationId == family.Tenant.OrganisationId)), Is.EqualTo(1),
                "the rolled-back delivery was written");
            await transaction.RollbackAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(receiver.Requests, Has.Count.EqualTo(1), "nothing of the rolled-back transaction");

        await DecideAsync(family.Tenant.Full(), family.PupilId, family.VersionId, family.GuardianId, "refused", ["photo:social-media"]);
        await WebhookReceiver.WaitUntilAsync(() => receiver.Requests.Count >= 2, Promptly, "the committed decision's delivery");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(receiver.Requests.Select(r => r.Id), Is.EqualTo(await ConsentEventIdsAsync(family.Tenant.OrganisationId)),
            "the committed events only, each once");
    }

    [Test]
    public async Task After_its_connection_is_killed_the_listener_reconnects_and_the_next_commit_still_wakes_the_dispatcher()
    {
        var receiver = await ReceiverAsync();
        var family = await DeliveredFirstAsync(receiver, () => StartDispatcher(wakeOnCommit: true));
        await using var owner = new NpgsqlConnection(TestDatabase.OwnerConnectionStringOf(Factory.ConnectionString));
        await owner.OpenAsync();
        var killed = await ListenerAsync(owner, except: null);

        await using (var terminate = new NpgsqlCommand("SELECT pg_terminate_backend($1)", owner) { Parameters = { new() { Value = killed } } })
        {
            Assert.That(await terminate.ExecuteScalarAsync(), Is.True);
        }
        await ListenerAsync(owner, except: killed);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the pass that follows a reconnect finds nothing

        await DecideAsync(family.Tenant.Full(), family.PupilId, family.VersionId, family.GuardianId, "refused", ["photo:social-media"]);
        await WebhookReceiver.WaitUntilAsync(() => receiver.Requests.Count >= 2, Promptly, "the delivery woken after the reconnect");
    }

    /// <summary>The backend of the dispatching instance's listener, once it listens (other than <paramref name="except"/>).</summary>
    private static async Task<int> ListenerAsync(NpgsqlConnection owner, int? except)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            await using var find = new NpgsqlCommand("""
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = $1 AND query = $2 AND pid <> $3
                """, owner)
            {
                Parameters = { new() { Value = CommitListener.ApplicationName }, new() { Value = $"LISTEN {CommitListener.Channel}" }, new() { Value = except ?? 0 } },
            };
            if (await find.ExecuteScalarAsync() is int pid)
            {
                return pid;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("No listener connection appeared.");
            }
            await Task.Delay(100);
        }
    }
}
