using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
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
        ["Webhooks:Timeout"] = "00:00:02",
        ["Webhooks:LeaseDuration"] = "00:00:03",
    };

    private Process? _child;
    private WebhookReceiver? _receiver;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    [TearDown]
    public async Task StopAsync()
    {
        if (_child is { HasExited: false })
        {
            _child.Kill(entireProcessTree: true);
            await _child.WaitForExitAsync();
        }
        _child?.Dispose();
        _child = null;
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    /// <summary>The API's own build output, next to this test project's: src/ConsentApi/bin/{configuration}/{framework}.</summary>
    private static string ApiDll()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (testOutput.Name, testOutput.Parent!.Name);
        for (var directory = testOutput; directory is not null; directory = directory.Parent)
        {
            var dll = Path.Combine(directory.FullName, "src", "ConsentApi", "bin", configuration, framework, "ConsentApi.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }
        throw new FileNotFoundException("The API's build output was not found above " + testOutput.FullName);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Process StartApiProcess()
    {
        var dll = ApiDll();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{FreePort()}" },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ConnectionStrings__ConsentDb"] = Factory.ConnectionString;
        start.Environment["Bootstrap__AdminApiKey"] = ConsentApiFactory.BootstrapKey;
        start.Environment["Takedowns__SweepInterval"] = "00:00:00";
        foreach (var (key, value) in TakeOverSettings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the API.");
        // Drained so the child never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                TestContext.Progress.WriteLine("api: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
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
        _child = StartApiProcess();
        await WebhookReceiver.WaitUntilAsync(() => _receiver.Requests.Count >= 2 || _child.HasExited, TimeSpan.FromSeconds(60),
            "the API process to deliver");
        Assert.That(_child.HasExited, Is.False, "the API process runs");
        _child.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no release
        await _child.WaitForExitAsync();
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
