using System.Net;
using System.Net.Http.Json;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Features.Webhooks;
using ConsentApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Observability;

/// <summary>
/// GET /metrics after a scenario: the product's meters with the counts the scenario made, the database gauges as the
/// outbox stands, and the ASP.NET Core and Npgsql instruments, scraped without an API key.
/// </summary>
public sealed class MetricsEndpointTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        // Every scrape reads the gauges afresh, so that the test sees the outbox before and after the delivery.
        ["Metrics:GaugeCacheDuration"] = "00:00:00",
    };

    private static async Task DecideAsync(HttpClient client, Guid pupilId, Guid versionId, Guid guardianId, string method, string outcome)
    {
        var response = await client.PostAsJsonAsync($"/v1/pupils/{pupilId}/decisions", new
        {
            formVersionId = versionId, decidedBy = "guardian", guardianId, method,
            items = new[] { new { mediaType = "photo", channel = "website", outcome } },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    private static async Task<bool> CheckAsync(HttpClient client, Guid pupilId)
    {
        var response = await client.PostAsJsonAsync("/v1/publication-checks", new { pupilIds = new[] { pupilId }, mediaType = "photo", channel = "website" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (bool)(await response.ReadObjectAsync())["allowed"]!;
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        var response = await Client().GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        return new PrometheusText(body);
    }

    [Test]
    public async Task After_a_scenario_the_scrape_shows_checks_decisions_takedowns_deliveries_and_the_outbox_with_their_labels()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var tenant = await CreateTenantAsync(1);
        var client = tenant.Full();
        var subscribed = await tenant.Admin().PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { EventTypes.TakedownOpened } });
        Assert.That(subscribed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await subscribed.Content.ReadAsStringAsync());
        var version = (Guid)(await PublishFormAsync(client, ["photo:website"]))["id"]!;
        var (anna, bram, cas) = (await CreatePupilAsync(client, tenant.SchoolId, "Anna"), await CreatePupilAsync(client, tenant.SchoolId, "Bram"),
            await CreatePupilAsync(client, tenant.SchoolId, "Cas"));
        var (mother, father) = (await CreateGuardianAsync(client, "Moeder"), await CreateGuardianAsync(client, "Vader"));
        await LinkAsync(client, anna, mother);
        await LinkAsync(client, bram, father);

        await DecideAsync(client, anna, version, mother, "parent-app", "granted");
        await DecideAsync(client, bram, version, father, "email", "granted");
        Assert.That(await CheckAsync(client, anna), Is.True);
        Assert.That(await CheckAsync(client, cas), Is.False, "nobody was asked for Cas");
        await RegisterAsync(client, tenant.SchoolId, "website", "photo", [anna, bram]);
        await DecideAsync(client, anna, version, mother, "parent-app", "refused");

        var waiting = await ScrapeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(waiting.Sum("consent_outbox_backlog"), Is.EqualTo(1), "the takedown.opened delivery waits");
            Assert.That(waiting.Sum("consent_outbox_oldest_age_seconds"), Is.GreaterThanOrEqualTo(0).And.LessThan(120));
            Assert.That(waiting.Has("consent_outbox_oldest_age_seconds"), waiting.Text);
        });
        var dispatcher = Factory.Services.GetRequiredService<WebhookDispatcher>();
        for (var round = 0; round < 100 && receiver.Requests.IsEmpty; round++)
        {
            await dispatcher.DispatchOnceAsync(CancellationToken.None);
        }
        Assert.That(receiver.Requests, Has.Count.EqualTo(1));
        // The exporter answers scrapes within 300 ms of each other from one collection.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var metrics = await ScrapeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(metrics.Sum("consent_checks_total", "outcome=allowed"), Is.EqualTo(1), metrics.Text);
            Assert.That(metrics.Sum("consent_checks_total", "outcome=not-allowed"), Is.EqualTo(1));
            Assert.That(metrics.Sum("consent_decisions_total", "method=parent-app", "outcome=granted"), Is.EqualTo(1));
            Assert.That(metrics.Sum("consent_decisions_total", "method=email", "outcome=granted"), Is.EqualTo(1));
            Assert.That(metrics.Sum("consent_decisions_total", "method=parent-app", "outcome=refused"), Is.EqualTo(1));
            Assert.That(metrics.Sum("consent_decisions_total"), Is.EqualTo(3));
            Assert.That(metrics.Sum("consent_takedowns_opened_total", "kind=removal"), Is.EqualTo(1));
            Assert.That(metrics.Sum("consent_takedowns_open"), Is.EqualTo(1));
            Assert.That(metrics.Sum("consent_webhook_deliveries_total", "result=delivered"), Is.EqualTo(1));
            Assert.That(metrics.LabelValues("consent_webhook_deliveries_total", "result"), Is.EqualTo(new[] { "delivered" }));
            Assert.That(metrics.Sum("consent_outbox_backlog"), Is.EqualTo(0), "delivered");
            Assert.That(metrics.Sum("consent_outbox_oldest_age_seconds"), Is.EqualTo(0));
            Assert.That(metrics.Sum("consent_api_key_cache_hits_total"), Is.GreaterThan(0));
            Assert.That(metrics.Sum("consent_api_key_cache_misses_total"), Is.GreaterThan(0));
            Assert.That(metrics.Sum("http_server_request_duration_seconds_count"), Is.GreaterThan(10), "ASP.NET Core's own meter");
            Assert.That(metrics.Names.Where(n => n.StartsWith("db_client_", StringComparison.Ordinal)), Is.Not.Empty, "Npgsql's meter");
            Assert.That(metrics.Names.Where(n => n.StartsWith("http_client_", StringComparison.Ordinal)), Is.Not.Empty, "the webhook call");
            Assert.That(metrics.Sum("db_client_operation_duration_seconds_count"), Is.GreaterThan(10), "statement durations");
            Assert.That(metrics.Names, Has.Some.StartsWith("db_client_connection_count"), "connections in use");
            // Recorded on every request or buffer and saying nothing the durations do not: dropped (ObservabilitySetup).
            string[] dropped = ["aspnetcore_memory_pool_", "aspnetcore_routing_", "aspnetcore_authentication_", "aspnetcore_authorization_",
                "db_client_operation_npgsql_bytes_"];
            Assert.That(metrics.Names.Where(n => dropped.Any(d => n.StartsWith(d, StringComparison.Ordinal))), Is.Empty, metrics.Text);
        });
    }

    [Test]
    public async Task The_scrape_endpoint_needs_no_key_is_not_rate_limited_and_is_not_in_the_contract()
    {
        var withBadKey = await Client("cak_0123456789ab_" + new string('x', 43)).GetAsync("/metrics");
        var document = await (await Client().GetAsync("/swagger/v1/swagger.json")).Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(withBadKey.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a key is not looked at");
            Assert.That(withBadKey.Headers.Contains("X-RateLimit-Limit"), Is.False);
            Assert.That(document, Does.Contain("\"/health/live\""), "the served document");
            Assert.That(document, Does.Not.Contain("/metrics"));
        });
    }
}

/// <summary>Metrics:Prometheus:Enabled=false: no scrape endpoint at all.</summary>
public sealed class MetricsEndpointOffTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Metrics:Prometheus:Enabled"] = "false",
    };

    [Test]
    public async Task With_the_endpoint_turned_off_metrics_is_404()
    {
        Assert.That((await Client().GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Client().GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}

/// <summary>Metrics:Prometheus:Port set: the endpoint answers only on that port, not on the API's.</summary>
public sealed class MetricsOnItsOwnPortTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Metrics:Prometheus:Port"] = "9464",
    };

    [Test]
    public async Task On_the_api_port_metrics_is_404()
    {
        Assert.That((await Client().GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Client().GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
