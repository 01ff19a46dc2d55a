using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Preconditions;

/// <summary>Endpoint metadata: the operation answers with an <c>ETag</c>, and honours <c>If-Match</c> (a change) or <c>If-None-Match</c>.</summary>
public sealed record ETagMetadata(bool ConditionalGet);

public static class ETagEndpoints
{
    /// <summary>
    /// Gives the answers of a GET or a change of one row of <typeparamref name="TEntity"/> (its id in the route value
    /// <paramref name="routeValue"/>) an <c>ETag</c>; a change honours <c>If-Match</c> (412 when it names another version,
    /// with the current version as its <c>ETag</c>).
    /// A GET answers 304 to a matching <c>If-None-Match</c> only where <paramref name="conditionalGet"/> says that the
    /// representation is that row alone; where it also shows related rows (a pupil's guardians), their changes do not
    /// change the tag, so a 304 could be stale.
    /// </summary>
    public static RouteHandlerBuilder WithETag<TEntity>(this RouteHandlerBuilder builder, string routeValue, bool conditionalGet = false)
        where TEntity : class =>
        builder.WithETag<TEntity>(
            http => Guid.TryParse(http.Request.RouteValues[routeValue]?.ToString(), out var id) ? new RowKey("id = {0}", id) : null,
            conditionalGet);

    /// <summary>As above, for a row found otherwise than by its id (a channel by its organisation and key).</summary>
    public static RouteHandlerBuilder WithETag<TEntity>(this RouteHandlerBuilder builder, Func<HttpContext, RowKey?> row, bool conditionalGet = false)
        where TEntity : class
    {
        return builder.WithMetadata(new ETagMetadata(conditionalGet)).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (row(http) is not { } key)
            {
                return await next(context);
            }
            var db = http.RequestServices.GetRequiredService<ConsentDbContext>();
            var table = db.Model.FindEntityType(typeof(TEntity))?.GetTableName()
                        ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped.");
            var version = http.RequestServices.GetRequiredService<ResourceVersion>();

            if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
            {
                // Read before the body: a tag is never newer than what it is sent with, so an If-Match with it can only
                // fail safe (412), never let a change through over a version the caller has not seen.
                var current = await version.ReadAsync(table, key, http.RequestAborted);
                var result = await next(context);
                if (current is not { } tag || !Succeeded(result))
                {
                    return result;
                }
                http.Response.Headers.ETag = EntityTags.Format(tag);
                return conditionalGet && EntityTags.Names(http.Request.Headers.IfNoneMatch, tag, weakComparison: true)
                    ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
                    : result;
            }

            version.Track(table, key, http.Request.Headers.IfMatch);
            object? answer;
            try
            {
                answer = await next(context);
            }
            catch (PreconditionFailedException failure)
            {
                // Answered here, not by the exception handler, which would strip the ETag that tells the current version.
                return new PreconditionFailedResult(failure);
            }
            if (version.After is { } after && Succeeded(answer))
            {
                http.Response.Headers.ETag = EntityTags.Format(after);
            }
            return answer;
        });
    }

    private static bool Succeeded(object? result) =>
        (result is INestedHttpResult nested ? nested.Result : result) is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 };
}
