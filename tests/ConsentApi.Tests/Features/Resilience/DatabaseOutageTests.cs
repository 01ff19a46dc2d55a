using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ConsentApi.Tests.Features.Resilience;

/// <summary>
/// The API on a PostgreSQL cluster of its own, which the tests stop, freeze (SIGSTOP) and bring back while the app keeps
/// running. Every test leaves the cluster up again.
/// </summary>
public sealed class DatabaseOutageTests : ApiTest
{
    // Small enough that a frozen database costs a test seconds, not the defaults' quarter minute.
    private const int ConnectTimeoutSeconds = 2;
    private const int CommandTimeoutSeconds = 3;

    private PostgresServer? _server;
    private Tenant _tenant = null!;
    private readonly Queue<string> _unusedKeys = new();
    private int _schoolsWritten;

    private PostgresServer Server => _server ?? throw new InvalidOperationException("The server is not started.");

    // Key lookups are kept for an hour, so that a request with the tenant's warm key reaches its handler's query and one
    // with a key never used before reaches the key lookup: both must say 503 when the database is gone.
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["ApiKeys:CacheDuration"] = "01:00:00",
    };

    protected override async Task<string> CreateDatabaseAsync()
    {
        _server = await PostgresServer.StartLocalAsync();
        await _server.ExecuteAsync("CREATE DATABASE consent");
        var connectionString = new NpgsqlConnectionStringBuilder(_server.ConnectionStringFor("consent"))
        {
            Timeout = ConnectTimeoutSeconds, CommandTimeout = CommandTimeoutSeconds,
        }.ConnectionString;
        var options = new DbContextOptionsBuilder<ConsentDbContext>();
        ConsentDb.Configure(options, connectionString);
        await using var db = new ConsentDbContext(options.Options);
        await db.Database.MigrateAsync();
        return connectionString;
    }

    [OneTimeSetUp]
    public async Task CreateTenantAsync()
    {
        _tenant = await CreateTenantAsync(schools: 1);
        for (var i = 0; i < 16; i++)
        {
            _unusedKeys.Enqueue(await _tenant.CreateKeyAsync([Scopes.RosterRead]));
        }
        await AssertServedAsync();
    }

    [TearDown]
    public Task BringTheDatabaseBackAsync() => Server.EnsureRunningAsync();

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        await Factory.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Test]
    public async Task With_the_database_stopped_reads_writes_and_key_checks_are_503_unavailable_with_Retry_After()
    {
        await Server.StopAsync();

        foreach (var (name, send) in Requests())
        {
            var watch = Stopwatch.StartNew();
            var response = await send();
            TestContext.Out.WriteLine($"stopped database, {name}: {(int)response.StatusCode} in {watch.ElapsedMilliseconds} ms");
            await AssertUnavailableAsync(response, name);
        }
        await AssertNotReadyAsync(await Client().GetAsync("/health/ready"));
    }

    [Test]
    public async Task Hosts_that_answer_but_none_of_them_the_primary_are_an_outage_as_during_a_failover()
    {
        // A server whose sessions are read-only stands in for a standby: a multi-host data source that wants a
        // read-write (primary) session finds no suitable host, as the API's does while a standby is being promoted.
        await Server.ExecuteAsync("CREATE DATABASE standby_stand_in");
        await Server.ExecuteAsync("ALTER DATABASE standby_stand_in SET default_transaction_read_only = on");
        var host = new NpgsqlConnectionStringBuilder(Server.ConnectionStringFor("standby_stand_in"));
        var connectionString = new NpgsqlConnectionStringBuilder(host.ConnectionString)
        {
            Host = $"{host.Host}:{host.Port},{host.Host}:{host.Port}",
            TargetSessionAttributes = "read-write",
        }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var failure = Assert.CatchAsync<NpgsqlException>(async () => await (await dataSource.OpenConnectionAsync()).DisposeAsync());

        Assert.That(failure!.Message, Does.StartWith("No suitable host was found"), "the exception Npgsql gives for this case");
        Assert.That(failure.AsDatabaseOutage(), Is.EqualTo(DatabaseOutage.Unreachable), "answered 503 with Retry-After, not 500");
    }

    [Test]
    public async Task A_write_that_reaches_a_demoted_primary_is_an_outage()
    {
        // A transaction set read-only answers a write as a standby does: 25006, read-only SQL transaction.
        await using var connection = new NpgsqlConnection(Server.ConnectionStringFor("consent"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction);
        await command.ExecuteNonQueryAsync();
        command.CommandText = "CREATE TEMPORARY TABLE never_written (id int)";

        var failure = Assert.CatchAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.That(failure!.SqlState, Is.EqualTo(PostgresErrorCodes.ReadOnlySqlTransaction));
        Assert.That(failure.AsDatabaseOutage(), Is.EqualTo(DatabaseOutage.Unreachable));
    }

    [Test]
    public async Task With_the_database_stopped_health_checks_sent_with_a_key_answer_as_without_one()
    {
        await Server.StopAsync();

        await AssertNotReadyAsync(await Client(UnusedKey()).GetAsync("/health/ready"));
        var live = await Client(UnusedKey()).GetAsync("/health/live");
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), await live.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task With_the_database_frozen_ready_says_503_within_seconds_and_requests_end_in_503_within_the_timeouts()
    {
        // Connections in the pool, so that requests meet the command timeout as well as the connect timeout.
        await WarmThePoolAsync();
        await Server.FreezeAsync();

        var watch = Stopwatch.StartNew();
        var ready = await Client().GetAsync("/health/ready");
        var readyTime = watch.Elapsed;
        TestContext.Out.WriteLine($"frozen database, /health/ready: {(int)ready.StatusCode} in {readyTime.TotalMilliseconds:F0} ms");
        await AssertNotReadyAsync(ready);
        Assert.That(readyTime, Is.LessThan(TimeSpan.FromSeconds(5)), "the readiness check gives up after 2 s");

        foreach (var (name, send) in Requests())
        {
            watch.Restart();
            var response = await send();
            TestContext.Out.WriteLine($"frozen database, {name}: {(int)response.StatusCode} in {watch.ElapsedMilliseconds} ms");
            await AssertUnavailableAsync(response, name);
            // The connect (2 s) or command (3 s) timeout, plus the cancellation timeout, plus slack for a busy machine.
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), name);
        }
    }

    [Test]
    public async Task After_a_restart_of_the_database_every_request_succeeds_again_without_restarting_the_app()
    {
        // Several connections in the pool, all of which the restart cuts.
        await WarmThePoolAsync();
        await Server.StopAsync();
        await AssertUnavailableAsync(await _tenant.Full().GetAsync($"/v1/schools/{_tenant.SchoolId}"), "read while stopped");
        await Server.StartAgainAsync();

        for (var i = 0; i < 8; i++)
        {
            var response = await _tenant.Full().GetAsync($"/v1/schools/{_tenant.SchoolId}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"request {i} after the restart: {await response.Content.ReadAsStringAsync()}");
        }
        await AssertServedAsync();
    }

    [Test]
    public async Task After_the_database_thaws_every_request_succeeds_again_without_restarting_the_app()
    {
        await Server.FreezeAsync();
        await AssertUnavailableAsync(await _tenant.Full().GetAsync($"/v1/schools/{_tenant.SchoolId}"), "read while frozen");
        await Server.ThawAsync();

        await AssertServedAsync();
    }

    /// <summary>A key the app has never looked up, so none of its instances has it cached.</summary>
    private string UnusedKey() => _unusedKeys.Dequeue();

    /// <summary>Several requests at once leave several open connections in the pool.</summary>
    private async Task WarmThePoolAsync()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _tenant.Full().GetAsync($"/v1/schools/{_tenant.SchoolId}")));
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>A read and a write through a cached key, and a read whose key the app has not looked up yet.</summary>
    private IEnumerable<(string Name, Func<Task<HttpResponseMessage>> Send)> Requests() =>
    [
        ("read", () => _tenant.Full().GetAsync($"/v1/schools/{_tenant.SchoolId}")),
        ("write", () => _tenant.Full().PostAsJsonAsync("/v1/schools", new { name = Unique("School"), brinCode = $"{++_schoolsWritten:D2}ZZ" })),
        ("key lookup", () => Client(UnusedKey()).GetAsync($"/v1/schools/{_tenant.SchoolId}")),
    ];

    /// <summary>The requests of the outage tests all succeed, and the service says it is ready.</summary>
    private async Task AssertServedAsync()
    {
        Assert.That((await Client().GetAsync("/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        foreach (var (name, send) in Requests())
        {
            var response = await send();
            Assert.That(response.IsSuccessStatusCode, Is.True, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response, string name)
    {
        var problem = await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.That(response.Headers.RetryAfter?.Delta, Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)), name);
        Assert.That((string?)problem["detail"], Is.Not.Empty, name);
    }

    private static async Task AssertNotReadyAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), body);
        var health = JsonNode.Parse(body)!.AsObject();
        Assert.That((string?)health["status"], Is.EqualTo("Unhealthy"), body);
        Assert.That((string?)health["checks"]!["database"]!["description"], Is.EqualTo("Database unreachable."), body);
    }
}
