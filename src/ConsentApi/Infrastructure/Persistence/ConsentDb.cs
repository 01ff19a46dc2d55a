using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ConsentApi.Infrastructure.Persistence;

public static class ConsentDb
{
    public const string ConnectionStringName = "ConsentDb";

    /// <summary>
    /// How many statements each connection keeps prepared when the connection string does not say. Planning the
    /// publication check costs PostgreSQL more than running it, so every hot statement is planned once per connection.
    /// </summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>For one-off contexts (design time, test set-up): connections come from Npgsql's global pools.</summary>
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(WithDefaults(connectionString), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
               .UseSnakeCaseNamingConvention();

    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
               .UseSnakeCaseNamingConvention();

    /// <summary>The configured connection string, with statements auto-prepared unless it sets Max Auto Prepare itself.</summary>
    public static string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
            builder.AutoPrepareMinUsages = 2;
        }
        return builder.ConnectionString;
    }

    public static IServiceCollection AddConsentDb(this IServiceCollection services, IConfiguration configuration)
    {
        // Resolved on first use, so that tools which build the host without a database (the OpenAPI CLI) never need one.
        services.AddSingleton(_ =>
        {
            var connectionString = configuration.GetConnectionString(ConnectionStringName)
                ?? throw new InvalidOperationException(
                    $"Connection string '{ConnectionStringName}' is not configured (ConnectionStrings__{ConnectionStringName}).");
            return NpgsqlDataSource.Create(WithDefaults(connectionString));
        });
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
