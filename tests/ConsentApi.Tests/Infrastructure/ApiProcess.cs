using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>
/// The API as a real process on a loopback port, from its own build output: for what needs a process (a kill, a
/// script or a generated client calling it over the network).
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly List<string> _output = [];

    private ApiProcess(Process process, Uri baseAddress)
    {
        Process = process;
        BaseAddress = baseAddress;
    }

    public Process Process { get; }

    public Uri BaseAddress { get; }

    /// <summary>What the process wrote to standard error so far: shown when a test fails.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The lines the process wrote to standard output so far (its console log).</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>Starts the API over <paramref name="connectionString"/>; <paramref name="settings"/> use <c>:</c> as in configuration.</summary>
    public static ApiProcess Start(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = Dll();
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", address.ToString().TrimEnd('/') },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ConnectionStrings__ConsentDb"] = connectionString;
        start.Environment["Bootstrap__AdminApiKey"] = ConsentApiFactory.BootstrapKey;
        start.Environment["Takedowns__SweepInterval"] = "00:00:00";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the API.");
        var api = new ApiProcess(process, address);
        // Drained so the child never blocks on a full pipe, and kept for tests that read the log.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (api._output)
                {
                    api._output.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (api._log)
                {
                    api._log.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return api;
    }

    /// <summary>Waits until the API answers its liveness probe.</summary>
    public async Task WaitUntilLiveAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with {Process.ExitCode}:\n{Log}");
            }
            try
            {
                using var response = await http.GetAsync("/health/live");
                if (response.IsSuccessStatusCode)
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
        throw new TimeoutException($"The API did not come up:\n{Log}");
    }

    /// <summary>Runs the API once in a mode such as <c>seed-demo</c> and returns what it printed.</summary>
    public static async Task<string> RunModeAsync(string mode, string connectionString)
    {
        var dll = Dll();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, mode },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__ConsentDb"] = connectionString;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the API.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{mode}` exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
        return await output;
    }

    /// <summary>The API's own build output, next to this test project's: src/ConsentApi/bin/{configuration}/{framework}.</summary>
    public static string Dll()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (testOutput.Name, testOutput.Parent!.Name);
        for (var directory = testOutput; directory is not null; directory = directory.Parent)
        {
            var dll = Path.Combine(directory.FullName, "src", "ConsentApi", "bin", configuration, framework, "ConsentApi.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }
        throw new FileNotFoundException("The API's build output was not found above " + testOutput.FullName);
    }

    /// <summary>The repository's root: the directory holding ConsentApi.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ConsentApi.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("ConsentApi.sln was not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL: no shutdown, nothing released.</summary>
    public async Task KillAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }
        await Process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Process.Dispose();
    }
}
