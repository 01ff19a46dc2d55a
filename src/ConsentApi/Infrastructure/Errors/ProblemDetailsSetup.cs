using System.Diagnostics;
using ConsentApi.Infrastructure.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ConsentApi.Infrastructure.Errors;

public static class ProblemDetailsSetup
{
    /// <summary>
    /// Every error body: a stable type per kind under the configured base, a title, the path it answers and the trace id
    /// to quote to support. The contract's problem schemas (<see cref="Problem"/> and its kinds) say exactly this.
    /// </summary>
    public static IServiceCollection AddConsentProblemDetails(this IServiceCollection services)
    {
        services.AddProblemTypeOptions();
        services.AddProblemDetails();
        services.AddOptions<ProblemDetailsOptions>().Configure<IOptions<ProblemTypeOptions>>((options, types) =>
            options.CustomizeProblemDetails = context => Customise(context, types.Value));
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddExceptionHandler<DomainExceptionHandler>();
        services.AddProblemContract();
        return services;
    }

    private static void Customise(ProblemDetailsContext context, ProblemTypeOptions types)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;
        // A type the API chose is a slug; one the framework filled in (an RFC link) or none becomes the status's kind.
        if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
        {
            problem.Type = problem is HttpValidationProblemDetails && status == StatusCodes.Status400BadRequest
                ? ProblemTypes.Validation
                : ProblemTypes.ForStatus(status);
        }
        if (ProblemTypes.All.ContainsKey(problem.Type))
        {
            problem.Type = types.UriFor(problem.Type);
        }
        // The status-code pages (an unknown route, a wrong method) send no title of their own.
        problem.Title ??= ReasonPhrases.GetReasonPhrase(status) + ".";
        if (problem is HttpValidationProblemDetails validation)
        {
            NormaliseFieldNames(validation.Errors);
        }
        problem.Instance ??= context.HttpContext.Request.Path;
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        problem.Extensions.Remove("requestId");
        problem.Extensions.Remove("exception");
    }

    /// <summary>
    /// Names every invalid field as its JSON path in the request, whichever layer found it: the JSON reader says
    /// <c>$.pupils[1].dateOfBirth</c>, attribute validation <c>Pupils[1].DateOfBirth</c>; clients get <c>pupils[1].dateOfBirth</c>.
    /// </summary>
    private static void NormaliseFieldNames(IDictionary<string, string[]> errors)
    {
        foreach (var key in errors.Keys.ToList())
        {
            var field = FieldName(key);
            if (field == key)
            {
                continue;
            }
            var messages = errors[key];
            errors.Remove(key);
            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, .. messages] : messages;
        }
    }

    internal static string FieldName(string key)
    {
        var path = key.StartsWith("$.", StringComparison.Ordinal) ? key[2..] : key;
        return string.Join('.', path.Split('.').Select(segment =>
            segment.Length > 0 && char.IsUpper(segment[0]) ? char.ToLowerInvariant(segment[0]) + segment[1..] : segment));
    }

    public static Task WriteProblem(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
