using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ConsentApi.Infrastructure.Errors;

/// <summary>
/// The one place exceptions become responses: domain refusals, malformed requests and unique violations are the
/// caller's 4xx; a database that is down or not answering is a 503 with Retry-After; anything else is logged (without
/// request data) and answered with a bare 500.
/// </summary>
public sealed partial class DomainExceptionHandler(
    IProblemDetailsService problems, PoolRepair poolRepair, ILogger<DomainExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            RequestValidationException e => new HttpValidationProblemDetails(e.Errors)
            {
                Status = StatusCodes.Status400BadRequest, Title = "The request is invalid.", Detail = e.Message,
            },
            NotFoundException e => Problem(StatusCodes.Status404NotFound, "Not found.", e.Message),
            ConflictException e => Problem(StatusCodes.Status409Conflict, "Conflict.", e.Message),
            GoneException e => Problem(StatusCodes.Status410Gone, "Gone.", e.Message),
            ForbiddenException e => Problem(StatusCodes.Status403Forbidden, "Forbidden.", e.Message),
            UnsupportedContentException e => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.", e.Message),
            BadHttpRequestException e => FromBadRequest(e),
            _ when exception.IsUniqueViolation() => Problem(StatusCodes.Status409Conflict, "Conflict.",
                "A resource with the same unique key already exists."),
            _ => null,
        };

        if (problem is null && exception.AsDatabaseOutage() is not DatabaseOutage.None and var outage)
        {
            poolRepair.After(exception);
            LogOutage(logger, outage, exception.GetType().Name, exception.SqlState(), httpContext.Request.Method,
                httpContext.GetEndpoint()?.DisplayName);
            httpContext.Response.Headers.RetryAfter = DatabaseOutages.RetryAfter(outage).ToString(CultureInfo.InvariantCulture);
            problem = Problem(StatusCodes.Status503ServiceUnavailable, "The service is temporarily unavailable.",
                DatabaseOutages.Describe(outage));
        }

        if (problem is null)
        {
            LogUnhandled(logger, exception, exception.GetType().Name, httpContext.Request.Method,
                httpContext.GetEndpoint()?.DisplayName);
            problem = Problem(StatusCodes.Status500InternalServerError, "An unexpected error occurred.",
                "The error has been logged; quote the traceId when reporting it.");
        }

        if (exception is DomainException { ProblemExtensions.Count: > 0 } domain)
        {
            foreach (var (key, value) in domain.ProblemExtensions)
            {
                problem.Extensions[key] = value;
            }
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext, ProblemDetails = problem, Exception = exception,
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database {Outage}: {ExceptionType} ({SqlState}) on {Method} {Endpoint}; answered 503")]
    private static partial void LogOutage(ILogger logger, DatabaseOutage outage, string exceptionType, string? sqlState, string method,
        string? endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} on {Method} {Endpoint}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string exceptionType, string method, string? endpoint);

    private static ProblemDetails Problem(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };

    /// <summary>Binding failures: malformed or mistyped JSON, a missing body, a wrong content type, an oversize body.</summary>
    private static ProblemDetails FromBadRequest(BadHttpRequestException exception)
    {
        var status = exception.StatusCode;
        if (exception.InnerException is TooManyItemsException tooMany)
        {
            // The reader's path names the first item too many; the error names the list, as [MaxLength] would.
            var list = TrailingIndex().Replace(tooMany.Path ?? "$", "");
            var name = list.Split('.', '[')[^1];
            return new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [list] = [new MaxLengthAttribute(tooMany.Max).FormatErrorMessage(char.ToUpperInvariant(name[0]) + name[1..])],
            })
            {
                Status = StatusCodes.Status400BadRequest,
            };
        }
        if (exception.InnerException is TextTooLongException tooLong)
        {
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [tooLong.Path ?? "$"] = [tooLong.Message] })
            {
                Status = StatusCodes.Status400BadRequest,
            };
        }
        if (exception.InnerException is JsonException json)
        {
            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "$" : json.Path;
            return new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [field] = [JsonErrorMessage(json)],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request body is not valid JSON for this operation.",
                Detail = "The body could not be read as the expected JSON document; nothing was changed.",
            };
        }

        return status switch
        {
            StatusCodes.Status413PayloadTooLarge => Problem(status, "The request body is too large.",
                "The request body exceeds the size this operation accepts."),
            StatusCodes.Status415UnsupportedMediaType => Problem(status, "Unsupported media type.",
                "Send the body as application/json."),
            StatusCodes.Status400BadRequest => Malformed(exception),
            _ => Problem(status, "The request is malformed.", BadRequestDetail(exception)),
        };
    }

    /// <summary>
    /// A request that could not be read at all. It still names what could not be read in <c>errors</c> (the parameter,
    /// or <c>$</c> for the body), so that every 400 has the one shape the contract declares; its type stays
    /// <c>bad-request</c>, apart from the <c>validation</c> of a readable request that breaks a rule.
    /// </summary>
    private static HttpValidationProblemDetails Malformed(BadHttpRequestException exception)
    {
        var detail = BadRequestDetail(exception);
        var parameter = ParameterName().Match(exception.Message);
        var field = parameter.Success && !exception.Message.Contains("body", StringComparison.Ordinal) ? parameter.Groups[1].Value : "$";
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [detail] })
        {
            Status = StatusCodes.Status400BadRequest, Type = ProblemTypes.BadRequest, Title = "The request is malformed.",
            Detail = detail,
        };
    }

    // The framework names a parameter as "Type name" in quotes: `Failed to bind parameter "int? limit" from "ten".`
    [GeneratedRegex(@"parameter ""(?:[^""]*\s)?(\w+)""")]
    private static partial Regex ParameterName();

    [GeneratedRegex(@"\[\d+\]$")]
    private static partial Regex TrailingIndex();

    // The JSON reader's messages name the path and the problem but never echo the value, so they are safe to return.
    private static string JsonErrorMessage(JsonException json) =>
        json.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim();

    private static string BadRequestDetail(BadHttpRequestException exception) =>
        exception.Message.StartsWith("Required parameter", StringComparison.Ordinal)
        || exception.Message.StartsWith("Failed to", StringComparison.Ordinal)
        || exception.Message.StartsWith("Implicit body", StringComparison.Ordinal)
            ? exception.Message
            : "The request could not be read.";
}
