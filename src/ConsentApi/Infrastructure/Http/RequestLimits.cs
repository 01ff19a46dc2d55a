using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace ConsentApi.Infrastructure.Http;

/// <summary>
/// A small default body limit for every operation and a larger one where an endpoint declares it (the roster sync).
/// A declared Content-Length over the limit is refused before any of the body is read.
/// </summary>
public static class RequestLimits
{
    public const long DefaultBodyBytes = 1024 * 1024;
    /// <summary>
    /// A roster at every list limit with every text at full length is 43 MB in ASCII and 104 MB in three-byte UTF-8;
    /// real ones are a few MB (20,000 pupils with 30,000 guardians: 5.5 MB). A lower limit would refuse legal rosters,
    /// and what a body may build is bounded while it is read (LimitedList, TextLimits), so this limit only bounds bytes.
    /// </summary>
    public const long RosterBodyBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Roster syncs running at once per instance. A roster within its limits can still be tens of MB of objects
    /// (20,000 pupils with ten guardian links each and names at full length), and the sync holds it until it is saved.
    /// </summary>
    public const int RosterSyncsInFlight = 2;

    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
                        ?? DefaultBodyBytes;
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }
            if (context.Request.ContentLength > limit)
            {
                throw new BadHttpRequestException(
                    $"The request body is larger than the {limit} bytes this operation accepts.",
                    StatusCodes.Status413PayloadTooLarge);
            }
            return next(context);
        });

    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestSizeLimitMetadata(bytes));

    private sealed record RequestSizeLimitMetadata(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
