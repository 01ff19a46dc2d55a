using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Preconditions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ConsentApi.Infrastructure.Idempotency;

/// <summary>The <c>Idempotency-Key</c> header breaks its syntax (400).</summary>
public sealed class InvalidIdempotencyKeyException() : Exception(IdempotencyKeys.SyntaxMessage);

/// <summary>The key was used before, by this client, for another request (422, as the draft asks).</summary>
public sealed class IdempotencyKeyReusedException() : Exception(
    "This Idempotency-Key was already used by this client for a different request (another operation, path or body). "
    + "Nothing was changed; send a new key for a new request.");

/// <summary>A request with the same key is still being handled (409, as the draft asks); retry once it has answered.</summary>
public sealed class IdempotencyKeyInFlightException() : Exception(
    "A request with this Idempotency-Key is still being handled. Nothing was changed by this one; retry in a moment to "
    + "get the first request's answer.");

/// <summary>
/// Turns the refusals of safe retries (idempotency keys, If-Match) into Problem Details. Registered before <see cref="DomainExceptionHandler"/>, which
/// answers everything it does not know with a 500.
/// </summary>
public sealed class SafeRetryExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            // A validation problem like any other invalid field, named by the header (lower case: names are normalised).
            InvalidIdempotencyKeyException => new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                ["idempotency-key"] = [exception.Message],
            })
            {
                Status = StatusCodes.Status400BadRequest, Type = ProblemTypes.Validation,
                Title = "The Idempotency-Key header is not valid.", Detail = exception.Message,
            },
            IdempotencyKeyReusedException => Problem(StatusCodes.Status422UnprocessableEntity, ProblemTypes.IdempotencyKeyReused,
                "The Idempotency-Key was used for a different request.", exception.Message),
            IdempotencyKeyInFlightException => Problem(StatusCodes.Status409Conflict, ProblemTypes.IdempotencyKeyInFlight,
                "A request with this Idempotency-Key is in progress.", exception.Message),
            // Answered by the endpoint's filter with the current ETag (PreconditionFailedResult); here only should it escape.
            PreconditionFailedException failure => PreconditionFailedResult.Problem(failure),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        if (exception is IdempotencyKeyInFlightException)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext, ProblemDetails = problem, Exception = exception,
        });
    }

    private static ProblemDetails Problem(int status, string type, string title, string detail) =>
        new() { Status = status, Type = type, Title = title, Detail = detail };
}
