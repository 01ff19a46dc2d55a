using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ConsentApi.Features.Health;

/// <summary>
/// Ready when the database answers and every migration this build knows is applied. Answers within
/// <see cref="Timeout"/> whatever the database does: an orchestrator's probe needs an answer, not a hung request.
/// </summary>
public sealed class DatabaseReadyCheck(NpgsqlDataSource dataSource, ConsentDbContext db) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        // Waiting no longer than the timeout matters when the server is frozen: Npgsql then still waits for its cancel
        // request to be confirmed. The abandoned query ends by itself and, broken, its connection leaves the pool.
        IReadOnlyCollection<string>? applied;
        try
        {
            applied = await AppliedMigrationsAsync(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            applied = null;
        }
        if (applied is null)
        {
            return HealthCheckResult.Unhealthy("Database unreachable.");
        }
        var pending = db.Database.GetMigrations().Except(applied).Count();
        return pending == 0
            ? HealthCheckResult.Healthy("Database reachable; migrations applied.")
            : HealthCheckResult.Unhealthy($"{pending} migration(s) not applied.");
    }

    /// <summary>The migrations the database has applied (none without a history table), or null when it cannot say.</summary>
    private async Task<IReadOnlyCollection<string>?> AppliedMigrationsAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand(
                $"SELECT migration_id FROM {ConsentDb.MigrationsHistoryTable}", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var applied = new List<string>();
            while (await reader.ReadAsync(ct))
            {
                applied.Add(reader.GetString(0));
            }
            return applied;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return [];
        }
        catch (Exception e) when (e is DbException or OperationCanceledException or TimeoutException)
        {
            return null;
        }
    }
}

/// <summary>The service's health: <c>Healthy</c> or <c>Unhealthy</c>, with each check's finding.</summary>
/// <param name="Status">`Healthy`, `Degraded` or `Unhealthy`.</param>
public sealed record HealthResponse(
    [property: MaxLength(FieldLengths.Status), OneOf(typeof(ServiceHealth))] string Status,
    IReadOnlyDictionary<string, HealthCheckResponse> Checks);

public sealed record HealthCheckResponse(
    [property: MaxLength(FieldLengths.Status), OneOf(typeof(ServiceHealth))] string Status,
    [property: MaxLength(200)] string? Description);

public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddConsentHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // Probes are neither authenticated nor rate limited: they must answer whatever else comes from their address.
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous().DisableRateLimiting();
        group.MapGet("/live", () => TypedResults.Ok(new HealthResponse("Healthy", new Dictionary<string, HealthCheckResponse>())))
            .WithName("GetLiveness")
            .WithSummary("Is the process up?")
            .WithDescription("Answers 200 while the process serves requests. Needs no API key; checks nothing else.");
        group.MapGet("/ready", CheckReady)
            .WithName("GetReadiness")
            .WithSummary("Can the service handle requests?")
            .WithDescription("200 when the database is reachable and all migrations are applied, else 503. Needs no API key.")
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> CheckReady(
        HealthCheckService health, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(Ready), ct);
        var body = new HealthResponse(report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckResponse(e.Value.Status.ToString(), e.Value.Description)));
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(body)
            : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
