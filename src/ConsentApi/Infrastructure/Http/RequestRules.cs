using ConsentApi.Infrastructure.Errors;
using Microsoft.Net.Http.Headers;

namespace ConsentApi.Infrastructure.Http;

/// <summary>
/// What every request must be before any handler reads it, checked in one place: a body is <c>application/json</c> in
/// UTF-8 (415 otherwise); query and route values hold no control characters; moments in the query are RFC 3339 with an
/// offset (400 naming the field otherwise).
/// </summary>
public static class RequestRules
{
    public static IApplicationBuilder UseRequestRules(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<AcceptsFileBodyMetadata>() is null)
            {
                EnsureJsonBody(context.Request);
            }
            foreach (var (key, values) in context.Request.Query)
            {
                if (ControlCharacters.AreIn(key))
                {
                    throw new RequestValidationException("$query", ControlCharacters.Message);
                }
                if (values.Any(v => v is not null && ControlCharacters.AreIn(v)))
                {
                    throw new RequestValidationException(key, ControlCharacters.Message);
                }
                if (Rfc3339.QueryParameters.Contains(key) && values.Any(v => !Rfc3339.TryParse(v, out _)))
                {
                    throw new RequestValidationException(key, Rfc3339.Message);
                }
            }
            foreach (var (key, value) in context.Request.RouteValues)
            {
                if (value is string text && ControlCharacters.AreIn(text))
                {
                    throw new RequestValidationException(key, ControlCharacters.Message);
                }
            }
            await next(context);
        });

    /// <summary>
    /// A request that declares a content type sends JSON as the contract describes it: exactly <c>application/json</c>
    /// (not another <c>+json</c> type), in UTF-8 when a charset is named.
    /// </summary>
    private static void EnsureJsonBody(HttpRequest request)
    {
        var mayHaveBody = HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)
                          || request.ContentLength > 0;
        if (!mayHaveBody || request.ContentType is not { Length: > 0 } contentType)
        {
            return;
        }
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            throw new BadHttpRequestException("Send the body as application/json in UTF-8.", StatusCodes.Status415UnsupportedMediaType);
        }
    }
}

/// <summary>Endpoint metadata: the body is a file (its type is judged from its content by the operation), not JSON.</summary>
public sealed class AcceptsFileBodyMetadata;
