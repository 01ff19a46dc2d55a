using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests;

/// <summary>
/// Starts PostgreSQL once for the whole run (this fixture sits in the root namespace so it wraps every test) and migrates a template database once; every fixture then gets its own
/// database cloned from the template (a file copy, milliseconds), so fixtures never see each other's rows.
/// </summary>
[SetUpFixture]
public sealed class TestDatabase
{
    private const string Template = "consent_template";
    private static PostgresServer? _server;
    private static int _counter;

    public static PostgresServer Server => _server ?? throw new InvalidOperationException("The test database is not started.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await PostgresServer.StartAsync();
        await _server.ExecuteAsync($"DROP DATABASE IF EXISTS {Template}");
        await _server.ExecuteAsync($"CREATE DATABASE {Template}");
        var options = new DbContextOptionsBuilder<ConsentDbContext>();
        ConsentDb.Configure(options, _server.ConnectionStringFor(Template));
        await using (var db = new ConsentDbContext(options.Options))
        {
            await db.Database.MigrateAsync();
            // The app under test runs as the runtime role, as in production: a privilege it lacks fails a test.
            await db.Database.ExecuteSqlRawAsync(
                $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{RuntimeRole}') THEN CREATE ROLE {RuntimeRole} LOGIN; END IF; END $$");
            await ConsentApi.Infrastructure.Persistence.RuntimeRole.GrantAsync(db, RuntimeRole, password: null);
        }
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    /// <summary>The role the API runs as in the tests: no owner's or superuser's privileges.</summary>
    public const string RuntimeRole = "consent_runtime";

    /// <summary>A fresh, migrated database; returns the connection string of the runtime role.</summary>
    public static async Task<string> CreateAsync() =>
        new Npgsql.NpgsqlConnectionStringBuilder(Server.ConnectionStringFor(await CreateDatabaseAsync())) { Username = RuntimeRole }.ConnectionString;

    /// <summary>
    /// A fresh database for an app whose pool holds one connection, so that the connection a test looks at (its prepared
    /// statements, its server process) is the one the app uses.
    /// </summary>
    public static Task<string> CreateWithOneConnectionAsync() => CreateWithPoolOfAsync(1);

    /// <summary>A fresh database for an app whose pool holds at most <paramref name="connections"/> connections.</summary>
    public static async Task<string> CreateWithPoolOfAsync(int connections) =>
        new Npgsql.NpgsqlConnectionStringBuilder(await CreateAsync()) { MaxPoolSize = connections }.ConnectionString;

    /// <summary>The owner's connection string to the database behind <paramref name="connectionString"/>.</summary>
    public static string OwnerConnectionStringOf(string connectionString) =>
        Server.ConnectionStringFor(new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!);

    private static async Task<string> CreateDatabaseAsync()
    {
        var name = $"consent_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        await Server.ExecuteAsync($"DROP DATABASE IF EXISTS {name}");
        await Server.ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {Template}");
        return name;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
