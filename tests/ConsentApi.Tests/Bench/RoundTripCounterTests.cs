using System.Net;
using System.Net.Sockets;
using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>The round trips reported per call are counted by the relay: each wait for the server's answer is one.</summary>
public sealed class RoundTripCounterTests
{
    [Test]
    public async Task Each_exchange_of_request_and_answer_is_one_round_trip_however_many_bytes_it_sends()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var answering = Task.Run(async () =>
        {
            using var connection = await server.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            var buffer = new byte[1024];
            while (await stream.ReadAsync(buffer) is > 0 and var read)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read));
            }
        });
        await using var counter = new RoundTripCounter("127.0.0.1", ((IPEndPoint)server.LocalEndpoint).Port);

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, counter.Port);
            var stream = client.GetStream();
            foreach (var request in new[] { "BEGIN; SELECT 1; SELECT 2", "COMMIT", "SELECT 3" })
            {
                var bytes = System.Text.Encoding.ASCII.GetBytes(request);
                await stream.WriteAsync(bytes);
                var answer = new byte[bytes.Length];
                await stream.ReadExactlyAsync(answer);
            }
            Assert.That(counter.Count, Is.EqualTo(3));

            counter.Reset();
            Assert.That(counter.Count, Is.Zero);
        }
        await answering;
    }
}
