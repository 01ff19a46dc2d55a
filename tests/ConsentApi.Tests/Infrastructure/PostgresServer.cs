using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run, started from the server binaries on this machine; or, when
/// <c>ConnectionStrings__ConsentDb</c> is set, that server instead.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string? _dataDirectory;
    private readonly string? _binDirectory;
    private readonly string? _options;

    public string AdminConnectionString { get; }

    private PostgresServer(string adminConnectionString, string? dataDirectory, string? binDirectory, string? options)
    {
        AdminConnectionString = adminConnectionString;
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        _options = options;
    }

    public static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("ConnectionStrings__ConsentDb") is { Length: > 0 } configured)
        {
            var builder = new NpgsqlConnectionStringBuilder(configured) { Database = "postgres" };
            return new PostgresServer(builder.ConnectionString, null, null, null);
        }
        return await StartLocalAsync();
    }

    /// <summary>A cluster of its own on this machine, whatever the environment says: one a test may stop or freeze.</summary>
    public static async Task<PostgresServer> StartLocalAsync()
    {
        var bin = FindBinDirectory();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"consentapi-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var asRoot = Environment.IsPrivilegedProcess;
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", dataDirectory]);
        }

        await RunAsync(Path.Combine(bin, "initdb"),
            ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"], asRoot);
        var port = FreePort();
        var options = $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                      "-c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB";
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Pooling = false,
        }.ConnectionString;
        var server = new PostgresServer(connectionString, dataDirectory, bin, options);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts a stopped cluster again, on the same port and data.</summary>
    public Task StartAgainAsync() => PgCtlAsync(
        ["-D", Local.DataDirectory, "-o", _options!, "-l", Path.Combine(Local.DataDirectory, "server.log"), "-w", "-t", "60", "start"]);

    /// <summary>Stops the cluster the way a crash or a pulled plug would: no checkpoint, connections cut.</summary>
    public Task StopAsync() => PgCtlAsync(["-D", Local.DataDirectory, "-m", "immediate", "-w", "stop"]);

    /// <summary>
    /// Suspends the postmaster and every backend (SIGSTOP): connections stay open and new ones are accepted by the kernel,
    /// but nothing answers, as with a hung host or a network that drops packets.
    /// </summary>
    public async Task FreezeAsync() => await SignalAllAsync("-STOP");

    public async Task ThawAsync() => await SignalAllAsync("-CONT");

    /// <summary>Brings a stopped or frozen cluster back; a running one is left as it is.</summary>
    public async Task EnsureRunningAsync()
    {
        if (File.Exists(Path.Combine(Local.DataDirectory, "postmaster.pid")))
        {
            await ThawAsync();
        }
        else
        {
            await StartAgainAsync();
        }
    }

    private (string DataDirectory, string BinDirectory) Local =>
        _dataDirectory is not null && _binDirectory is not null
            ? (_dataDirectory, _binDirectory)
            : throw new InvalidOperationException("Only a cluster started by the tests can be stopped or frozen.");

    private Task PgCtlAsync(IReadOnlyList<string> arguments) =>
        RunAsync(Path.Combine(Local.BinDirectory, "pg_ctl"), arguments, Environment.IsPrivilegedProcess);

    private async Task SignalAllAsync(string signal)
    {
        // The first line of postmaster.pid is the postmaster's pid; every backend and auxiliary process is its child.
        // The postmaster goes first, so that no child is forked after the list is taken.
        var postmaster = (await File.ReadAllLinesAsync(Path.Combine(Local.DataDirectory, "postmaster.pid")))[0].Trim();
        await RunAsync("kill", [signal, postmaster]);
        var children = await OutputOfAsync("pgrep", ["-P", postmaster]);
        foreach (var child in children.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                await RunAsync("kill", [signal, child]);
            }
            catch (InvalidOperationException)
            {
                // A backend whose client disconnected may have exited since the list was taken.
            }
        }
    }

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database, Pooling = true }.ConnectionString;

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataDirectory is null || _binDirectory is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            await ThawAsync();   // a frozen postmaster would not act on the stop
            await StopAsync();
        }
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static string FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .ToList()
            : [];
        return candidates.FirstOrDefault()
               ?? throw new InvalidOperationException(
                   "No PostgreSQL server binaries found under /usr/lib/postgresql (apt-get install postgresql), " +
                   "and neither PG_BIN nor ConnectionStrings__ConsentDb is set.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgresUser = false) =>
        OutputOfAsync(file, arguments, asPostgresUser);

    private static async Task<string> OutputOfAsync(string file, IReadOnlyList<string> arguments, bool asPostgresUser = false)
    {
        var start = asPostgresUser
            ? new ProcessStartInfo("runuser") { ArgumentList = { "-u", "postgres", "--", file } }
            : new ProcessStartInfo(file);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await error}");
        }
        return await output;
    }
}
