using System.Globalization;
using ConsentApi.Infrastructure.Errors;
using Microsoft.Extensions.Options;

namespace ConsentApi.Infrastructure.Http;

public sealed class ConcurrencyGateOptions
{
    public const string Section = "ConcurrencyGates";

    /// <summary>How long a request waits for a place before it is answered 503.</summary>
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Endpoint metadata: at most <see cref="InFlight"/> requests of the endpoint run at once on this instance. The gate
/// is passed before the body is read, so a waiting request holds no body; one that waits longer than
/// <see cref="ConcurrencyGateOptions.Wait"/> gets 503 with Retry-After.
/// </summary>
public sealed class ConcurrencyGate(int inFlight)
{
    public const int RetryAfterSeconds = 10;

    public int InFlight { get; } = inFlight;

    internal SemaphoreSlim Places { get; } = new(inFlight, inFlight);
}

public static class ConcurrencyGates
{
    public static TBuilder WithConcurrencyGate<TBuilder>(this TBuilder builder, int inFlight) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ConcurrencyGate(inFlight));

    public static IServiceCollection AddConcurrencyGates(this IServiceCollection services, IConfiguration configuration) =>
        services.Configure<ConcurrencyGateOptions>(configuration.GetSection(ConcurrencyGateOptions.Section));

    public static IApplicationBuilder UseConcurrencyGates(this IApplicationBuilder app)
    {
        var wait = app.ApplicationServices.GetRequiredService<IOptions<ConcurrencyGateOptions>>().Value.Wait;
        return app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<ConcurrencyGate>() is not { } gate)
            {
                await next(context);
                return;
            }
            if (!await gate.Places.WaitAsync(wait, context.RequestAborted))
            {
                context.Response.Headers.RetryAfter = ConcurrencyGate.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await ProblemDetailsSetup.WriteProblem(context, StatusCodes.Status503ServiceUnavailable,
                    "The service is busy.",
                    $"This instance runs at most {gate.InFlight} of these requests at once; retry after the seconds in Retry-After.");
                return;
            }
            try
            {
                await next(context);
            }
            finally
            {
                gate.Places.Release();
            }
        });
    }
}
