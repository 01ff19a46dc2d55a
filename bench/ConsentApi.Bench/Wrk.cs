using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ConsentApi.Bench;

/// <summary>One request of a workload; wrk cycles through a workload's requests, each thread from its own offset.</summary>
public sealed record WorkRequest(string Method, string Path, string? Body);

public sealed record LoadResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Errors)
{
    /// <summary>What the errors were, as wrk counts them (non-2xx answers; connect, read, write and timeout errors); empty without errors.</summary>
    public string ErrorKinds { get; init; } = "";

    /// <summary>"N errors", with their kinds when there are any: for the log.</summary>
    public string ErrorsText => Errors == 0 ? "0 errors" : $"{Errors} errors ({ErrorKinds})";
}

/// <summary>Drives wrk: writes the workload as a Lua script and reads throughput and latency percentiles from its report.</summary>
public static partial class Wrk
{
    public static async Task<LoadResult> RunAsync(Uri server, string apiKey, IReadOnlyList<WorkRequest> requests, int connections,
        TimeSpan duration, string workDirectory)
    {
        var script = Path.Combine(workDirectory, $"workload-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, Lua(apiKey, requests));
        try
        {
            var start = new ProcessStartInfo("wrk",
                ["-t2", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--timeout", "10s", "--latency", "-s", script, server.ToString()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"wrk failed: {output}{await process.StandardError.ReadToEndAsync()}");
            }
            return Parse(output);
        }
        finally
        {
            File.Delete(script);
        }
    }

    public static LoadResult Parse(string report)
    {
        var requests = long.Parse(RequestsLine().Match(report).Groups[1].Value, CultureInfo.InvariantCulture);
        var kinds = new List<(string Kind, long Count)>();
        if (NonSuccessLine().Match(report) is { Success: true } non2xx)
        {
            kinds.Add(("non-2xx", long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture)));
        }
        if (SocketErrorsLine().Match(report) is { Success: true } socket)
        {
            string[] names = ["connect", "read", "write", "timeout"];
            kinds.AddRange(names.Select((name, i) => (name, long.Parse(socket.Groups[i + 1].Value, CultureInfo.InvariantCulture))));
        }
        return new LoadResult(
            double.Parse(ThroughputLine().Match(report).Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile(report, "50"),
            Percentile(report, "99"),
            requests,
            kinds.Sum(k => k.Count))
        {
            ErrorKinds = string.Join(", ", kinds.Where(k => k.Count > 0).Select(k => $"{k.Kind} {k.Count}")),
        };
    }

    private static double Percentile(string report, string percentile)
    {
        var match = Regex.Match(report, $@"^\s+{percentile}%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    private static string Lua(string apiKey, IReadOnlyList<WorkRequest> requests)
    {
        var lua = new StringBuilder();
        lua.AppendLine("local requests = {");
        foreach (var r in requests)
        {
            lua.Append("  { ").Append(Quote(r.Method)).Append(", ").Append(Quote(r.Path)).Append(", ")
                .Append(r.Body is null ? "nil" : Quote(r.Body)).AppendLine(" },");
        }
        lua.AppendLine("}");
        lua.AppendLine($$"""
            local headers = { ["X-Api-Key"] = {{Quote(apiKey)}}, ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
            local threads = 0
            function setup(thread)
              threads = threads + 1
              thread:set("offset", threads * 7919)
            end
            local i = 0
            function request()
              i = i + 1
              local r = requests[((offset or 0) + i) % #requests + 1]
              return wrk.format(r[1], r[2], headers, r[3])
            end
            """);
        return lua.ToString();
    }

    private static string Quote(string text) => "[==[" + text + "]==]";

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex ThroughputLine();
}
