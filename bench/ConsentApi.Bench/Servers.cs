using System.Diagnostics;

namespace ConsentApi.Bench;

/// <summary>A server process under test: the API or the baseline, started from its Release build.</summary>
public sealed class Server : IAsyncDisposable
{
    private readonly Process process;
    private readonly ServerOutput output = new();

    private Server(string name, Process process, Uri address)
    {
        Name = name;
        this.process = process;
        Address = address;
        process.OutputDataReceived += (_, line) => output.Add(line.Data);
        process.ErrorDataReceived += (_, line) => output.Add(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri Address { get; }

    public int ProcessId => process.Id;

    /// <summary>What the server has written to its console (stdout and stderr), the last lines of it.</summary>
    public ServerOutput Output => output;

    /// <summary>
    /// A port nothing listens on now. A fixed one may be taken by another run on the same machine, whose server would
    /// then answer in this one's place.
    /// </summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task<Server> StartAsync(string name, string dll, int port, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var server = new Server(name, Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        await server.WaitUntilLiveAsync();
        return server;
    }

    /// <summary>Runs the API once in a mode such as <c>migrate</c> and waits for it to finish.</summary>
    public static async Task RunModeAsync(string dll, string mode, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [dll, mode]) { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{mode}' failed with exit code {process.ExitCode}.");
        }
    }

    private async Task WaitUntilLiveAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode}: {string.Join('\n', output.Since(0))}");
            }
            try
            {
                if ((await http.GetAsync("/health/live")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} did not come up on {Address}.");
    }

    /// <summary>Samples the resident memory (VmRSS) every 50 ms while <paramref name="load"/> runs; returns the highest, in MiB.</summary>
    public async Task<(T Result, double PeakRssMiB)> MeasureRssDuringAsync<T>(Func<Task<T>> load)
    {
        using var stop = new CancellationTokenSource();
        var peak = 0L;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, ProcessMemory.StatusKiB(process.Id, "VmRSS"));
                await Task.Delay(50, CancellationToken.None);
            }
        });
        var result = await load();
        await stop.CancelAsync();
        await sampler;
        return (result, peak / 1024.0);
    }

    /// <summary>The most memory the process has held resident since it started, or since <see cref="ResetPeakRss"/> (VmHWM), in MiB.</summary>
    public double PeakRssMiB() => ProcessMemory.StatusKiB(process.Id, "VmHWM") / 1024.0;

    /// <summary>The memory the process holds resident now (VmRSS), in MiB.</summary>
    public double RssMiB() => ProcessMemory.StatusKiB(process.Id, "VmRSS") / 1024.0;

    /// <inheritdoc cref="ProcessMemory.ResetPeak"/>
    public bool ResetPeakRss() => ProcessMemory.ResetPeak(process.Id);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}

/// <summary>A process's resident memory, from Linux's <c>/proc/&lt;pid&gt;</c>.</summary>
public static class ProcessMemory
{
    /// <summary>A field of <c>/proc/&lt;pid&gt;/status</c> given in kB (VmRSS, VmHWM, RssAnon, ...).</summary>
    public static long StatusKiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Sets the process's peak resident memory (VmHWM) back to what it holds now, so that the peak read later is the peak
    /// of what ran in between (<c>/proc/&lt;pid&gt;/clear_refs</c>, "5"). False where the kernel refuses it; the peak then
    /// still counts from the start.
    /// </summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
