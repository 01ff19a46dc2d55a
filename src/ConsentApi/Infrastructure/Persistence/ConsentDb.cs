using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ConsentApi.Infrastructure.Persistence;

public static class ConsentDb
{
    public const string ConnectionStringName = "ConsentDb";

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
               .UseSnakeCaseNamingConvention();

    public static IServiceCollection AddConsentDb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDbContext<ConsentDbContext>((provider, options) =>
        {
            var connectionString = configuration.GetConnectionString(ConnectionStringName)
                ?? throw new InvalidOperationException(
                    $"Connection string '{ConnectionStringName}' is not configured (ConnectionStrings__{ConnectionStringName}).");
            Configure(options, connectionString);
            options.AddInterceptors(provider.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>());
        });
        return services;
    }

    /// <summary>True when the error is PostgreSQL's unique_violation (23505).</summary>
    public static bool IsUniqueViolation(this Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
        || exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
