using System.Globalization;
using System.Threading.RateLimiting;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ConsentApi.Infrastructure.Http;

public sealed class RateLimitOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Requests per minute per API client (per IP address for calls without a valid key). 0 switches limiting off.</summary>
    public int PermitsPerMinute { get; set; } = 1200;
}

/// <summary>
/// A fixed one-minute window per API client, or per IP address for unauthenticated calls (so guessing keys is slow
/// too). Every response says the limit and what is left of it; a refused call gets 429 with Retry-After. The window is
/// kept per instance: with N instances a client may reach N times the limit, which bounds abuse without shared state.
/// Endpoints marked DisableRateLimiting (the health checks) are outside it, so a load balancer's address that also carries
/// bad requests still sees the instance healthy.
/// The address's window is also consulted before an API key is looked up in the database (see
/// <see cref="AddressMayLookUpKeys"/>), so an address guessing keys stops costing queries once it is refused.
/// </summary>
public sealed class ApiRateLimiter : IDisposable
{
    public const string LimitHeader = "X-RateLimit-Limit";
    public const string RemainingHeader = "X-RateLimit-Remaining";

    private readonly PartitionedRateLimiter<string>? _limiter;

    public ApiRateLimiter(IOptions<RateLimitOptions> options)
    {
        Limit = options.Value.PermitsPerMinute;
        if (Limit > 0)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Limit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
                }));
        }
    }

    public int Limit { get; }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_limiter is null || context.Request.Path.StartsWithSegments("/swagger")
            || context.GetEndpoint()?.Metadata.GetMetadata<DisableRateLimitingAttribute>() is not null)
        {
            await next(context);
            return;
        }

        var key = context.User.FindFirst(ApiKeyClaims.ClientId)?.Value
                  ?? (context.User.Identity?.IsAuthenticated == true ? "platform" : AddressKey(context));
        using var lease = _limiter.AttemptAcquire(key);
        var remaining = _limiter.GetStatistics(key)?.CurrentAvailablePermits ?? 0;
        // Set as the response starts: the exception handler clears the headers of a response it rewrites (a 404 or 409
        // from a handler), and those count against the limit too.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[LimitHeader] = Limit.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers[RemainingHeader] = remaining.ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        if (lease.IsAcquired)
        {
            await next(context);
            return;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await ProblemDetailsSetup.WriteProblem(context, StatusCodes.Status429TooManyRequests, "Too many requests.",
            $"This client may make {Limit} requests a minute; retry after the number of seconds in Retry-After.");
    }

    /// <summary>
    /// Whether the caller's address has requests left in its window for calls without a valid key. Authentication runs
    /// before this limiter answers, so without this check every refused guess would still cost a key lookup.
    /// </summary>
    public bool AddressMayLookUpKeys(HttpContext context) =>
        _limiter is null || (_limiter.GetStatistics(AddressKey(context))?.CurrentAvailablePermits ?? 1) > 0;

    private static string AddressKey(HttpContext context) => $"ip:{context.Connection.RemoteIpAddress}";

    public void Dispose() => _limiter?.Dispose();
}

public static class RateLimitingSetup
{
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        services.AddSingleton<ApiRateLimiter>();
        return services;
    }

    public static IApplicationBuilder UseApiRateLimiting(this IApplicationBuilder app)
    {
        var limiter = app.ApplicationServices.GetRequiredService<ApiRateLimiter>();
        return app.Use((context, next) => limiter.InvokeAsync(context, next));
    }
}
