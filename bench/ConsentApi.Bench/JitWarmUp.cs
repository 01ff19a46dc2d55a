using System.Globalization;
using System.Text.RegularExpressions;

namespace ConsentApi.Bench;

/// <summary>
/// Warms the API up until its JIT is done tiering up, then gives the baseline as long: both are measured in their steady
/// state.
/// </summary>
/// <remarks>
/// The JIT compiles hot methods again, instrumented and then optimised with the profile it gathered (dynamic PGO), in the
/// background while the load runs. The API has far more code on a request's path than the baseline (middleware,
/// authentication, validation, the mediator), so it takes longer: under the check load alone, from a cold start, the API
/// compiled 7,136, 3,405, 2,440 and 2,149 methods in its first four 10-second slices and 312 in the fifth, and its CPU
/// per check fell from 563 µs at 30 s to 380-410 µs from 50 s on; the baseline's settled by 30 s (283, then 250-295 µs).
/// A fixed 30 s of warm-up measured the API while its JIT still took part of the machine (2026-12-01, README
/// Performance). The API reports its compiled methods on <c>/metrics</c> (<c>dotnet_jit_compiled_methods_total</c>).
/// </remarks>
public static partial class JitWarmUp
{
    /// <summary>A slice of load after the first warm-up; the JIT counts as quiet after one that compiled fewer methods.</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromSeconds(10);

    public const int QuietMethods = 500;

    /// <summary>At most this many slices after the first warm-up, for a JIT that never quiets down.</summary>
    public const int MaxSlices = 12;

    /// <summary>
    /// Loads <paramref name="api"/> with <paramref name="apiRequests"/> for the bench's warm-up and then slice by slice
    /// until its JIT is quiet, then <paramref name="baseline"/> with <paramref name="baselineRequests"/> for as long in all.
    /// </summary>
    public static async Task RunAsync(Server api, IReadOnlyList<WorkRequest> apiRequests, Server baseline,
        IReadOnlyList<WorkRequest> baselineRequests, string apiKey, BenchSettings settings, Action<string> log)
    {
        var warmUp = settings.Durations.JitWarmUp;
        await Wrk.RunAsync(api.Address, apiKey, apiRequests, BenchSettings.Connections, warmUp, settings.ResultsDirectory);
        if (settings.Durations.SettleJit)
        {
            using var http = new HttpClient { BaseAddress = api.Address, Timeout = TimeSpan.FromSeconds(10) };
            for (var slice = 1; slice <= MaxSlices; slice++)
            {
                var before = CompiledMethods(await http.GetStringAsync("/metrics"));
                await Wrk.RunAsync(api.Address, apiKey, apiRequests, BenchSettings.Connections, Slice, settings.ResultsDirectory);
                var compiled = CompiledMethods(await http.GetStringAsync("/metrics")) - before;
                warmUp += Slice;
                if (compiled < QuietMethods)
                {
                    log($"the API's JIT is quiet after {warmUp.TotalSeconds:F0} s of warm-up ({compiled:F0} methods compiled in the last {Slice.TotalSeconds:F0} s)");
                    break;
                }
                if (slice == MaxSlices)
                {
                    log($"the API's JIT still compiled {compiled:F0} methods in the last {Slice.TotalSeconds:F0} s after {warmUp.TotalSeconds:F0} s of warm-up; measuring anyway");
                }
            }
        }
        await Wrk.RunAsync(baseline.Address, apiKey, baselineRequests, BenchSettings.Connections, warmUp, settings.ResultsDirectory);
    }

    /// <summary>The JIT's compiled methods so far, from a Prometheus scrape of the API.</summary>
    public static double CompiledMethods(string scrape) =>
        CompiledMethodsLine().Match(scrape) is { Success: true } match
            ? double.Parse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("The API's /metrics has no dotnet_jit_compiled_methods_total.");

    [GeneratedRegex(@"^dotnet_jit_compiled_methods_total(?:\{[^}]*\})?\s+([0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex CompiledMethodsLine();
}
