using Npgsql;

namespace ConsentApi.Bench;

/// <summary>
/// The check at every depth of one scale, measured in alternating rounds against servers that all run at once.
/// </summary>
/// <remarks>
/// The depth runs of <see cref="ScaleRun"/> measure each depth minutes apart on fresh servers, and on a shared machine
/// the drift between them (other load, the JIT, the page cache) moved the depth-10 ÷ depth-1 ratio of the same code
/// between 0.85 and 0.98, and the check's API ÷ its SQL by hand between 0.86 and 1.11. Here every depth's API and baseline
/// (by hand and the fastest SQL) are up together and take turns, the order rotating each round, so a ratio is taken
/// between loads seconds apart and the median over the rounds discards the outliers.
/// </remarks>
/// <param name="Rounds">Per round: per depth, the check throughput (req/s) of the API, of its SQL by hand and of the fastest SQL.</param>
public sealed record DepthComparisonResult(Scale Scale, IReadOnlyList<int> Depths, IReadOnlyList<Dictionary<int, DepthLoads>> Rounds)
{
    /// <summary>Median over the rounds of the round's API throughput at <paramref name="depth"/> ÷ at the shallowest depth.</summary>
    public double DepthRatio(int depth, bool baseline = false) =>
        Turns.Median(Rounds.Select(r => Pick(r[depth], baseline).RequestsPerSecond / Pick(r[Depths[0]], baseline).RequestsPerSecond));

    /// <summary>Median over the rounds of the round's API ÷ baseline (by hand) throughput at <paramref name="depth"/>.</summary>
    public double ApiToBaseline(int depth) => Turns.Median(Rounds.Select(r => r[depth].Api.RequestsPerSecond / r[depth].Baseline.RequestsPerSecond));

    /// <summary>
    /// Median over the rounds of the round's API throughput at <paramref name="depth"/> ÷ the faster of its two baselines
    /// in that round (the API's SQL by hand, the fastest SQL): the check's target.
    /// </summary>
    public double ApiToFaster(int depth) => Turns.Median(Rounds.Select(r =>
        r[depth].Api.RequestsPerSecond / Math.Max(r[depth].Baseline.RequestsPerSecond, r[depth].Fastest.RequestsPerSecond)));

    public double MedianRequestsPerSecond(int depth, bool baseline) => Turns.Median(Rounds.Select(r => Pick(r[depth], baseline).RequestsPerSecond));

    public double MedianFastestRequestsPerSecond(int depth) => Turns.Median(Rounds.Select(r => r[depth].Fastest.RequestsPerSecond));

    public double MedianP99(int depth, bool baseline) => Turns.Median(Rounds.Select(r => Pick(r[depth], baseline).P99Ms));

    private static LoadResult Pick(DepthLoads loads, bool baseline) => baseline ? loads.Baseline : loads.Api;
}

/// <summary>One round's check loads at one depth: the API, its SQL by hand, the fastest SQL.</summary>
public sealed record DepthLoads(LoadResult Api, LoadResult Baseline, LoadResult Fastest);

public static class DepthComparison
{
    public static async Task<DepthComparisonResult> RunAsync(Scale scale, IReadOnlyList<int> depths, int rounds, BenchSettings settings,
        Action<string> log)
    {
        await using var admin = new NpgsqlConnection(settings.HarnessConnectionTo("postgres"));
        await admin.OpenAsync();
        var servers = new List<(int Depth, Server Api, Server Baseline)>();
        try
        {
            IReadOnlyList<WorkRequest>? checks = null;
            DataSetInfo? info = null;
            for (var i = 0; i < depths.Count; i++)
            {
                var database = $"bench_depth_{depths[i]}";
                log($"{scale.Name}: alternating rounds: cloning depth {depths[i]} into {database}");
                await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
                await Sql.ExecuteAsync(admin, $"CREATE DATABASE {database} TEMPLATE {await ScaleRun.EnsureTemplateAsync(scale, depths[i], settings, admin, log)}");
                var connection = settings.ConnectionTo(database);
                await Server.RunModeAsync(settings.ApiDll, "migrate", new Dictionary<string, string> { ["ConnectionStrings__ConsentDb"] = connection });
                await using (var db = new NpgsqlConnection(settings.HarnessConnectionTo(database)))
                {
                    await db.OpenAsync();
                    await Sql.ExecuteAsync(db, "VACUUM ANALYZE");
                    // Every depth is a clone of the same generated data set: the same pupils, keys and requests.
                    info ??= await DataSetInfo.ReadAsync(db);
                    checks ??= await Workloads.PublicationChecksAsync(db);
                }
                var api = await Server.StartAsync($"API depth {depths[i]}", settings.ApiDll, Server.FreePort(), new Dictionary<string, string>
                {
                    ["ConnectionStrings__ConsentDb"] = connection,
                    ["RateLimiting__PermitsPerMinute"] = "100000000",
                });
                var baseline = await Server.StartAsync($"baseline depth {depths[i]}", settings.BaselineDll, Server.FreePort(), new Dictionary<string, string>
                {
                    ["ConnectionStrings__ConsentDb"] = connection,
                    ["Baseline__OrganisationId"] = info.OrganisationId.ToString(),
                });
                servers.Add((depths[i], api, baseline));
            }

            var durations = settings.Durations;
            log($"{scale.Name}: alternating rounds: warming {servers.Count * 2} servers up");
            // The fastest SQL's checks are the same requests, served by the baseline under /fastest.
            var fastestChecks = ScaleRun.Prefixed(checks!);
            foreach (var (_, api, baseline) in servers)
            {
                await JitWarmUp.RunAsync(api, checks!, baseline, [.. checks!, .. fastestChecks], info!.ClientKey, settings,
                    message => log($"{scale.Name}: alternating rounds: {message}"));
            }

            var results = new List<Dictionary<int, DepthLoads>>();
            for (var round = 0; round < rounds; round++)
            {
                // Rotate which depth goes first, and within a depth which of the API, by hand and fastest does.
                var order = servers.Skip(round % servers.Count).Concat(servers.Take(round % servers.Count)).ToList();
                var loads = new Dictionary<int, DepthLoads>();
                foreach (var (depth, api, baseline) in order)
                {
                    async Task<LoadResult> Load(Server server, IReadOnlyList<WorkRequest> requests, string name)
                    {
                        await Wrk.RunAsync(server.Address, info!.ClientKey, requests, BenchSettings.Connections, durations.WarmUp, settings.ResultsDirectory);
                        var result = await Wrk.RunAsync(server.Address, info.ClientKey, requests, BenchSettings.Connections, durations.Check, settings.ResultsDirectory);
                        log($"{scale.Name}: round {round + 1}: {name}: {result.RequestsPerSecond:F0} req/s, p99 {result.P99Ms:F2} ms, {result.Errors} errors");
                        return result;
                    }
                    // The API, by hand, fastest: measured in that order shifted by the round, kept in that order.
                    Func<Task<LoadResult>>[] turns =
                    [
                        () => Load(api, checks!, api.Name),
                        () => Load(baseline, checks!, baseline.Name),
                        () => Load(baseline, fastestChecks, $"fastest SQL depth {depth}"),
                    ];
                    var measured = new LoadResult[turns.Length];
                    foreach (var which in Turns.Order(turns.Length, round))
                    {
                        measured[which] = await turns[which]();
                    }
                    loads[depth] = new DepthLoads(measured[0], measured[1], measured[2]);
                }
                results.Add(loads);
            }
            return new DepthComparisonResult(scale, depths, results);
        }
        finally
        {
            foreach (var (_, api, baseline) in servers)
            {
                await api.DisposeAsync();
                await baseline.DisposeAsync();
            }
            NpgsqlConnection.ClearAllPools();
            foreach (var depth in depths)
            {
                await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS bench_depth_{depth} WITH (FORCE)");
            }
        }
    }
}
