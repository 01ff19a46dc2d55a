using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>A server process the bench starts: what it writes to either stream is kept, and told when it fails to start.</summary>
public sealed class ServerTests
{
    [Test]
    public void A_server_that_exits_at_start_is_reported_with_what_it_wrote_to_both_streams()
    {
        // dotnet given an assembly that does not exist writes the error to stderr and its reasons to stdout, and exits.
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-server-{Guid.NewGuid():N}.dll");

        var failure = Assert.ThrowsAsync<InvalidOperationException>(() =>
            Server.StartAsync("missing", missing, Server.FreePort(), new Dictionary<string, string>()));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.Message, Does.StartWith("missing exited with code 1"));
            Assert.That(failure.Message, Does.Contain("Could not execute"), "stderr");
            Assert.That(failure.Message, Does.Contain("Possible reasons"), "stdout");
        });
    }
}
