using Npgsql;

namespace ConsentApi.Bench;

/// <summary>
/// The check at every depth of one scale, measured in alternating rounds against servers that all run at once.
/// </summary>
/// <remarks>
/// The depth runs of <see cref="ScaleRun"/> measure each depth minutes apart on fresh servers, and on a shared machine
/// the drift between them (other load, the JIT, the page cache) moved the depth-10 ÷ depth-1 ratio of the same code
/// between 0.85 and 0.98. Here every depth's API and baseline are up together and take turns, the order rotating each
/// round, so a ratio is taken between loads seconds apart and the median over the rounds discards the outliers.
/// </remarks>
/// <param name="Rounds">Per round: per depth, the API's and the baseline's check throughput (req/s).</param>
public sealed record DepthComparisonResult(Scale Scale, IReadOnlyList<int> Depths, IReadOnlyList<Dictionary<int, (LoadResult Api, LoadResult Baseline)>> Rounds)
{
    /// <summary>Median over the rounds of the round's API throughput at <paramref name="depth"/> ÷ at the shallowest depth.</summary>
    public double DepthRatio(int depth, bool baseline = false) =>
        Median(Rounds.Select(r => Pick(r[depth], baseline).RequestsPerSecond / Pick(r[Depths[0]], baseline).RequestsPerSecond));

    /// <summary>Median over the rounds of the round's API ÷ baseline throughput at <paramref name="depth"/>.</summary>
    public double ApiToBaseline(int depth) => Median(Rounds.Select(r => r[depth].Api.RequestsPerSecond / r[depth].Baseline.RequestsPerSecond));

    public double MedianRequestsPerSecond(int depth, bool baseline) => Median(Rounds.Select(r => Pick(r[depth], baseline).RequestsPerSecond));

    public double MedianP99(int depth, bool baseline) => Median(Rounds.Select(r => Pick(r[depth], baseline).P99Ms));

    private static LoadResult Pick((LoadResult Api, LoadResult Baseline) pair, bool baseline) => baseline ? pair.Baseline : pair.Api;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

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
            foreach (var (_, api, baseline) in servers)
            {
                foreach (var server in new[] { api, baseline })
                {
                    await Wrk.RunAsync(server.Address, info!.ClientKey, checks!, BenchSettings.Connections, durations.JitWarmUp, settings.ResultsDirectory);
                }
            }

            var results = new List<Dictionary<int, (LoadResult, LoadResult)>>();
            for (var round = 0; round < rounds; round++)
            {
                // Rotate which depth goes first, and within a depth whether the API or the baseline does.
                var order = servers.Skip(round % servers.Count).Concat(servers.Take(round % servers.Count)).ToList();
                var loads = new Dictionary<int, (LoadResult, LoadResult)>();
                foreach (var (depth, api, baseline) in order)
                {
                    async Task<LoadResult> Load(Server server)
                    {
                        await Wrk.RunAsync(server.Address, info!.ClientKey, checks!, BenchSettings.Connections, durations.WarmUp, settings.ResultsDirectory);
                        var result = await Wrk.RunAsync(server.Address, info.ClientKey, checks!, BenchSettings.Connections, durations.Other, settings.ResultsDirectory);
                        log($"{scale.Name}: round {round + 1}: {server.Name}: {result.RequestsPerSecond:F0} req/s, p99 {result.P99Ms:F2} ms, {result.Errors} errors");
                        return result;
                    }
                    if (round % 2 == 0)
                    {
                        var apiLoad = await Load(api);
                        loads[depth] = (apiLoad, await Load(baseline));
                    }
                    else
                    {
                        var baselineLoad = await Load(baseline);
                        loads[depth] = (await Load(api), baselineLoad);
                    }
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
