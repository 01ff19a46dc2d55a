using ConsentApi.Bench;
using Npgsql;

// Usage: ConsentApi.Bench [small] [large] [xl] [--depth 1,10] [--rounds 5] [--rounds-only] [--quick]
//        ConsentApi.Bench webhooks [--quick]   (webhook delivery latency and throughput only; see WebhookRun)
//        ConsentApi.Bench campaigns [small] [large] [xl] [--quick]   (the campaigns' and the parents' app's reads; see CampaignReadsRun)
// --depth N[,M...]: how many decisions each person's history per item holds (default 1); every scale runs at every depth.
// --rounds N: with several depths, the check at every depth of a scale is then measured again in N alternating rounds
// with all the depths' servers up at once; with several scales, the check at every scale (at the first depth) likewise
// (default 5; 0 skips them). The depth and scale targets are taken from these rounds. --rounds-only runs only these rounds.
// Environment (bench/run.sh sets it): BENCH_DB (a superuser connection to the benchmark cluster), BENCH_API_DLL,
// BENCH_BASELINE_DLL, BENCH_RESULTS (directory for the Markdown report).
var quick = args.Contains("--quick");
var depths = new List<int>();
var names = new List<string>();
var rounds = quick ? 1 : 5;
var roundsOnly = args.Contains("--rounds-only");
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--depth" || args[i].StartsWith("--depth=", StringComparison.Ordinal))
    {
        var value = args[i] == "--depth"
            ? (i + 1 < args.Length ? args[++i] : throw new ArgumentException("--depth needs a value, e.g. --depth 1,10."))
            : args[i]["--depth=".Length..];
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            depths.Add(int.TryParse(part, out var depth) && depth is >= 1 and <= 50
                ? depth
                : throw new ArgumentException($"Unknown depth '{part}': use a whole number from 1 to 50."));
        }
    }
    else if (args[i] == "--rounds")
    {
        rounds = i + 1 < args.Length && int.TryParse(args[++i], out var n) && n is >= 0 and <= 50
            ? n
            : throw new ArgumentException("--rounds needs a whole number from 0 to 50.");
    }
    else if (!args[i].StartsWith("--", StringComparison.Ordinal))
    {
        names.Add(args[i]);
    }
}
if (depths.Count == 0)
{
    depths.Add(1);
}
depths = [.. depths.Distinct().Order()];
var scales = names.Where(n => n is not ("webhooks" or "campaigns")).Select(Scale.Parse).ToList();
if (scales.Count == 0)
{
    scales.Add(Scale.Small);
}

var settings = new BenchSettings(
    Environment.GetEnvironmentVariable("BENCH_DB") ?? throw new InvalidOperationException("BENCH_DB is not set."),
    Environment.GetEnvironmentVariable("BENCH_API_DLL") ?? throw new InvalidOperationException("BENCH_API_DLL is not set."),
    Environment.GetEnvironmentVariable("BENCH_BASELINE_DLL") ?? throw new InvalidOperationException("BENCH_BASELINE_DLL is not set."),
    Environment.GetEnvironmentVariable("BENCH_RESULTS") ?? "bench/results",
    quick ? BenchDurations.Quick : BenchDurations.Full);

if (names.Contains("webhooks"))
{
    return await WebhookRun.RunAsync(settings, quick, Log);
}
if (names.Contains("campaigns"))
{
    return await CampaignReadsRun.RunAsync(scales, settings, quick, Log);
}

var report = new Report(settings, string.Join(' ', args));
foreach (var scale in scales)
{
    foreach (var depth in depths)
    {
        if (!roundsOnly)
        {
            report.Add(await ScaleRun.RunAsync(scale, depth, settings, Log));
        }
    }
    if (depths.Count > 1 && rounds > 0)
    {
        report.Add(await AlternatingRounds.RunAsync([.. depths.Select(d => new DataSetKey(scale, d))], rounds, settings, Log));
    }
}
if (scales.Count > 1 && rounds > 0)
{
    // The smallest scale first: every scale's ratio is taken against it.
    report.Add(await AlternatingRounds.RunAsync([.. scales.Distinct().OrderBy(s => s.Pupils).Select(s => new DataSetKey(s, depths[0]))], rounds,
        settings, Log));
}
var markdown = await report.RenderAsync();
Console.WriteLine();
Console.WriteLine(markdown);
var file = await report.SaveAsync(markdown);
Log($"written to {file}");
return report.AllTargetsMet ? 0 : 2;

static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
