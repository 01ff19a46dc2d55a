using ConsentApi.Bench;
using Npgsql;

// Usage: ConsentApi.Bench [small] [large] [--quick]
// Environment (bench/run.sh sets it): BENCH_DB (a superuser connection to the benchmark cluster), BENCH_API_DLL,
// BENCH_BASELINE_DLL, BENCH_RESULTS (directory for the Markdown report).
var quick = args.Contains("--quick");
var scales = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(Scale.Parse).ToList();
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

var report = new Report(settings, string.Join(' ', args));
foreach (var scale in scales)
{
    report.Add(await ScaleRun.RunAsync(scale, settings, Log));
}
var markdown = await report.RenderAsync();
Console.WriteLine();
Console.WriteLine(markdown);
var file = await report.SaveAsync(markdown);
Log($"written to {file}");
return report.AllTargetsMet ? 0 : 2;

static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
