using System.Diagnostics;
using Npgsql;

namespace ConsentApi.Bench;

/// <param name="JitWarmUp">Mixed reads against each fresh server before anything is measured.</param>
/// <param name="WarmUp">A server's warm-up before each of its turns (and each turn of the depth rounds), not measured.</param>
/// <param name="Check">One turn of the check load (and one turn of the depth rounds).</param>
/// <param name="Other">One turn of the other scenarios' loads.</param>
/// <param name="SettleJit">After <paramref name="JitWarmUp"/>, warm the API up further until its JIT is quiet, and the baseline as long (<see cref="JitWarmUp"/>).</param>
/// <param name="Turns">How many turns each server takes per scenario (<see cref="Bench.Turns"/>).</param>
public sealed record BenchDurations(TimeSpan JitWarmUp, TimeSpan WarmUp, TimeSpan Check, TimeSpan Other, bool SettleJit, int Turns)
{
    /// <summary>
    /// Seven short turns rather than three long ones: on the shared machines the same server's throughput drifts by a
    /// tenth to a fifth within a minute (README, Performance: turns), so each median needs turns spread over the whole
    /// scenario. After 20 s idle, as while the others take their turns, a server's first second of load ran up to 14 %
    /// slower than the next nine (in one case of six, the next two as well), so each turn has two seconds of warm-up.
    /// </summary>
    public static readonly BenchDurations Full = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(4), true, 7);
    public static readonly BenchDurations Quick = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), false, 1);
}

public sealed record BenchSettings(string AdminConnection, string ApiDll, string BaselineDll, string ResultsDirectory, BenchDurations Durations)
{
    public const int Connections = 32;

    /// <summary>For the servers under test.</summary>
    public string ConnectionTo(string database) => new NpgsqlConnectionStringBuilder(AdminConnection) { Database = database }.ConnectionString;

    /// <summary>For the harness itself: unpooled, because it drops databases between scales and pooled connections would die.</summary>
    public string HarnessConnectionTo(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnection) { Database = database, Pooling = false }.ConnectionString;
}

/// <summary>Everything one scale measured.</summary>
/// <param name="Depth">How many decisions each person's history per item holds (at least; see <see cref="DataSet.DeepenAsync"/>).</param>
public sealed record ScaleResult(
    Scale Scale,
    int Depth,
    Dictionary<string, long> Counts,
    List<(string Scenario, LoadResult Product, LoadResult? Baseline)> Loads,
    double CheckRssMiB,
    double FirstImportSeconds,
    double ResyncSeconds,
    double SyncRssMiB,
    IReadOnlyDictionary<string, LoadResult>? Fastest = null,
    IReadOnlyList<RoundTrips>? RoundTrips = null,
    BlockCounts? CheckBlocks = null)
{
    /// <summary>The API's resident memory when the roster syncs began, after every load of the run.</summary>
    public double? RssBeforeSyncMiB { get; init; }

    /// <summary>Whether <see cref="SyncRssMiB"/> is the peak since the API started (the kernel would not reset it), not the syncs' own.</summary>
    public bool SyncPeakSinceStart { get; init; }
}

/// <summary>
/// Database blocks the run database's statements asked for during a load: found in shared buffers (hit) or read into them
/// from the operating system (read, from its page cache or the disk). From pg_stat_database, which backends report about
/// once a second: a second's worth may fall outside the window.
/// </summary>
public sealed record BlockCounts(long Read, long Hit)
{
    public static async Task<BlockCounts> ReadAsync(NpgsqlConnection db)
    {
        await using var command = new NpgsqlCommand("SELECT blks_read, blks_hit FROM pg_stat_database WHERE datname = current_database()", db);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new BlockCounts(reader.GetInt64(0), reader.GetInt64(1));
    }

    public static BlockCounts operator -(BlockCounts after, BlockCounts before) => new(after.Read - before.Read, after.Hit - before.Hit);
}

/// <summary>Database round trips per call of one scenario, for the API and each baseline that serves it.</summary>
public sealed record RoundTrips(string Scenario, double Api, double? ByHand, double? Fastest);

public static class ScaleRun
{
    /// <summary>Bumped whenever the generated data changes, so that a cached template is not reused.</summary>
    private const int GeneratorVersion = 1;

    private const string BootstrapKey = "bench-platform-operator-key-0123456789abcdef";

    /// <summary>The template of a scale at a depth: depth 1 is the generated data set, deeper ones are clones of it deepened.</summary>
    public static string TemplateName(Scale scale, int depth) =>
        depth == 1 ? $"bench_{scale.Name}_g{GeneratorVersion}" : $"bench_{scale.Name}_d{depth}_g{GeneratorVersion}";

    private static Task<bool> ExistsAsync(NpgsqlConnection admin, string database) =>
        Sql.ScalarAsync<bool>(admin, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = @name)", ("name", database));

    /// <summary>Generates (and deepens) the scale's data set once; returns the template's name.</summary>
    public static async Task<string> EnsureTemplateAsync(Scale scale, int depth, BenchSettings settings, NpgsqlConnection admin, Action<string> log)
    {
        var template = TemplateName(scale, depth);
        if (!await ExistsAsync(admin, TemplateName(scale, 1)))
        {
            await GenerateTemplateAsync(scale, TemplateName(scale, 1), settings, admin, log);
        }
        if (!await ExistsAsync(admin, template))
        {
            await DeepenTemplateAsync(scale, depth, TemplateName(scale, 1), template, settings, admin, log);
        }
        await MigrateTemplateAsync(template, settings, log);
        return template;
    }

    /// <summary>
    /// Brings a template made by older code up to this code's migrations, once: a migration that fills a table from the
    /// data set (at xl, tens of millions of decisions) then runs here rather than on every clone, and is vacuumed once.
    /// </summary>
    private static async Task MigrateTemplateAsync(string template, BenchSettings settings, Action<string> log)
    {
        const string applied = "SELECT count(*) FROM __ef_migrations_history"; // ConsentDb.MigrationsHistoryTable
        await using (var db = new NpgsqlConnection(settings.HarnessConnectionTo(template)))
        {
            await db.OpenAsync();
            var before = await Sql.ScalarAsync<long>(db, applied);
            var watch = Stopwatch.StartNew();
            await Server.RunModeAsync(settings.ApiDll, "migrate", new Dictionary<string, string> { ["ConnectionStrings__ConsentDb"] = settings.ConnectionTo(template) });
            if (await Sql.ScalarAsync<long>(db, applied) != before)
            {
                await Sql.ExecuteAsync(db, "VACUUM ANALYZE");
                log($"{template}: migrated to this code's schema in {watch.Elapsed.TotalSeconds:F0} s (once; later runs clone it)");
            }
        }
        // A template takes no clone while a connection to it is open.
        NpgsqlConnection.ClearAllPools();
    }

    public static async Task<ScaleResult> RunAsync(Scale scale, int depth, BenchSettings settings, Action<string> log)
    {
        await using var admin = new NpgsqlConnection(settings.HarnessConnectionTo("postgres"));
        await admin.OpenAsync();
        var template = await EnsureTemplateAsync(scale, depth, settings, admin, log);

        const string run = "bench_run";
        var name = $"{scale.Name} depth {depth}";
        log($"{name}: cloning {template} into {run}");
        await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {run} WITH (FORCE)");
        await Sql.ExecuteAsync(admin, $"CREATE DATABASE {run} TEMPLATE {template}");
        var connection = settings.ConnectionTo(run);
        await Server.RunModeAsync(settings.ApiDll, "migrate", new Dictionary<string, string> { ["ConnectionStrings__ConsentDb"] = connection });
        await using var db = new NpgsqlConnection(settings.HarnessConnectionTo(run));
        await db.OpenAsync();
        await Sql.ExecuteAsync(db, "VACUUM ANALYZE");
        var info = await DataSetInfo.ReadAsync(db);
        var counts = new Dictionary<string, long>();
        foreach (var table in new[] { "schools", "groups", "pupils", "guardians", "guardian_links", "decisions" })
        {
            counts[table] = await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM {table}");
        }

        var checks = await Workloads.PublicationChecksAsync(db);
        var matrices = await Workloads.ConsentMatricesAsync(db);
        var overviews = await Workloads.ClassOverviewsAsync(db);
        var decisions = await Workloads.DecisionsAsync(db, info.FormVersionId);

        await using var api = await Server.StartAsync("API", settings.ApiDll, Server.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__ConsentDb"] = connection,
            // The product's per-client limit would otherwise turn the load into 429s; the limiter itself still runs.
            ["RateLimiting__PermitsPerMinute"] = "100000000",
        });
        await using var baseline = await Server.StartAsync("baseline", settings.BaselineDll, Server.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__ConsentDb"] = connection,
            ["Baseline__OrganisationId"] = info.OrganisationId.ToString(),
            ["Baseline__ClientId"] = info.ClientId.ToString(),
        });

        // Correctness first: the fastest-SQL baseline must give the API's answers before either is timed.
        await Answers.VerifyAsync(api.Address, baseline.Address, Fastest, info.ClientKey, "check", checks.Take(25), log);
        await Answers.VerifyAsync(api.Address, baseline.Address, Fastest, info.ClientKey, "matrix", matrices.Take(25), log);
        await Answers.VerifyAsync(api.Address, baseline.Address, Fastest, info.ClientKey, "class overview", overviews.Take(10), log);
        await VerifyWriteAsync(baseline.Address, db, decisions[^1], log);
        var fastestChecks = Prefixed(checks);
        var fastestMatrices = Prefixed(matrices);
        var fastestOverviews = Prefixed(overviews);

        var durations = settings.Durations;
        var loads = new List<(string, LoadResult, LoadResult?)>();
        var fastest = new Dictionary<string, LoadResult>();
        // A scenario's servers (the API, its SQL by hand, the fastest SQL) take turns, the order rotating every turn,
        // each turn warmed up like the depth rounds' (a server that sat idle while the others ran starts it with its
        // thread pool and GC as the idle left them); each figure is the median of a server's turns (Turns).
        async Task<LoadResult[]> TakeTurns(TimeSpan duration, params (Server Server, IReadOnlyList<WorkRequest> Requests, string Name)[] servers)
        {
            var turns = servers.Select(_ => new List<LoadResult>()).ToArray();
            for (var turn = 0; turn < durations.Turns; turn++)
            {
                foreach (var which in Turns.Order(servers.Length, turn))
                {
                    var (server, requests, serverName) = servers[which];
                    await Wrk.RunAsync(server.Address, info.ClientKey, requests, BenchSettings.Connections, durations.WarmUp, settings.ResultsDirectory);
                    var mark = server.Output.Mark;
                    var result = await Wrk.RunAsync(server.Address, info.ClientKey, requests, BenchSettings.Connections, duration, settings.ResultsDirectory);
                    log($"{name}: turn {turn + 1}: {serverName}: {result.RequestsPerSecond:F0} req/s, p50 {result.P50Ms:F2} ms, p99 {result.P99Ms:F2} ms, {result.ErrorsText}");
                    foreach (var line in server.Output.ReportFailures(result, serverName, mark))
                    {
                        log($"{name}: turn {turn + 1}: {line}");
                    }
                    turns[which].Add(result);
                }
            }
            return [.. turns.Select(Turns.MedianOf)];
        }
        async Task Scenario(string scenario, IReadOnlyList<WorkRequest> requests, TimeSpan duration, bool byHand = true)
        {
            var fastestRequests = Prefixed(requests);
            var measured = byHand
                ? await TakeTurns(duration, (api, requests, api.Name), (baseline, requests, "by hand"), (baseline, fastestRequests, "fastest SQL"))
                : await TakeTurns(duration, (api, requests, api.Name), (baseline, fastestRequests, "write by hand"));
            loads.Add((scenario, measured[0], byHand ? measured[1] : null));
            fastest[scenario] = measured[^1];
        }

        // The JIT tiers hot code up (with profile-guided optimisation) over the first tens of seconds of load; measure the steady state.
        log($"{name}: warming both servers up");
        await JitWarmUp.RunAsync(api, [.. checks, .. matrices, .. overviews], baseline,
            [.. checks, .. matrices, .. overviews, .. fastestChecks, .. fastestMatrices, .. fastestOverviews], info.ClientKey, settings,
            message => log($"{name}: {message}"));
        log($"{name}: publication checks");
        var blocksBefore = await BlockCounts.ReadAsync(db);
        // The API's peak over the whole scenario: it sits idle while the baselines take their turns.
        var (_, checkRss) = await api.MeasureRssDuringAsync(async () =>
        {
            await Scenario(CheckScenario, checks, durations.Check);
            return true;
        });
        var checkBlocks = await BlockCounts.ReadAsync(db) - blocksBefore;
        log($"{name}: database blocks during the check loads: {checkBlocks.Read:N0} read, {checkBlocks.Hit:N0} found in shared buffers");
        log($"{name}: consent matrices");
        await Scenario(MatrixScenario, matrices, durations.Other);
        log($"{name}: class overviews");
        await Scenario(OverviewScenario, overviews, durations.Other);
        log($"{name}: recording decisions");
        await Scenario(DecisionsScenario, decisions, durations.Other, byHand: false);

        log($"{name}: counting database round trips per call");
        List<RoundTrips>? roundTrips;
        try
        {
            roundTrips = await CountRoundTripsAsync(settings, connection, info, checks, matrices, overviews, decisions, log);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException)
        {
            // The loads above stand; the report then says the round trips were not counted.
            log($"{name}: counting round trips failed: {e.Message}");
            roundTrips = [];
        }

        log($"{name}: roster sync of 10,000 pupils");
        // The peak of the syncs themselves: what the process holds when they start (after every load above) and the most
        // it holds while they run, not a peak an earlier load left.
        var rssBeforeSync = api.RssMiB();
        var syncPeakOwn = api.ResetPeakRss();
        var (first, resync) = await RosterSyncAsync(api.Address, info);
        var syncRss = api.PeakRssMiB();
        log($"{name}: API RSS {rssBeforeSync:F0} MiB before the syncs, peak {syncRss:F0} MiB {(syncPeakOwn ? "during them" : "since start")}");
        return new ScaleResult(scale, depth, counts, loads, checkRss, first, resync, syncRss, fastest, roundTrips, checkBlocks)
        {
            RssBeforeSyncMiB = rssBeforeSync,
            SyncPeakSinceStart = !syncPeakOwn,
        };
    }

    public const string CheckScenario = "Publication check, 30 pupils";
    public const string MatrixScenario = "Consent matrix, one pupil";
    public const string OverviewScenario = "Class overview, one group (JSON)";
    public const string DecisionsScenario = "Record a guardian's decisions, 15 items";

    /// <summary>Where the baseline serves the fastest correct SQL and the by-hand writes.</summary>
    public const string Fastest = "/fastest";

    /// <summary>The same requests to the fastest SQL (and the by-hand writes) under <see cref="Fastest"/>.</summary>
    internal static List<WorkRequest> Prefixed(IEnumerable<WorkRequest> requests) => [.. requests.Select(r => r with { Path = Fastest + r.Path })];

    /// <summary>The by-hand write must record what the API records: 15 decisions, one audit event, the pupil's changed states.</summary>
    private static async Task VerifyWriteAsync(Uri baseline, NpgsqlConnection db, WorkRequest request, Action<string> log)
    {
        const string countsSql = "SELECT (SELECT count(*) FROM decisions) * 1000000 + (SELECT count(*) FROM audit_events)";
        var before = await Sql.ScalarAsync<long>(db, countsSql);
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(baseline, Fastest + request.Path),
            new StringContent(request.Body!, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var after = await Sql.ScalarAsync<long>(db, countsSql);
        if (response.StatusCode != System.Net.HttpStatusCode.Created || after - before != 15 * 1000000 + 1)
        {
            throw new InvalidOperationException(
                $"The by-hand write answered {(int)response.StatusCode} and wrote {(after - before) / 1000000} decisions, {(after - before) % 1000000} audit events: {text}");
        }
        log("record decisions: the by-hand write answered 201 and wrote 15 decisions and one audit event");
    }

    /// <summary>
    /// Runs a second API and baseline whose database connections pass through a <see cref="RoundTripCounter"/>, and counts
    /// the round trips of calls made one at a time (after a warm-up that opens the pools' connections), less what the API
    /// does by itself meanwhile (the webhook dispatcher's polls, the gauges), measured idle over as long.
    /// </summary>
    private static async Task<List<RoundTrips>> CountRoundTripsAsync(BenchSettings settings, string connection, DataSetInfo info,
        List<WorkRequest> checks, List<WorkRequest> matrices, List<WorkRequest> overviews, List<WorkRequest> decisions, Action<string> log)
    {
        // One relay per server, so that neither's traffic is counted for the other.
        var target = new NpgsqlConnectionStringBuilder(connection);
        await using var apiCounter = new RoundTripCounter(target.Host!, target.Port);
        await using var baselineCounter = new RoundTripCounter(target.Host!, target.Port);
        string Through(RoundTripCounter counter) =>
            new NpgsqlConnectionStringBuilder(connection) { Host = "127.0.0.1", Port = counter.Port }.ConnectionString;
        await using var api = await Server.StartAsync("API (counting round trips)", settings.ApiDll, Server.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__ConsentDb"] = Through(apiCounter),
            ["RateLimiting__PermitsPerMinute"] = "100000000",
        });
        await using var baseline = await Server.StartAsync("baseline (counting round trips)", settings.BaselineDll, Server.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__ConsentDb"] = Through(baselineCounter),
            ["Baseline__OrganisationId"] = info.OrganisationId.ToString(),
            ["Baseline__ClientId"] = info.ClientId.ToString(),
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        Task<double> PerCallAsync(Uri server, RoundTripCounter counter, string prefix, IReadOnlyList<WorkRequest> requests, int calls) =>
            counter.PerCallAsync(async i =>
            {
                var r = requests[i % requests.Count];
                using var message = new HttpRequestMessage(new HttpMethod(r.Method), new Uri(server, prefix + r.Path))
                {
                    Content = r.Body is null ? null : new StringContent(r.Body, System.Text.Encoding.UTF8, "application/json"),
                };
                message.Headers.Add("X-Api-Key", info.ClientKey);
                using var response = await http.SendAsync(message);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{prefix}{r.Path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }, calls);

        var result = new List<RoundTrips>();
        foreach (var (scenario, requests, calls, byHand) in new[]
                 {
                     (CheckScenario, checks, 100, true), (MatrixScenario, matrices, 100, true), (OverviewScenario, overviews, 50, true),
                     (DecisionsScenario, decisions, 50, false),
                 })
        {
            var apiTrips = await PerCallAsync(api.Address, apiCounter, "", requests, calls);
            double? byHandTrips = byHand ? await PerCallAsync(baseline.Address, baselineCounter, "", requests, calls) : null;
            var fastestTrips = await PerCallAsync(baseline.Address, baselineCounter, Fastest, requests, calls);
            log($"{scenario}: round trips per call: API {apiTrips:F2}, by hand {(byHandTrips is { } b ? b.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "–")}, fastest {fastestTrips:F2}");
            result.Add(new RoundTrips(scenario, apiTrips, byHandTrips, fastestTrips));
        }
        return result;
    }

    private static async Task<(double First, double Resync)> RosterSyncAsync(Uri api, DataSetInfo info)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromMinutes(5) };
        var school = await DataSet.SendAsync(http, info.AdminKey, HttpMethod.Post, "/v1/schools",
            new { name = "Scholengemeenschap Import", brinCode = "99IM" });
        var schoolId = (Guid)school["id"]!;
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            Rosters.Import(new Random(DataSet.Seed), "IMP", 10_000, 15_000, DataSet.SchoolYear(DateTime.UtcNow)));

        async Task<double> SyncAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/schools/{schoolId}/roster")
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
            };
            request.Headers.Add("X-Api-Key", info.ClientKey);
            var watch = Stopwatch.StartNew();
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            watch.Stop();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Roster sync answered {(int)response.StatusCode}: {text}");
            }
            return watch.Elapsed.TotalSeconds;
        }

        var first = await SyncAsync();
        var resync = await SyncAsync();
        return (first, resync);
    }

    /// <summary>Clones the depth-1 template and gives every person's decision on every item an older history (see <see cref="DataSet.DeepenAsync"/>).</summary>
    private static async Task DeepenTemplateAsync(Scale scale, int depth, string source, string template, BenchSettings settings,
        NpgsqlConnection admin, Action<string> log)
    {
        var building = template + "_building";
        log($"{scale.Name}: deepening every decision's history to {depth} into {template} (once; later runs clone it)");
        var watch = Stopwatch.StartNew();
        await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {building} WITH (FORCE)");
        await Sql.ExecuteAsync(admin, $"CREATE DATABASE {building} TEMPLATE {source}");
        // The deepened clone keeps the migrations of the template: bring it up to date first, so that indexes a newer
        // migration adds are built once here rather than on every run.
        await Server.RunModeAsync(settings.ApiDll, "migrate", new Dictionary<string, string> { ["ConnectionStrings__ConsentDb"] = settings.ConnectionTo(building) });
        await using (var db = new NpgsqlConnection(settings.HarnessConnectionTo(building)))
        {
            await db.OpenAsync();
            await DataSet.DeepenAsync(db, depth);
            await Sql.ExecuteAsync(db, "VACUUM ANALYZE");
        }
        NpgsqlConnection.ClearAllPools();
        await Sql.ExecuteAsync(admin, $"ALTER DATABASE {building} RENAME TO {template}");
        log($"{scale.Name}: deepened in {watch.Elapsed.TotalSeconds:F0} s");
    }

    private static async Task GenerateTemplateAsync(Scale scale, string template, BenchSettings settings, NpgsqlConnection admin, Action<string> log)
    {
        var building = template + "_building";
        log($"{scale.Name}: generating the data set into {template} (once; later runs clone it)");
        var watch = Stopwatch.StartNew();
        await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {building} WITH (FORCE)");
        await Sql.ExecuteAsync(admin, $"CREATE DATABASE {building}");
        var connection = settings.ConnectionTo(building);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__ConsentDb"] = connection,
            ["Bootstrap__AdminApiKey"] = BootstrapKey,
            ["RateLimiting__PermitsPerMinute"] = "100000000",
        };
        await Server.RunModeAsync(settings.ApiDll, "migrate", environment);
        await using (var api = await Server.StartAsync("API (generating)", settings.ApiDll, Server.FreePort(), environment))
        await using (var db = new NpgsqlConnection(settings.HarnessConnectionTo(building)))
        {
            await db.OpenAsync();
            await DataSet.GenerateAsync(scale, api.Address, BootstrapKey, db, message => log($"{scale.Name}: {message}"));
        }
        NpgsqlConnection.ClearAllPools();
        await Sql.ExecuteAsync(admin, $"ALTER DATABASE {building} RENAME TO {template}");
        log($"{scale.Name}: generated in {watch.Elapsed.TotalSeconds:F0} s");
    }
}
