using Npgsql;

namespace ConsentApi.Bench;

/// <summary>A data set of the alternating rounds: a scale at a history depth.</summary>
public sealed record DataSetKey(Scale Scale, int Depth)
{
    public string Label => Depth == 1 ? Scale.Name : $"{Scale.Name} depth {Depth}";
}

/// <summary>
/// The check on several data sets (one scale at several depths, or several scales), measured in alternating rounds against
/// servers that all run at once.
/// </summary>
/// <remarks>
/// The runs of <see cref="ScaleRun"/> measure each depth and each scale minutes apart on fresh servers, and on a shared
/// machine the drift between them (other load, the JIT, the page cache) moved the depth-10 ÷ depth-1 ratio of the same
/// code between 0.85 and 0.98, the check's API ÷ its SQL by hand between 0.86 and 1.11, and its p50 at large ÷ small
/// between 0.71 and 1.22 (the runs of 2026-12-02 00:06 and 01:02: by hand, the check ran 1,851 req/s at small and 1,636 at
/// large in one, 1,337 at small in the other). Here every data set's API and baseline (by hand and the fastest SQL) are up
/// together and take turns, the order rotating each round, so a ratio is taken between loads seconds apart and the median
/// over the rounds discards the outliers.
/// </remarks>
/// <param name="Sets">The data sets, the first the one every ratio is taken against (depth 1, or the smallest scale).</param>
/// <param name="Rounds">Per round: per data set, the check's loads on the API, its SQL by hand and the fastest SQL.</param>
public sealed record AlternatingRoundsResult(IReadOnlyList<DataSetKey> Sets, IReadOnlyList<Dictionary<DataSetKey, RoundLoads>> Rounds)
{
    /// <summary>Whether the sets are one scale at several depths (else several scales at one depth).</summary>
    public bool ComparesDepths => Sets.Select(s => s.Scale).Distinct().Count() == 1;

    /// <summary>Median over the rounds of the round's throughput on <paramref name="set"/> ÷ on the first set.</summary>
    public double ThroughputRatio(DataSetKey set, bool baseline = false) =>
        Turns.Median(Rounds.Select(r => Pick(r[set], baseline).RequestsPerSecond / Pick(r[Sets[0]], baseline).RequestsPerSecond));

    /// <summary>Median over the rounds of the round's p50 latency on <paramref name="set"/> ÷ on the first set.</summary>
    public double P50Ratio(DataSetKey set, bool baseline = false) =>
        Turns.Median(Rounds.Select(r => Pick(r[set], baseline).P50Ms / Pick(r[Sets[0]], baseline).P50Ms));

    /// <summary>Median over the rounds of the round's p99 latency on <paramref name="set"/> ÷ on the first set.</summary>
    public double P99Ratio(DataSetKey set, bool baseline = false) =>
        Turns.Median(Rounds.Select(r => Pick(r[set], baseline).P99Ms / Pick(r[Sets[0]], baseline).P99Ms));

    /// <summary>Median over the rounds of the round's API ÷ baseline (by hand) throughput on <paramref name="set"/>.</summary>
    public double ApiToBaseline(DataSetKey set) => Turns.Median(Rounds.Select(r => r[set].Api.RequestsPerSecond / r[set].Baseline.RequestsPerSecond));

    /// <summary>
    /// Median over the rounds of the round's API throughput on <paramref name="set"/> ÷ the faster of its two baselines
    /// in that round (the API's SQL by hand, the fastest SQL): the check's target.
    /// </summary>
    public double ApiToFaster(DataSetKey set) => Turns.Median(Rounds.Select(r =>
        r[set].Api.RequestsPerSecond / Math.Max(r[set].Baseline.RequestsPerSecond, r[set].Fastest.RequestsPerSecond)));

    public double MedianRequestsPerSecond(DataSetKey set, bool baseline) => Turns.Median(Rounds.Select(r => Pick(r[set], baseline).RequestsPerSecond));

    public double MedianFastestRequestsPerSecond(DataSetKey set) => Turns.Median(Rounds.Select(r => r[set].Fastest.RequestsPerSecond));

    public double MedianP50(DataSetKey set, bool baseline) => Turns.Median(Rounds.Select(r => Pick(r[set], baseline).P50Ms));

    public double MedianP99(DataSetKey set, bool baseline) => Turns.Median(Rounds.Select(r => Pick(r[set], baseline).P99Ms));

    private static LoadResult Pick(RoundLoads loads, bool baseline) => baseline ? loads.Baseline : loads.Api;
}

/// <summary>One round's check loads on one data set: the API, its SQL by hand, the fastest SQL.</summary>
public sealed record RoundLoads(LoadResult Api, LoadResult Baseline, LoadResult Fastest);

public static class AlternatingRounds
{
    public static async Task<AlternatingRoundsResult> RunAsync(IReadOnlyList<DataSetKey> sets, int rounds, BenchSettings settings,
        Action<string> log)
    {
        await using var admin = new NpgsqlConnection(settings.HarnessConnectionTo("postgres"));
        await admin.OpenAsync();
        var title = string.Join(", ", sets.Select(s => s.Label));
        var servers = new List<(DataSetKey Set, string Database, Server Api, Server Baseline, DataSetInfo Info, List<WorkRequest> Checks)>();
        try
        {
            foreach (var set in sets)
            {
                var database = $"bench_rounds_{set.Scale.Name}_{set.Depth}";
                log($"{title}: alternating rounds: cloning {set.Label} into {database}");
                await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
                await Sql.ExecuteAsync(admin, $"CREATE DATABASE {database} TEMPLATE {await ScaleRun.EnsureTemplateAsync(set.Scale, set.Depth, settings, admin, log)}");
                var connection = settings.ConnectionTo(database);
                await Server.RunModeAsync(settings.ApiDll, "migrate", new Dictionary<string, string> { ["ConnectionStrings__ConsentDb"] = connection });
                DataSetInfo info;
                List<WorkRequest> checks;
                await using (var db = new NpgsqlConnection(settings.HarnessConnectionTo(database)))
                {
                    await db.OpenAsync();
                    await Sql.ExecuteAsync(db, "VACUUM ANALYZE");
                    // The depths of a scale are clones of the same generated data set: the same pupils, keys and requests.
                    info = await DataSetInfo.ReadAsync(db);
                    checks = await Workloads.PublicationChecksAsync(db);
                }
                var api = await Server.StartAsync($"API {set.Label}", settings.ApiDll, Server.FreePort(), new Dictionary<string, string>
                {
                    ["ConnectionStrings__ConsentDb"] = connection,
                    ["RateLimiting__PermitsPerMinute"] = "100000000",
                });
                var baseline = await Server.StartAsync($"baseline {set.Label}", settings.BaselineDll, Server.FreePort(), new Dictionary<string, string>
                {
                    ["ConnectionStrings__ConsentDb"] = connection,
                    ["Baseline__OrganisationId"] = info.OrganisationId.ToString(),
                });
                servers.Add((set, database, api, baseline, info, checks));
                // The fastest SQL gives the API's answers on this data set before either is timed.
                await Answers.VerifyAsync(api.Address, baseline.Address, ScaleRun.Fastest, info.ClientKey, $"check, {set.Label}", checks.Take(25), log);
            }

            var durations = settings.Durations;
            log($"{title}: alternating rounds: warming {servers.Count * 2} servers up");
            foreach (var (_, _, api, baseline, info, checks) in servers)
            {
                // The fastest SQL's checks are the same requests, served by the baseline under /fastest.
                await JitWarmUp.RunAsync(api, checks, baseline, [.. checks, .. ScaleRun.Prefixed(checks)], info.ClientKey, settings,
                    message => log($"{title}: alternating rounds: {message}"));
            }

            var results = new List<Dictionary<DataSetKey, RoundLoads>>();
            for (var round = 0; round < rounds; round++)
            {
                // Rotate which data set goes first, and within a data set which of the API, by hand and fastest does.
                var order = servers.Skip(round % servers.Count).Concat(servers.Take(round % servers.Count)).ToList();
                var loads = new Dictionary<DataSetKey, RoundLoads>();
                foreach (var (set, _, api, baseline, info, checks) in order)
                {
                    async Task<LoadResult> Load(Server server, IReadOnlyList<WorkRequest> requests, string name)
                    {
                        await Wrk.RunAsync(server.Address, info.ClientKey, requests, BenchSettings.Connections, durations.WarmUp, settings.ResultsDirectory);
                        var mark = server.Output.Mark;
                        var result = await Wrk.RunAsync(server.Address, info.ClientKey, requests, BenchSettings.Connections, durations.Check, settings.ResultsDirectory);
                        log($"{title}: round {round + 1}: {name}: {result.RequestsPerSecond:F0} req/s, p50 {result.P50Ms:F2} ms, p99 {result.P99Ms:F2} ms, {result.ErrorsText}");
                        foreach (var line in server.Output.ReportFailures(result, name, mark))
                        {
                            log($"{title}: round {round + 1}: {line}");
                        }
                        return result;
                    }
                    var fastestChecks = ScaleRun.Prefixed(checks);
                    // The API, by hand, fastest: measured in that order shifted by the round, kept in that order.
                    Func<Task<LoadResult>>[] turns =
                    [
                        () => Load(api, checks, api.Name),
                        () => Load(baseline, checks, baseline.Name),
                        () => Load(baseline, fastestChecks, $"fastest SQL {set.Label}"),
                    ];
                    var measured = new LoadResult[turns.Length];
                    foreach (var which in Turns.Order(turns.Length, round))
                    {
                        measured[which] = await turns[which]();
                    }
                    loads[set] = new RoundLoads(measured[0], measured[1], measured[2]);
                }
                results.Add(loads);
            }
            return new AlternatingRoundsResult(sets, results);
        }
        finally
        {
            foreach (var (_, _, api, baseline, _, _) in servers)
            {
                await api.DisposeAsync();
                await baseline.DisposeAsync();
            }
            NpgsqlConnection.ClearAllPools();
            foreach (var set in sets)
            {
                await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS bench_rounds_{set.Scale.Name}_{set.Depth} WITH (FORCE)");
            }
        }
    }
}
