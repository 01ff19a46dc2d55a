namespace ConsentApi.Infrastructure.Http;

/// <summary>
/// Headers every response carries, whatever wrote it (an endpoint, a problem from the exception handler, a 401 or a 429):
/// they are set as the response starts, so nothing that clears the response on the way can drop them.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The printable class sheet needs its inline stylesheet and nothing else: no scripts, fonts, frames or forms.</summary>
    public const string ClassSheetPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Everything under /v1 is personal data or a secret (a new key is in a 201): no shared or browser cache keeps it.
                if (context.Request.Path.StartsWithSegments("/v1"))
                {
                    headers.CacheControl = "no-store";
                }
                return Task.CompletedTask;
            });
            return next(context);
        });
}
