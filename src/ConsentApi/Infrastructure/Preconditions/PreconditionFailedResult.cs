using ConsentApi.Infrastructure.Errors;
using Microsoft.AspNetCore.Mvc;

namespace ConsentApi.Infrastructure.Preconditions;

/// <summary>
/// The 412 of a change whose <c>If-Match</c> named another version: Problem Details of type <c>precondition-failed</c>
/// whose <c>currentETag</c>, like the answer's <c>ETag</c> header, names the version the resource is at (RFC 9110
/// §13.1.1 lets a 412 carry it), so that a client can retry with one request instead of reading the resource first.
/// </summary>
public sealed class PreconditionFailedResult(PreconditionFailedException failure) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status412PreconditionFailed;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status412PreconditionFailed;
        if (failure.Current is { } current)
        {
            httpContext.Response.Headers.ETag = EntityTags.Format(current);
        }
        await httpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext, ProblemDetails = Problem(failure), Exception = failure,
        });
    }

    /// <summary>The body: also what the exception handler writes should the exception ever reach it.</summary>
    public static ProblemDetails Problem(PreconditionFailedException failure)
    {
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status412PreconditionFailed, Type = ProblemTypes.PreconditionFailed,
            Title = "The resource has changed.", Detail = failure.Message,
        };
        if (failure.Current is { } current)
        {
            problem.Extensions["currentETag"] = EntityTags.Format(current);
        }
        return problem;
    }
}
