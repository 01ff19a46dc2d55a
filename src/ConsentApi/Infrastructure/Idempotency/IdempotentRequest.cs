namespace ConsentApi.Infrastructure.Idempotency;

/// <summary>
/// The <c>Idempotency-Key</c> of the request being handled, as the endpoint filter read it, for the command pipeline
/// to claim inside the command's transaction; and whether the answer is a replay, for the filter to say so.
/// </summary>
public sealed class IdempotentRequest
{
    public string? Key { get; private set; }

    public bool Replayed { get; internal set; }

    internal void Use(string key) => Key = key;
}

/// <summary>Endpoint metadata: the operation takes an <c>Idempotency-Key</c> (read by the OpenAPI document too).</summary>
public sealed class AcceptsIdempotencyKeyMetadata;

public static class IdempotencyEndpoints
{
    /// <summary>
    /// Lets a creating POST be retried safely: with an <c>Idempotency-Key</c> the command runs at most once per key and
    /// client, and a retry gets the first answer again. The endpoint must send exactly one command.
    /// </summary>
    public static RouteHandlerBuilder AcceptsIdempotencyKey(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new AcceptsIdempotencyKeyMetadata()).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Request.Headers.TryGetValue(IdempotencyKeys.HeaderName, out var values))
            {
                if (!IdempotencyKeys.TryParse(values, out var key))
                {
                    throw new InvalidIdempotencyKeyException();
                }
                http.RequestServices.GetRequiredService<IdempotentRequest>().Use(key);
            }
            var result = await next(context);
            if (http.RequestServices.GetRequiredService<IdempotentRequest>().Replayed)
            {
                http.Response.Headers[IdempotencyKeys.ReplayedHeaderName] = "true";
            }
            return result;
        });
}
