using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentApi.Tests.Features.Webhooks;

/// <summary>Signed, at-least-once, ordered delivery to a real HTTP receiver; the dispatcher is driven round by round.</summary>
public sealed class WebhookDeliveryTests : ApiTest
{
    private static readonly Dictionary<string, string> WebhookSettings = new()
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:RetryBaseDelay"] = "00:00:00.001",
    };

    private WebhookReceiver _receiver = null!;

    protected override IReadOnlyDictionary<string, string> Settings => WebhookSettings;

    [SetUp]
    public async Task StartReceiverAsync() => _receiver = await WebhookReceiver.StartAsync();

    [TearDown]
    public async Task StopReceiverAsync() => await _receiver.DisposeAsync();

    private async Task<(Tenant Tenant, Guid WebhookId, string Secret)> SubscribeAsync(params string[] eventTypes)
    {
        var tenant = await CreateTenantAsync();
        var created = await (await tenant.Admin().PostAsJsonAsync("/v1/webhooks",
            new { url = _receiver.Url, eventTypes = eventTypes.Length == 0 ? ["roster.synced"] : eventTypes })).ReadObjectAsync();
        return (tenant, (Guid)created["webhook"]!["id"]!, (string)created["secret"]!);
    }

    /// <summary>Each roster sync of the school emits one roster.synced event.</summary>
    private static async Task EmitAsync(Tenant tenant, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            var response = await tenant.Full().PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster",
                new { groups = Array.Empty<object>(), pupils = Array.Empty<object>(), guardians = Array.Empty<object>() });
            response.EnsureSuccessStatusCode();
        }
    }

    private static WebhookDispatcher DispatcherOf(ConsentApiFactory factory) => factory.Services.GetRequiredService<WebhookDispatcher>();

    /// <summary>Runs dispatch rounds until nothing is pending any more (or gives up after a few seconds).</summary>
    private async Task DrainAsync(ConsentApiFactory factory, Guid webhookId)
    {
        for (var round = 0; round < 200; round++)
        {
            await DispatcherOf(factory).DispatchOnceAsync(CancellationToken.None);
            var pending = await Factory.QueryAsync(db => db.WebhookDeliveries.CountAsync(d => d.SubscriptionId == webhookId && d.Status == DeliveryStatus.Pending));
            if (pending == 0)
            {
                return;
            }
            await Task.Delay(20);
        }
        Assert.Fail("Deliveries stayed pending.");
    }

    [Test]
    public async Task A_delivery_carries_a_standard_webhooks_signature_that_verifies_with_the_documented_algorithm()
    {
        var (tenant, webhookId, secret) = await SubscribeAsync();
        await EmitAsync(tenant);

        await DrainAsync(Factory, webhookId);

        var received = _receiver.Requests.Single();
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.{received.Body}")));
        var body = JsonNode.Parse(received.Body)!;
        Assert.Multiple(() =>
        {
            Assert.That(secret, Does.StartWith("whsec_"));
            Assert.That(received.Signature, Is.EqualTo(expected));
            Assert.That(long.Parse(received.Timestamp, System.Globalization.CultureInfo.InvariantCulture),
                Is.EqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Within(60));
            Assert.That((string?)body["id"], Is.EqualTo(received.Id));
            Assert.That((string?)body["type"], Is.EqualTo("roster.synced"));
            Assert.That((Guid?)body["schoolId"], Is.EqualTo(tenant.SchoolId));
        });
    }

    [Test]
    public async Task A_receiver_failing_twice_gets_the_event_three_times_and_it_is_then_delivered()
    {
        var (tenant, webhookId, _) = await SubscribeAsync();
        _receiver.AnswerWith(500, 500);
        await EmitAsync(tenant);

        await DrainAsync(Factory, webhookId);

        var requests = _receiver.Requests.ToList();
        Assert.That(requests.Select(r => r.AnsweredWith), Is.EqualTo(new[] { 500, 500, 200 }));
        Assert.That(requests.Select(r => r.Id).Distinct().Count(), Is.EqualTo(1), "a retry is the same message");
        var page = await (await tenant.Admin().GetAsync($"/v1/webhooks/{webhookId}/deliveries")).ReadObjectAsync();
        var delivery = page["items"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)delivery["status"], Is.EqualTo("delivered"));
            Assert.That((int?)delivery["attempts"], Is.EqualTo(3));
            Assert.That(delivery["attemptLog"]!.AsArray().Select(a => (int?)a!["statusCode"]), Is.EqualTo(new int?[] { 500, 500, 200 }));
            Assert.That((string?)delivery["eventType"], Is.EqualTo("roster.synced"));
        });
    }

    [Test]
    public async Task An_event_written_before_a_restart_is_delivered_by_the_next_instance()
    {
        var (tenant, webhookId, _) = await SubscribeAsync();
        await EmitAsync(tenant);
        Assert.That(_receiver.Requests, Is.Empty, "the request that caused the event does not deliver it");

        // A fresh instance on the same database, as after a restart.
        await using var restarted = new ConsentApiFactory(Factory.ConnectionString, WebhookSettings);
        await DrainAsync(restarted, webhookId);

        Assert.That(_receiver.Requests, Has.Count.EqualTo(1));
        Assert.That(_receiver.Requests.Single().AnsweredWith, Is.EqualTo(200));
    }

    [Test]
    public async Task Two_dispatchers_at_once_deliver_every_event_exactly_once_and_in_order()
    {
        var (tenant, webhookId, _) = await SubscribeAsync();
        await EmitAsync(tenant, 12);
        await using var second = new ConsentApiFactory(Factory.ConnectionString, WebhookSettings);
        var (one, two) = (DispatcherOf(Factory), DispatcherOf(second));

        for (var round = 0; round < 50 && _receiver.Requests.Count < 12; round++)
        {
            await Task.WhenAll(one.DispatchOnceAsync(CancellationToken.None), two.DispatchOnceAsync(CancellationToken.None));
        }

        var ids = _receiver.Requests.Select(r => r.Id).ToList();
        var events = await Factory.QueryAsync(db => db.OutboxEvents.Where(e => e.Type == EventTypes.RosterSynced && e.OrganisationId == tenant.OrganisationId)
            .OrderBy(e => e.Sequence).Select(e => e.Id.ToString()).ToListAsync());
        Assert.That(ids, Is.EqualTo(events), "each event once, in the order written");
        Assert.That(await Factory.QueryAsync(db => db.WebhookDeliveries.CountAsync(d => d.SubscriptionId == webhookId && d.Status == DeliveryStatus.Delivered)),
            Is.EqualTo(12));
    }

    [Test]
    public async Task A_subscription_is_marked_failing_after_five_failed_attempts_and_active_again_after_a_success()
    {
        var (tenant, webhookId, _) = await SubscribeAsync();
        _receiver.AnswerWith(500, 502, 503, 500, 500);
        await EmitAsync(tenant);

        for (var round = 0; round < 200 && _receiver.Requests.Count < 5; round++)
        {
            await DispatcherOf(Factory).DispatchOnceAsync(CancellationToken.None);
            await Task.Delay(10);
        }
        var failing = await (await tenant.Admin().GetAsync($"/v1/webhooks/{webhookId}")).ReadObjectAsync();
        Assert.That((string?)failing["status"], Is.EqualTo("failing"));

        await DrainAsync(Factory, webhookId);
        var recovered = await (await tenant.Admin().GetAsync($"/v1/webhooks/{webhookId}")).ReadObjectAsync();
        Assert.That((string?)recovered["status"], Is.EqualTo("active"));
        Assert.That(_receiver.Requests.Select(r => r.AnsweredWith), Is.EqualTo(new[] { 500, 502, 503, 500, 500, 200 }));
    }

    [Test]
    public async Task A_deleted_subscription_gets_nothing_more_and_a_delivery_can_be_resent()
    {
        var (tenant, webhookId, _) = await SubscribeAsync();
        await EmitAsync(tenant);
        await DrainAsync(Factory, webhookId);
        var deliveryId = await Factory.QueryAsync(db => db.WebhookDeliveries.Where(d => d.SubscriptionId == webhookId).Select(d => d.Id).SingleAsync());

        Assert.That((await tenant.Admin().PostAsync($"/v1/webhooks/{webhookId}/deliveries/{deliveryId}/resend", null)).StatusCode,
            Is.EqualTo(HttpStatusCode.Accepted));
        await DrainAsync(Factory, webhookId);
        Assert.That(_receiver.Requests, Has.Count.EqualTo(2));

        Assert.That((await tenant.Admin().DeleteAsync($"/v1/webhooks/{webhookId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await EmitAsync(tenant);
        await DispatcherOf(Factory).DispatchOnceAsync(CancellationToken.None);
        Assert.That(_receiver.Requests, Has.Count.EqualTo(2));
        var webhook = await (await tenant.Admin().GetAsync($"/v1/webhooks/{webhookId}")).ReadObjectAsync();
        Assert.That((string?)webhook["status"], Is.EqualTo("disabled"));
        await AssertProblemAsync(await tenant.Admin().PostAsync($"/v1/webhooks/{webhookId}/deliveries/{deliveryId}/resend", null),
            HttpStatusCode.Conflict, "conflict");
    }
}

/// <summary>With default settings: https only, and no private, loopback or link-local targets (SSRF).</summary>
public sealed class WebhookSubscriptionValidationTests : ApiTest
{
    [TestCase("http://hooks.example.org/consent", "must use https")]
    [TestCase("https://127.0.0.1/hook", "private address")]
    [TestCase("https://10.1.2.3/hook", "private address")]
    [TestCase("https://169.254.169.254/latest/meta-data", "private address")]
    [TestCase("https://[::1]/hook", "private address")]
    [TestCase("https://user:secret@192.0.2.10/hook", "credentials")]
    public async Task An_unsafe_url_is_refused_and_nothing_is_written(string url, string reason)
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/webhooks", new { url, eventTypes = new[] { "consent.changed" } }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That((string?)problem["errors"]!["url"]![0], Does.Contain(reason));
        Assert.That(await Factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync(s => s.OrganisationId == tenant.OrganisationId)), Is.Zero);
    }

    [Test]
    public async Task An_unknown_event_type_is_refused()
    {
        var tenant = await CreateTenantAsync();
        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/webhooks",
            new { url = "https://127.0.0.1/hook", eventTypes = new[] { "pupil.deleted" } }), HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "eventTypes" }));
    }
}

/// <summary>
/// Subscribing where the address check lets the URL through. Tests subscribe loopback only (with private networks
/// allowed), never a public address; that public addresses pass the check is shown by WebhookAddressTests, without
/// any traffic. Nothing is dispatched here.
/// </summary>
public sealed class WebhookSubscriptionTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    [Test]
    public async Task A_reachable_https_url_is_accepted_and_the_secret_is_shown_once()
    {
        var tenant = await CreateTenantAsync();
        var created = await (await tenant.Admin().PostAsJsonAsync("/v1/webhooks",
            new { url = "https://127.0.0.1/hook", eventTypes = new[] { "consent.changed", "takedown.opened" } })).ReadObjectAsync();
        var id = (Guid)created["webhook"]!["id"]!;
        Assert.That((string?)created["secret"], Does.Match("^whsec_[A-Za-z0-9+/]{43}=$"));
        var read = await (await tenant.Admin().GetAsync($"/v1/webhooks/{id}")).Content.ReadAsStringAsync();
        Assert.That(read, Does.Not.Contain("whsec_"));
        Assert.That(read, Does.Contain("\"status\":\"active\""));
    }
}
