using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ConsentApi.Features.Health;

/// <summary>Ready when the database answers and every migration this build knows is applied.</summary>
public sealed class DatabaseReadyCheck(ConsentDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("Database unreachable.");
            }
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("Database reachable; migrations applied.")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Database unreachable.");
        }
    }
}

/// <summary>The service's health: <c>Healthy</c> or <c>Unhealthy</c>, with each check's finding.</summary>
/// <param name="Status">`Healthy`, `Degraded` or `Unhealthy`.</param>
public sealed record HealthResponse(
    [property: MaxLength(FieldLengths.Status)] string Status,
    IReadOnlyDictionary<string, HealthCheckResponse> Checks);

public sealed record HealthCheckResponse(
    [property: MaxLength(FieldLengths.Status)] string Status,
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
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
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
