using System.Net;
using System.Net.Sockets;

namespace ConsentApi.Bench;

/// <summary>
/// Counts database round trips: a TCP relay between a server under test and PostgreSQL that counts, per connection, each
/// time the client sends after the server has answered (the client waited for the database). Pipelined statements (a
/// batch, a BEGIN sent with the first statement) are one round trip, as they cost one wait; opening a physical connection
/// costs a few, so the harness warms the pool up before counting.
/// </summary>
public sealed class RoundTripCounter : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly IPEndPoint target;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> connections = [];
    private readonly Task accepting;
    private long count;

    public RoundTripCounter(string targetHost, int targetPort)
    {
        target = new IPEndPoint(IPAddress.Parse(targetHost == "localhost" ? "127.0.0.1" : targetHost), targetPort);
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Round trips counted since the last <see cref="Reset"/>, over every connection.</summary>
    public long Count => Interlocked.Read(ref count);

    public void Reset() => Interlocked.Exchange(ref count, 0);

    /// <summary>
    /// Round trips per call of <paramref name="call"/>, made <paramref name="calls"/> times one at a time (with the
    /// indexes 0 to calls - 1), after ten calls (indexes from calls on) that open the pool's connections, less what the
    /// server does by itself meanwhile (the webhook dispatcher's polls, the gauges), counted idle for as long.
    /// </summary>
    public async Task<double> PerCallAsync(Func<int, Task> call, int calls)
    {
        for (var i = 0; i < 10; i++)
        {
            await call(calls + i);
        }
        Reset();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            await call(i);
        }
        var busy = Count;
        var elapsed = watch.Elapsed;
        Reset();
        await Task.Delay(elapsed);
        var idle = Count;
        return Math.Max(0, busy - idle) / (double)calls;
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            lock (connections)
            {
                connections.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            client.NoDelay = true;
            server.NoDelay = true;
            await server.ConnectAsync(target, stop.Token);
            // 0: the server spoke last (or nobody yet), 1: the client did.
            var clientSpokeLast = 0;
            var up = Pump(client.GetStream(), server.GetStream(), () =>
            {
                if (Interlocked.Exchange(ref clientSpokeLast, 1) == 0)
                {
                    Interlocked.Increment(ref count);
                }
            });
            var down = Pump(server.GetStream(), client.GetStream(), () => Interlocked.Exchange(ref clientSpokeLast, 0));
            await Task.WhenAny(up, down);
        }
    }

    private async Task Pump(NetworkStream from, NetworkStream to, Action onData)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, stop.Token);
                if (read == 0)
                {
                    return;
                }
                onData();
                await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        Task[] open;
        lock (connections)
        {
            open = [.. connections];
        }
        await Task.WhenAll(open);
        stop.Dispose();
    }
}
