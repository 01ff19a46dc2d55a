using ConsentApi.Infrastructure.Persistence;
using Npgsql;

namespace ConsentApi.Tests.Features.Resilience;

/// <summary>The timeouts the API adds to its connection string, and that a string setting its own keeps them.</summary>
public sealed class ConnectionDefaultsTests
{
    [Test]
    public void A_connection_string_without_timeouts_gets_the_short_defaults()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConsentDb.WithDefaults("Host=db;Database=consent"));

        Assert.That((builder.Timeout, builder.CommandTimeout, builder.CancellationTimeout), Is.EqualTo((5, 10, 1000)));
    }

    [TestCase("Host=db;Timeout=30;Command Timeout=0;Cancellation Timeout=-1")]
    [TestCase("Host=db;timeout=30;CommandTimeout=0;CancellationTimeout=-1")]
    public void Timeouts_the_connection_string_sets_are_kept(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConsentDb.WithDefaults(connectionString));

        Assert.That((builder.Timeout, builder.CommandTimeout, builder.CancellationTimeout), Is.EqualTo((30, 0, -1)));
    }

    [Test]
    public void A_command_timeout_alone_leaves_the_connect_timeout_to_the_default()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConsentDb.WithDefaults("Host=db;Command Timeout=60"));

        Assert.That((builder.Timeout, builder.CommandTimeout), Is.EqualTo((5, 60)));
    }
}
