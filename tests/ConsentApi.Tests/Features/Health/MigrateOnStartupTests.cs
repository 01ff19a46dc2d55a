using System.Net;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Health;

/// <summary><c>Database__MigrateOnStartup=true</c> brings an empty database to the current schema before serving.</summary>
public sealed class MigrateOnStartupTests : ApiTest
{
    private static readonly string Database = $"consent_empty_{Environment.ProcessId}";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["ConnectionStrings:ConsentDb"] = TestDatabase.Server.ConnectionStringFor(Database),
        ["Database:MigrateOnStartup"] = "true",
    };

    // Runs after the base class made the factory and before the first request starts the app.
    [OneTimeSetUp]
    public async Task CreateEmptyDatabaseAsync()
    {
        await TestDatabase.Server.ExecuteAsync($"DROP DATABASE IF EXISTS {Database}");
        await TestDatabase.Server.ExecuteAsync($"CREATE DATABASE {Database}");
    }

    [Test]
    public async Task An_empty_database_is_migrated_and_the_service_is_ready()
    {
        var response = await Client().GetAsync("/health/ready");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var applied = await Factory.QueryAsync(db => db.Database.GetAppliedMigrationsAsync());
        Assert.That(applied, Is.EquivalentTo(await Factory.QueryAsync(db => Task.FromResult(db.Database.GetMigrations()))));
        Assert.That(applied, Is.Not.Empty);
    }
}
