using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ConsentApi.Infrastructure.Persistence;

public static class ConsentDb
{
    public const string ConnectionStringName = "ConsentDb";

    public const string MigrationsHistoryTable = "__ef_migrations_history";

    /// <summary>
    /// How many statements each connection keeps prepared when the connection string does not say. Planning the
    /// publication check costs PostgreSQL more than running it, so every hot statement is planned once per connection.
    /// </summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>Seconds to open a connection: a healthy server answers in milliseconds; one that is down should cost little.</summary>
    public const int DefaultConnectTimeout = 5;

    /// <summary>
    /// Seconds a statement may run. The slowest the API sends (a batch of a 20,000-pupil roster sync) takes well under a
    /// second; a frozen server must not hold a request for Npgsql's 30 s.
    /// </summary>
    public const int DefaultCommandTimeout = 10;

    /// <summary>
    /// Milliseconds to wait for the server to confirm a timed-out or cancelled statement before the connection is
    /// given up: a running server confirms at once; a frozen one never does.
    /// </summary>
    public const int DefaultCancellationTimeout = 1000;

    /// <summary>For one-off contexts (design time, test set-up): connections come from Npgsql's global pools.</summary>
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(WithDefaults(connectionString), Npgsql).UseSnakeCaseNamingConvention();

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, Npgsql).UseSnakeCaseNamingConvention();

    private static void Npgsql(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable(MigrationsHistoryTable);

    /// <summary>
    /// The configured connection string with defaults, each kept only where the string does not set it itself: hot
    /// statements auto-prepared; connections returned to the pool without a reset (the API leaves no session state
    /// behind, its advisory locks are transaction-scoped, and the reset cost PostgreSQL a statement on every use); and
    /// timeouts short enough that a database that is down or frozen costs a request seconds, not half a minute.
    /// </summary>
    public static string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!Mentions(connectionString, "Auto Prepare", "AutoPrepare"))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
            builder.AutoPrepareMinUsages = 2;
        }
        if (!Mentions(connectionString, "Reset On Close", "ResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        if (!Sets(given, "Timeout"))
        {
            builder.Timeout = DefaultConnectTimeout;
        }
        if (!Sets(given, "Command Timeout", "CommandTimeout"))
        {
            builder.CommandTimeout = DefaultCommandTimeout;
        }
        if (!Sets(given, "Cancellation Timeout", "CancellationTimeout"))
        {
            builder.CancellationTimeout = DefaultCancellationTimeout;
        }
        return builder.ConnectionString;
    }

    private static bool Mentions(string connectionString, params string[] keys) =>
        keys.Any(key => connectionString.Contains(key, StringComparison.OrdinalIgnoreCase));

    // An exact key, unlike Mentions: "Timeout" is part of "Command Timeout".
    private static bool Sets(DbConnectionStringBuilder given, params string[] keys) => keys.Any(given.ContainsKey);

    public static IServiceCollection AddConsentDb(this IServiceCollection services, IConfiguration configuration)
    {
        // Resolved on first use, so that tools which build the host without a database (the OpenAPI CLI) never need one.
        services.AddSingleton(provider =>
        {
            var connectionString = configuration.GetConnectionString(ConnectionStringName)
                ?? throw new InvalidOperationException(
                    $"Connection string '{ConnectionStringName}' is not configured (ConnectionStrings__{ConnectionStringName}).");
            // Npgsql's own log (connection failures, failover) goes where the app's goes; parameter values are never
            // logged (Npgsql's EnableParameterLogging stays off), so personal data cannot reach it.
            return new NpgsqlDataSourceBuilder(WithDefaults(connectionString))
                .UseLoggerFactory(provider.GetRequiredService<ILoggerFactory>())
                .Build();
        });
        services.AddSingleton<PoolRepair>();
        // Pooled contexts: a request reuses a reset context instead of building one with its services each time.
        services.AddDbContextPool<ConsentDbContext>((provider, options) =>
        {
            Configure(options, provider.GetRequiredService<NpgsqlDataSource>());
            options.AddInterceptors(provider.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>());
        });
        return services;
    }

    /// <summary>True when the error is PostgreSQL's unique_violation (23505).</summary>
    public static bool IsUniqueViolation(this Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
        || exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
