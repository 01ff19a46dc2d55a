using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Tests.Features.Webhooks;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ConsentApi.Tests.Features.Resilience;

/// <summary>
/// The webhook dispatcher serving a subscription on a connection out of step (see <see cref="OutOfStepSteps"/>): only the
/// statement that records delivery attempts is put out of step, so claiming the subscription and sending still work, and
/// without the connection being replaced every attempt would be sent and never recorded.
/// </summary>
public sealed class OutOfStepDeliveryTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:PollInterval"] = "00:00:00.100",
        ["Imports:PollInterval"] = "00:00:00",
    };

    protected override Task<string> CreateDatabaseAsync() => TestDatabase.CreateWithOneConnectionAsync();

    [Test]
    public async Task A_delivery_whose_attempt_could_not_be_recorded_is_recorded_once_the_connection_is_replaced()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        await using var receiver = await WebhookReceiver.StartAsync();
        var subscribed = await tenant.Admin().PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url, eventTypes = new[] { "roster.synced" } });
        Assert.That(subscribed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await subscribed.Content.ReadAsStringAsync());
        var full = tenant.Full();
        Task<int> DeliveredAsync() => Factory.QueryAsync(db => db.WebhookDeliveries.CountAsync(d => d.Status == DeliveryStatus.Delivered));
        async Task SyncAndWaitAsync(int delivered)
        {
            var synced = await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster",
                new { groups = Array.Empty<object>(), pupils = Array.Empty<object>(), guardians = Array.Empty<object>() });
            Assert.That(synced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await synced.Content.ReadAsStringAsync());
            var started = DateTime.UtcNow;
            while (await DeliveredAsync() < delivered)
            {
                Assert.That(DateTime.UtcNow - started, Is.LessThan(OutOfStepSteps.Deadline), $"delivery {delivered} is recorded");
                await Task.Delay(50);
            }
        }
        for (var i = 1; i <= 3; i++)
        {
            await SyncAndWaitAsync(i); // the attempt's statement is prepared on its second use
        }

        var pid = await OutOfStepSteps.PutOutOfStepAsync(Factory.Services.GetRequiredService<NpgsqlDataSource>(), "%consecutive_failures%");

        await SyncAndWaitAsync(4);
        await OutOfStepSteps.WaitUntilClosedAsync(Factory.ConnectionString, pid);
        Assert.That(receiver.Arrivals().FirstArrivals, Has.Count.EqualTo(4), "every event arrived");
    }
}
