using System.Diagnostics;
using Npgsql;

namespace ConsentApi.Bench;

/// <param name="JitWarmUp">Mixed reads against each fresh server before anything is measured.</param>
/// <param name="WarmUp">Each scenario's own warm-up, not measured.</param>
public sealed record BenchDurations(TimeSpan JitWarmUp, TimeSpan WarmUp, TimeSpan Check, TimeSpan Other)
{
    public static readonly BenchDurations Full = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10));
    public static readonly BenchDurations Quick = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
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
    double SyncRssMiB);

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
        return template;
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

        await using var api = await Server.StartAsync("API", settings.ApiDll, 5180, new Dictionary<string, string>
        {
            ["ConnectionStrings__ConsentDb"] = connection,
            // The product's per-client limit would otherwise turn the load into 429s; the limiter itself still runs.
            ["RateLimiting__PermitsPerMinute"] = "100000000",
        });
        await using var baseline = await Server.StartAsync("baseline", settings.BaselineDll, 5190, new Dictionary<string, string>
        {
            ["ConnectionStrings__ConsentDb"] = connection,
            ["Baseline__OrganisationId"] = info.OrganisationId.ToString(),
        });

        var durations = settings.Durations;
        var loads = new List<(string, LoadResult, LoadResult?)>();
        async Task<LoadResult> Load(Server server, IReadOnlyList<WorkRequest> requests, TimeSpan duration)
        {
            await Wrk.RunAsync(server.Address, info.ClientKey, requests, BenchSettings.Connections, durations.WarmUp, settings.ResultsDirectory);
            var result = await Wrk.RunAsync(server.Address, info.ClientKey, requests, BenchSettings.Connections, duration, settings.ResultsDirectory);
            log($"{name}: {server.Name}: {result.RequestsPerSecond:F0} req/s, p50 {result.P50Ms:F2} ms, p99 {result.P99Ms:F2} ms, {result.Errors} errors");
            return result;
        }

        // The JIT tiers hot code up (with profile-guided optimisation) over the first seconds of load; measure the steady state.
        log($"{name}: warming both servers up");
        foreach (var server in new[] { api, baseline })
        {
            await Wrk.RunAsync(server.Address, info.ClientKey, [.. checks, .. matrices, .. overviews], BenchSettings.Connections, durations.JitWarmUp,
                settings.ResultsDirectory);
        }
        log($"{name}: publication checks");
        var (apiChecks, checkRss) = await api.MeasureRssDuringAsync(() => Load(api, checks, durations.Check));
        loads.Add(("Publication check, 30 pupils", apiChecks, await Load(baseline, checks, durations.Check)));
        log($"{name}: consent matrices");
        loads.Add(("Consent matrix, one pupil", await Load(api, matrices, durations.Other), await Load(baseline, matrices, durations.Other)));
        log($"{name}: class overviews");
        loads.Add(("Class overview, one group (JSON)", await Load(api, overviews, durations.Other), await Load(baseline, overviews, durations.Other)));
        log($"{name}: recording decisions");
        loads.Add(("Record a guardian's decisions, 15 items", await Load(api, decisions, durations.Other), null));

        log($"{name}: roster sync of 10,000 pupils");
        var (first, resync) = await RosterSyncAsync(api.Address, info);
        return new ScaleResult(scale, depth, counts, loads, checkRss, first, resync, api.PeakRssMiB());
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
        await using (var api = await Server.StartAsync("API (generating)", settings.ApiDll, 5181, environment))
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
