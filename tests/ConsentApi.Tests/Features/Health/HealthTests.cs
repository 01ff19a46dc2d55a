using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using Npgsql;

namespace ConsentApi.Tests.Features.Health;

public sealed class HealthTests : ApiTest
{
    private static async Task<JsonObject> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), body);
        return JsonNode.Parse(body)!.AsObject();
    }

    [Test]
    public async Task Live_is_healthy_without_a_key()
    {
        var health = await ReadJsonAsync(await Client().GetAsync("/health/live"), HttpStatusCode.OK);

        Assert.That(health.ToJsonString(), Is.EqualTo("""{"status":"Healthy","checks":{}}"""));
    }

    [Test]
    public async Task Ready_is_healthy_without_a_key_when_the_database_is_migrated()
    {
        var health = await ReadJsonAsync(await Client().GetAsync("/health/ready"), HttpStatusCode.OK);

        Assert.That((string?)health["status"], Is.EqualTo("Healthy"));
        Assert.That(health["checks"]!.AsObject().Select(c => c.Key), Is.EqualTo(new[] { "database" }));
        Assert.That((string?)health["checks"]!["database"]!["status"], Is.EqualTo("Healthy"));
        Assert.That((string?)health["checks"]!["database"]!["description"], Is.EqualTo("Database reachable; migrations applied."));
    }

    [TestCase("/health/live")]
    [TestCase("/health/ready")]
    public async Task A_bad_key_does_not_make_health_checks_unauthorized(string path)
    {
        var health = await ReadJsonAsync(await Client("cak_000000000000_" + new string('A', 43)).GetAsync(path), HttpStatusCode.OK);

        Assert.That((string?)health["status"], Is.EqualTo("Healthy"));
    }
}

/// <summary>The API pointed at a database that exists but was never migrated.</summary>
public sealed class HealthOnAnUnmigratedDatabaseTests : ApiTest
{
    private readonly string _database = $"consent_unmigrated_{Guid.NewGuid():N}";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["ConnectionStrings:ConsentDb"] = TestDatabase.Server.ConnectionStringFor(_database),
    };

    // Runs after the base class made the (not yet started) app: the app first touches the database on the first request.
    [OneTimeSetUp]
    public Task CreateEmptyDatabaseAsync() => TestDatabase.Server.ExecuteAsync($"CREATE DATABASE {_database}");

    [Test]
    public async Task Ready_is_503_unhealthy_naming_the_pending_migrations()
    {
        var response = await Client().GetAsync("/health/ready");

        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), body);
        var health = JsonNode.Parse(body)!.AsObject();
        Assert.That((string?)health["status"], Is.EqualTo("Unhealthy"));
        Assert.That((string?)health["checks"]!["database"]!["status"], Is.EqualTo("Unhealthy"));
        Assert.That((string?)health["checks"]!["database"]!["description"], Does.Match(@"^[1-9][0-9]* migration\(s\) not applied\.$"));
    }

    [Test]
    public async Task Live_stays_healthy()
    {
        var response = await Client().GetAsync("/health/live");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"], Is.EqualTo("Healthy"));
    }
}

/// <summary>The API pointed at a database name the server does not have.</summary>
public sealed class HealthWithoutTheDatabaseTests : ApiTest
{
    private readonly string _database = $"consent_missing_{Guid.NewGuid():N}";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["ConnectionStrings:ConsentDb"] = TestDatabase.Server.ConnectionStringFor(_database),
    };

    [Test]
    public async Task Ready_is_503_unhealthy()
    {
        var response = await Client().GetAsync("/health/ready");

        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        var health = JsonNode.Parse(body)!.AsObject();
        Assert.That((string?)health["status"], Is.EqualTo("Unhealthy"));
        Assert.That((string?)health["checks"]!["database"]!["status"], Is.EqualTo("Unhealthy"));
        Assert.That((string?)health["checks"]!["database"]!["description"], Is.EqualTo("Database unreachable."));
    }

    [Test]
    public async Task Live_stays_healthy()
    {
        var response = await Client().GetAsync("/health/live");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}

/// <summary>The API pointed at a port where no database server listens.</summary>
public sealed class HealthWithoutADatabaseServerTests : ApiTest
{
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.Server.ConnectionStringFor("consent"))
    {
        Port = ClosedPort(), Timeout = 5,
    }.ConnectionString;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["ConnectionStrings:ConsentDb"] = _connectionString,
    };

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Test]
    public async Task Ready_is_503_unhealthy_because_the_database_is_unreachable()
    {
        var response = await Client().GetAsync("/health/ready");

        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        var health = JsonNode.Parse(body)!.AsObject();
        Assert.That((string?)health["status"], Is.EqualTo("Unhealthy"));
        Assert.That((string?)health["checks"]!["database"]!["status"], Is.EqualTo("Unhealthy"));
        Assert.That((string?)health["checks"]!["database"]!["description"], Is.EqualTo("Database unreachable."));
    }

    [Test]
    public async Task Live_stays_healthy()
    {
        var response = await Client().GetAsync("/health/live");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
