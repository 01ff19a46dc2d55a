using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Npgsql;

namespace ConsentApi.Bench;

/// <summary>
/// Webhook delivery, on an empty migrated database of its own (no data set needed), to a receiver in this process on
/// 127.0.0.1: (a) idle latency, one decision at a time, each waited for at the receiver, with wake-on-commit on and
/// then off (polling every second); (b) sustained throughput, a backlog of consent.changed events for ten
/// subscriptions drained by one instance. Run with <c>bench/run.sh webhooks</c>.
/// </summary>
public static class WebhookRun
{
    private const string BootstrapKey = "bench-platform-operator-key-0123456789abcdef";
    private const string Database = "bench_webhooks";
    private const int Subscriptions = 10;

    private sealed record Family(string AdminKey, string ClientKey, Guid VersionId, List<(Guid Pupil, Guid Guardian)> Pupils);

    public static async Task<int> RunAsync(BenchSettings settings, bool quick, Action<string> log)
    {
        var woken = quick ? 20 : 200;
        var polled = quick ? 10 : 50;
        var backlogDecisions = quick ? 200 : 1_500;

        await using var admin = new NpgsqlConnection(settings.HarnessConnectionTo("postgres"));
        await admin.OpenAsync();
        await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        await Sql.ExecuteAsync(admin, $"CREATE DATABASE {Database}");
        var connection = settings.ConnectionTo(Database);
        await Server.RunModeAsync(settings.ApiDll, "migrate", new Dictionary<string, string> { ["ConnectionStrings__ConsentDb"] = connection });
        await using var db = new NpgsqlConnection(settings.HarnessConnectionTo(Database));
        await db.OpenAsync();
        await using var receiver = Receiver.Start(5200);

        Dictionary<string, string> Environment(TimeSpan poll, bool wake) => new()
        {
            ["ConnectionStrings__ConsentDb"] = connection,
            ["Bootstrap__AdminApiKey"] = BootstrapKey,
            ["RateLimiting__PermitsPerMinute"] = "100000000",
            ["Webhooks__AllowHttp"] = "true",
            ["Webhooks__AllowPrivateNetworks"] = "true",
            ["Webhooks__PollInterval"] = poll.ToString("c", CultureInfo.InvariantCulture),
            ["Webhooks__WakeOnCommit"] = wake ? "true" : "false",
        };

        var lines = new List<string>
        {
            $"# Webhook delivery — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC", "",
            $"Machine: {System.Environment.ProcessorCount} cores; load average at start {File.ReadAllText("/proc/loadavg").Split(' ')[0]}.",
            "Commit→delivery is measured from the decision's request (upper bound: includes the command itself) and from its response (the commit is between the two).", "",
            "| scenario | decisions | p50 from request (ms) | p99 from request (ms) | p50 from response (ms) | p99 from response (ms) |",
            "|---|---|---|---|---|---|",
        };
        var met = true;
        foreach (var (label, wake, count) in new[] { ("wake on commit (poll 1 s as fallback)", true, woken), ("polling only (1 s)", false, polled) })
        {
            await using var api = await Server.StartAsync("API", settings.ApiDll, Server.FreePort(), Environment(TimeSpan.FromSeconds(1), wake));
            using var http = new HttpClient { BaseAddress = api.Address };
            var family = await FamilyAsync(http, db, pupils: 1);
            var path = $"/{(wake ? "on" : "off")}";
            await SubscribeAsync(http, family.AdminKey, receiver.UrlFor(path));
            var (pupil, guardian) = family.Pupils[0];
            var fromRequest = new List<double>();
            var fromResponse = new List<double>();
            for (var i = 0; i < count + 5; i++)
            {
                var before = receiver.CountAt(path);
                var sent = Stopwatch.GetTimestamp();
                await DecideAsync(http, family, pupil, guardian, i % 2 == 0 ? "granted" : "refused");
                var answered = Stopwatch.GetTimestamp();
                var arrived = await receiver.WaitForAsync(path, before + 1, TimeSpan.FromSeconds(30));
                if (i >= 5) // the first few warm the JIT and the connections up
                {
                    fromRequest.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
                    fromResponse.Add(Stopwatch.GetElapsedTime(answered, arrived).TotalMilliseconds);
                }
            }
            log($"webhooks: {label}: p50 {Latency.Percentile(fromRequest, 50):F1} ms, p99 {Latency.Percentile(fromRequest, 99):F1} ms from the request");
            lines.Add($"| {label} | {count} | {Latency.Percentile(fromRequest, 50):F1} | {Latency.Percentile(fromRequest, 99):F1} | {Latency.Percentile(fromResponse, 50):F1} | {Latency.Percentile(fromResponse, 99):F1} |");
            if (wake)
            {
                met &= Latency.Percentile(fromRequest, 99) <= 200;
            }
        }

        // The backlog is written with every dispatcher off, then one instance drains it: its delivery rate alone.
        double rate;
        int delivered;
        double drained;
        {
            await using var writer = await Server.StartAsync("API", settings.ApiDll, Server.FreePort(), Environment(TimeSpan.Zero, wake: false));
            using var http = new HttpClient { BaseAddress = writer.Address };
            var family = await FamilyAsync(http, db, pupils: 64);
            for (var s = 0; s < Subscriptions; s++)
            {
                await SubscribeAsync(http, family.AdminKey, receiver.UrlFor($"/sustained/{s}"));
            }
            log($"webhooks: writing {backlogDecisions} decisions for {Subscriptions} subscriptions");
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
            {
                // Each worker has pupils of its own, so the writers do not queue on the per-pupil lock.
                var mine = family.Pupils.Where((_, i) => i % 8 == worker).ToList();
                var round = 0;
                while (Interlocked.Increment(ref next) < backlogDecisions)
                {
                    var (pupil, guardian) = mine[round % mine.Count];
                    await DecideAsync(http, family, pupil, guardian, (round / mine.Count) % 2 == 0 ? "granted" : "refused");
                    round++;
                }
            }));
        }
        var expected = (int)await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM webhook_deliveries WHERE status = 'Pending'");
        log($"webhooks: draining {expected} deliveries");
        await using (var dispatcher = await Server.StartAsync("API", settings.ApiDll, Server.FreePort(), Environment(TimeSpan.FromSeconds(1), wake: true)))
        {
            var started = Stopwatch.GetTimestamp();
            await receiver.WaitForAsync("/sustained/", expected, TimeSpan.FromMinutes(3), prefix: true);
            drained = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var times = receiver.ArrivalsUnder("/sustained/");
            delivered = times.Count;
            rate = delivered / Stopwatch.GetElapsedTime(times.Min(), times.Max()).TotalSeconds;
        }
        log($"webhooks: {delivered} deliveries at {rate:F0}/s");
        met &= rate >= 1000;
        lines.AddRange([
            "",
            "| sustained | subscriptions | deliveries | deliveries/s (first to last arrival) | drained after start (s) |",
            "|---|---|---|---|---|",
            $"| one instance, MaxConcurrentSubscriptions 8 | {Subscriptions} | {delivered} | {rate:F0} | {drained:F1} |",
            "",
            $"Targets: idle p99 ≤ 200 ms with wake on commit; sustained ≥ 1,000 deliveries/s — {(met ? "met" : "NOT met")}.",
        ]);

        var markdown = string.Join('\n', lines) + "\n";
        Console.WriteLine();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(settings.ResultsDirectory);
        var file = Path.Combine(settings.ResultsDirectory, $"{DateTime.UtcNow:yyyy-MM-dd-HHmm}-webhooks{(quick ? "-quick" : "")}.md");
        await File.WriteAllTextAsync(file, markdown);
        log($"written to {file}");
        await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        return met ? 0 : 2;
    }

    /// <summary>An organisation with a one-item form and a school of <paramref name="pupils"/> pupils with guardians.</summary>
    private static async Task<Family> FamilyAsync(HttpClient http, NpgsqlConnection db, int pupils)
    {
        var organisation = await DataSet.SendAsync(http, BootstrapKey, HttpMethod.Post, "/v1/organisations", new { name = $"Stichting Webhooks {Guid.NewGuid():N}"[..40] });
        var organisationId = (Guid)organisation["organisation"]!["id"]!;
        var adminKey = (string)organisation["adminClient"]!["apiKey"]!;
        var client = await DataSet.SendAsync(http, adminKey, HttpMethod.Post, "/v1/api-clients", new
        {
            name = "Parents' app backend",
            scopes = ClientScopes,
            schoolIds = Array.Empty<Guid>(),
        });
        var clientKey = (string)client["apiKey"]!;
        var form = await DataSet.SendAsync(http, adminKey, HttpMethod.Post, "/v1/consent-forms", new { name = "Toestemming beeldmateriaal" });
        await DataSet.SendAsync(http, adminKey, HttpMethod.Post, $"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Wij vragen uw toestemming om foto's van uw kind op sociale media te publiceren.",
            validity = "until-withdrawn",
            items = new[] { new { mediaType = "photo", channel = "social-media" } },
        });
        var version = await DataSet.SendAsync(http, adminKey, HttpMethod.Post, $"/v1/consent-forms/{form["id"]}/versions/1/publish", null);
        var school = await DataSet.SendAsync(http, adminKey, HttpMethod.Post, "/v1/schools", new { name = "Basisschool Webhook", brinCode = "99WH" });
        await DataSet.SendAsync(http, clientKey, HttpMethod.Put, $"/v1/schools/{school["id"]}/roster",
            Rosters.School(new Random(DataSet.Seed), "W", pupils, DataSet.SchoolYear(DateTime.UtcNow)));
        var links = await Sql.ListAsync(db, $"""
            SELECT DISTINCT ON (l.pupil_id) l.pupil_id, l.guardian_id FROM guardian_links l JOIN pupils p ON p.id = l.pupil_id
            WHERE p.organisation_id = '{organisationId}' AND l.has_parental_authority ORDER BY l.pupil_id, l.guardian_id
            """, r => (r.GetGuid(0), r.GetGuid(1)));
        return new Family(adminKey, clientKey, (Guid)version["id"]!, links);
    }

    private static readonly string[] ConsentChanged = ["consent.changed"];

    private static readonly string[] ClientScopes = ["roster:read", "roster:write", "consent:read", "consent:write"];

    private static Task<System.Text.Json.Nodes.JsonObject> SubscribeAsync(HttpClient http, string adminKey, string url) =>
        DataSet.SendAsync(http, adminKey, HttpMethod.Post, "/v1/webhooks", new { url, eventTypes = ConsentChanged });

    private static Task<System.Text.Json.Nodes.JsonObject> DecideAsync(HttpClient http, Family family, Guid pupil, Guid guardian, string outcome) =>
        DataSet.SendAsync(http, family.ClientKey, HttpMethod.Post, $"/v1/pupils/{pupil}/decisions", new
        {
            formVersionId = family.VersionId,
            decidedBy = "guardian",
            guardianId = guardian,
            method = "parent-app",
            items = new[] { new { mediaType = "photo", channel = "social-media", outcome } },
        });

    /// <summary>A receiver on 127.0.0.1 that answers 200 at once and notes when each delivery arrived, per path.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _arrivals = new();
        private readonly List<Task> _loops = [];
        private readonly int _port;

        private Receiver(int port) => _port = port;

        public static Receiver Start(int port)
        {
            var receiver = new Receiver(port);
            receiver._listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            receiver._listener.Start();
            for (var i = 0; i < 32; i++)
            {
                receiver._loops.Add(Task.Run(receiver.ServeAsync));
            }
            return receiver;
        }

        public string UrlFor(string path) => $"http://127.0.0.1:{_port}{path}";

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                var arrived = Stopwatch.GetTimestamp();
                await context.Request.InputStream.CopyToAsync(Stream.Null);
                _arrivals.GetOrAdd(context.Request.Url!.AbsolutePath, _ => new ConcurrentQueue<long>()).Enqueue(arrived);
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        public int CountAt(string path) => _arrivals.TryGetValue(path, out var queue) ? queue.Count : 0;

        public List<long> ArrivalsUnder(string prefix) =>
            [.. _arrivals.Where(a => a.Key.StartsWith(prefix, StringComparison.Ordinal)).SelectMany(a => a.Value)];

        /// <summary>Waits until <paramref name="count"/> deliveries arrived (at the path, or under it); returns the last arrival.</summary>
        public async Task<long> WaitForAsync(string path, int count, TimeSpan within, bool prefix = false)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
            while (true)
            {
                var arrivals = prefix ? ArrivalsUnder(path) : [.. _arrivals.TryGetValue(path, out var q) ? q : []];
                if (arrivals.Count >= count)
                {
                    return arrivals.Max();
                }
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException($"{arrivals.Count} of {count} deliveries arrived at {path} within {within.TotalSeconds:0} s.");
                }
                await Task.Delay(1);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await Task.WhenAll(_loops);
        }
    }
}
