using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace ConsentApi.Bench;

/// <summary>
/// The campaigns' and the parents' app's reads on a clone of a scale's data set, with a campaign open at every school of
/// the board (at <c>large</c>: 500 campaigns asking 125,000 pupils): campaign progress, the first page of non-responders,
/// and a guardian's children and open requests, for guardians of one child and of three. Each read is called one at a
/// time (latency: p50, p99, max) and then counted in database round trips per call through a <see cref="RoundTripCounter"/>;
/// a guardian of three children costing the round trips of a guardian of one shows there is no loop per child or per
/// request. Target: campaign progress ≤ 1 s at <c>large</c>. Run with <c>bench/run.sh campaigns [small] [large] [xl]</c>.
/// </summary>
public static class CampaignReadsRun
{
    private const string Database = "bench_campaigns";

    private static readonly string[] AppScopes = ["guardian:act"];

    /// <param name="Family">For the parents' app's reads: which read (children, open requests) for a guardian of how many children.</param>
    private sealed record Read(string Name, string Key, IReadOnlyList<string> Paths, (string Kind, int Children)? Family = null);

    private sealed record Measured(Read Read, int Calls, double P50Ms, double P99Ms, double MaxMs, double RoundTrips);

    public static async Task<int> RunAsync(IReadOnlyList<Scale> scales, BenchSettings settings, bool quick, Action<string> log)
    {
        var warmUp = quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(30);
        var calls = quick ? 20 : 300;
        var lines = new List<string>
        {
            $"# The campaigns' and the parents' app's reads, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC", "",
            $"Command: `bench/run.sh campaigns {string.Join(' ', scales.Select(s => s.Name))}{(quick ? " --quick" : "")}`", "",
            $"Machine: {await Report.MachineAsync()}; load average at the start {File.ReadAllText("/proc/loadavg").Split(' ')[0]}.", "",
            $"On a clone of each scale's data set, a campaign is opened at every school through the API (every active pupil gets a request). " +
            $"The API then serves the reads below in turn for {warmUp.TotalSeconds:F0} s to warm up, and each read is called {calls} times one at a time " +
            "(over 50 campaigns, or all of them where there are fewer, or 20 guardians with exactly that many active children, all at one school, with parental authority): " +
            "the latency from request to response, and then the database round trips per call of a second API whose connections pass " +
            "through a counting relay (50 calls each, less what the API does by itself idle over as long).",
        };
        var met = true;
        foreach (var scale in scales)
        {
            var (section, scaleMet) = await RunScaleAsync(scale, settings, warmUp, calls, log);
            lines.AddRange(section);
            met &= scaleMet;
        }
        if (quick)
        {
            lines.AddRange(["", "**Quick run**: too short for the JIT to tier up; it shows the harness works, not what the API can do."]);
        }

        var markdown = string.Join('\n', lines) + "\n";
        Console.WriteLine();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(settings.ResultsDirectory);
        var file = Path.Combine(settings.ResultsDirectory,
            $"{DateTime.UtcNow:yyyy-MM-dd-HHmm}-campaigns-{string.Join('-', scales.Select(s => s.Name))}{(quick ? "-quick" : "")}.md");
        await File.WriteAllTextAsync(file, markdown);
        log($"written to {file}");
        return met ? 0 : 2;
    }

    private static async Task<(List<string> Lines, bool Met)> RunScaleAsync(Scale scale, BenchSettings settings, TimeSpan warmUp, int calls,
        Action<string> log)
    {
        await using var admin = new NpgsqlConnection(settings.HarnessConnectionTo("postgres"));
        await admin.OpenAsync();
        var template = await ScaleRun.EnsureTemplateAsync(scale, 1, settings, admin, log);
        log($"{scale.Name}: cloning {template} into {Database}");
        await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        await Sql.ExecuteAsync(admin, $"CREATE DATABASE {Database} TEMPLATE {template}");
        try
        {
            return await MeasureAsync(scale, settings, warmUp, calls, log);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        }
    }

    private static async Task<(List<string> Lines, bool Met)> MeasureAsync(Scale scale, BenchSettings settings, TimeSpan warmUp, int calls,
        Action<string> log)
    {
        var connection = settings.ConnectionTo(Database);
        await Server.RunModeAsync(settings.ApiDll, "migrate", new Dictionary<string, string> { ["ConnectionStrings__ConsentDb"] = connection });
        await using var db = new NpgsqlConnection(settings.HarnessConnectionTo(Database));
        await db.OpenAsync();
        var info = await DataSetInfo.ReadAsync(db);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__ConsentDb"] = connection,
            ["RateLimiting__PermitsPerMinute"] = "100000000",
        };
        await using var api = await Server.StartAsync("API", settings.ApiDll, Server.FreePort(), environment);
        using var http = new HttpClient { BaseAddress = api.Address, Timeout = TimeSpan.FromMinutes(2) };

        var app = await DataSet.SendAsync(http, info.AdminKey, HttpMethod.Post, "/v1/api-clients", new
        {
            name = "Parents' app backend",
            scopes = AppScopes,
            schoolIds = Array.Empty<Guid>(),
        });
        var appKey = (string)app["apiKey"]!;

        var campaigns = await OpenCampaignsAsync(scale, http, db, info, log);
        await Sql.ExecuteAsync(db, "VACUUM ANALYZE campaigns, consent_requests");
        var requests = await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM consent_requests");
        var pupils = await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM pupils");

        var sample = campaigns.OrderBy(id => id.ToString("N")).Take(50).ToList();
        var reads = new List<Read>
        {
            new("Campaign progress (a school's campaign, every group)", info.ClientKey, [.. sample.Select(id => $"/v1/campaigns/{id}")]),
            new("Campaign non-responders, first page", info.ClientKey, [.. sample.Select(id => $"/v1/campaigns/{id}/non-responders")]),
        };
        foreach (var children in new[] { 1, 3 })
        {
            var guardians = await GuardiansWithChildrenAsync(db, children);
            foreach (var (kind, path) in new[] { ("children", "children"), ("open requests", "consent-requests") })
            {
                reads.Add(new($"Parents' app: a guardian's {kind}, {children} {(children == 1 ? "child" : "children")}", appKey,
                    [.. guardians.Select(g => $"/v1/parent-app/guardians/{Uri.EscapeDataString(g)}/{path}")], (kind, children)));
            }
        }

        log($"{scale.Name}: warming the API up on every read for {warmUp.TotalSeconds:F0} s");
        var warm = Stopwatch.StartNew();
        for (var i = 0; warm.Elapsed < warmUp; i++)
        {
            foreach (var read in reads)
            {
                await GetAsync(http, read.Key, read.Paths[i % read.Paths.Count]);
            }
        }

        var latencies = new Dictionary<Read, List<double>>();
        foreach (var read in reads)
        {
            var times = new List<double>(calls);
            for (var i = 0; i < calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await GetAsync(http, read.Key, read.Paths[i % read.Paths.Count]);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            latencies[read] = times;
            log($"{scale.Name}: {read.Name}: p50 {Latency.Percentile(times, 50):F2} ms, p99 {Latency.Percentile(times, 99):F2} ms");
        }

        var target = new NpgsqlConnectionStringBuilder(connection);
        await using var counter = new RoundTripCounter(target.Host!, target.Port);
        await using var counted = await Server.StartAsync("API (counting round trips)", settings.ApiDll, Server.FreePort(),
            new Dictionary<string, string>(environment)
            {
                ["ConnectionStrings__ConsentDb"] = new NpgsqlConnectionStringBuilder(connection) { Host = "127.0.0.1", Port = counter.Port }.ConnectionString,
            });
        using var countedHttp = new HttpClient { BaseAddress = counted.Address, Timeout = TimeSpan.FromMinutes(2) };
        var measured = new List<Measured>();
        foreach (var read in reads)
        {
            var trips = await counter.PerCallAsync(i => GetAsync(countedHttp, read.Key, read.Paths[i % read.Paths.Count]), 50);
            var times = latencies[read];
            measured.Add(new(read, calls, Latency.Percentile(times, 50), Latency.Percentile(times, 99), times.Max(), trips));
            log($"{scale.Name}: {read.Name}: {trips:F2} round trips per call");
        }

        var lines = new List<string>
        {
            "", $"## {scale.Name}: {campaigns.Count:N0} campaigns open, {requests:N0} requests, {pupils:N0} pupils", "",
            "| read | calls | p50 ms | p99 ms | max ms | round trips per call |",
            "|---|--:|--:|--:|--:|--:|",
        };
        lines.AddRange(measured.Select(m => string.Create(CultureInfo.InvariantCulture,
            $"| {m.Read.Name} | {m.Calls} | {m.P50Ms:F2} | {m.P99Ms:F2} | {m.MaxMs:F2} | {m.RoundTrips:F2} |")));

        var progress = measured[0];
        var checks = new List<(string Target, string Value, bool Met)>
        {
            ($"{scale.Name}: campaign progress ≤ 1 s (p99, one call at a time)", $"{progress.P99Ms:F0} ms", progress.P99Ms <= 1000),
        };
        foreach (var kind in new[] { "children", "open requests" })
        {
            var one = measured.Single(m => m.Read.Family == (kind, 1));
            var three = measured.Single(m => m.Read.Family == (kind, 3));
            // A loop per child or per request would cost a guardian of three children at least two round trips more than a
            // guardian of one; the API's own work while counting (an API key looked up again, a poll) adds fractions to either.
            checks.Add(($"{scale.Name}: parents' app {kind}: a guardian of 3 children costs the round trips of a guardian of 1 (within ½)",
                string.Create(CultureInfo.InvariantCulture, $"{three.RoundTrips:F2} and {one.RoundTrips:F2}"),
                Math.Abs(three.RoundTrips - one.RoundTrips) < 0.5));
        }
        lines.AddRange(["", "| target | measured | met |", "|---|---|---|"]);
        lines.AddRange(checks.Select(c => $"| {c.Target} | {c.Value} | {(c.Met ? "yes" : "**no**")} |"));
        return (lines, checks.All(c => c.Met));
    }

    /// <summary>Opens a campaign at every school of the board, as its admin would, a few at a time.</summary>
    private static async Task<List<Guid>> OpenCampaignsAsync(Scale scale, HttpClient http, NpgsqlConnection db, DataSetInfo info, Action<string> log)
    {
        var schools = new List<Guid>();
        await using (var reader = await new NpgsqlCommand("SELECT id FROM schools ORDER BY brin_code", db).ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                schools.Add(reader.GetGuid(0));
            }
        }
        var amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, amsterdam).DateTime);
        var schoolYear = DataSet.SchoolYear(DateTime.UtcNow);
        var campaigns = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(schools, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (school, _) =>
        {
            var campaign = await DataSet.SendAsync(http, info.AdminKey, HttpMethod.Post, $"/v1/schools/{school}/campaigns", new
            {
                schoolYear,
                formVersionId = info.FormVersionId,
                opensOn = today,
                closesOn = today.AddDays(28),
            });
            campaigns.Add((Guid)campaign["id"]!);
        });
        log($"{scale.Name}: {campaigns.Count:N0} campaigns opened in {watch.Elapsed.TotalSeconds:F0} s");
        return [.. campaigns];
    }

    /// <summary>External ids of guardians whose active children, with their parental authority, are exactly <paramref name="children"/>, all at one school.</summary>
    private static async Task<List<string>> GuardiansWithChildrenAsync(NpgsqlConnection db, int children)
    {
        var guardians = new List<string>();
        await using var command = new NpgsqlCommand("""
            SELECT g.external_id
            FROM guardians g
            JOIN guardian_links l ON l.guardian_id = g.id AND l.has_parental_authority
            JOIN pupils p ON p.id = l.pupil_id AND p.status = 'Active'
            GROUP BY g.id, g.external_id
            HAVING count(*) = $1 AND count(DISTINCT p.school_id) = 1
               AND NOT EXISTS (SELECT FROM guardian_links o JOIN pupils q ON q.id = o.pupil_id
                               WHERE o.guardian_id = g.id AND (q.status <> 'Active' OR NOT o.has_parental_authority))
            ORDER BY md5(g.id::text)
            LIMIT 20
            """, db) { Parameters = { new() { Value = (long)children } } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            guardians.Add(reader.GetString(0));
        }
        return guardians.Count > 0
            ? guardians
            : throw new InvalidOperationException($"The data set has no guardian of exactly {children} active children at one school.");
    }

    private static async Task GetAsync(HttpClient http, string key, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        await response.Content.ReadAsByteArrayAsync();
    }
}
