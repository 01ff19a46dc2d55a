using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Declares what every operation shares, so that endpoints list only their own answers: the API-key requirement and
/// the scope it needs (401/403), the 400 of a query or path value that breaks the text rule, rate limiting (429 and the
/// limit headers), the generic 500, and the 503 of a database that is down or not answering.
/// </summary>
internal sealed class StandardResponsesOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        operation.Responses ??= new OpenApiResponses();
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var scope = metadata.OfType<RequiredScope>().LastOrDefault();
        if (scope is null || metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [];
        }
        else
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, context.Document)] = [],
                },
            ];
            operation.Description = $"{operation.Description?.TrimEnd()}\n\nRequires scope `{DescribeScope(scope.Scope)}`.".TrimStart();
            AddProblem(operation, context, "401", "No API key, or an unknown or revoked one.");
            AddProblem(operation, context, "403", "The API key lacks the required scope, or this client may not do this.");
        }

        // Any query or path value may hold a control character (ControlCharacters): a validation problem naming it.
        if (operation.Parameters?.Any(p => p.In is ParameterLocation.Query or ParameterLocation.Path) == true)
        {
            AddProblem(operation, context, "400", "A query or path value is not valid (for example, it holds a control character).",
                typeof(HttpValidationProblemDetails));
        }
        if (operation.RequestBody is not null)
        {
            AddProblem(operation, context, "415", "The body is not `application/json` in UTF-8.");
        }
        AddProblem(operation, context, "429", "Too many requests from this client; retry after the seconds in `Retry-After`.");
        AddProblem(operation, context, "500", "An unexpected error; quote the `traceId` when reporting it.");
        operation.Responses["429"].Headers!["Retry-After"] = Header("Seconds to wait before retrying.", 0, 60);
        // The readiness check declares its own 503, with the health body.
        var busy = metadata.OfType<ConcurrencyGate>().Any()
            ? " Also when this instance already runs as many of these requests as it allows at once (nothing was read or changed)."
            : "";
        if (AddProblem(operation, context, "503",
                "The database is down or did not answer in time; nothing can be promised about this request. Retry after the seconds in `Retry-After`."
                + busy))
        {
            operation.Responses["503"].Headers!["Retry-After"] = Header("Seconds to wait before retrying.", 1, 60);
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (status.StartsWith('2') || status.StartsWith('4'))
            {
                var headers = ((OpenApiResponse)response).Headers ??= new Dictionary<string, IOpenApiHeader>();
                headers[ApiRateLimiter.LimitHeader] = Header("Requests this client may make per minute.", 1, 1_000_000);
                headers[ApiRateLimiter.RemainingHeader] = Header("Requests left in the current minute.", 0, 1_000_000);
            }
        }
    }

    private static string DescribeScope(string scope) =>
        scope == ScopeAuthorization.PlatformOrAdmin ? "admin` (own organisation) or `platform" : scope;

    private static OpenApiHeader Header(string description, int minimum, int maximum) => new()
    {
        Description = description,
        Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer, Format = "int32",
            Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = maximum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };

    /// <summary>Declares a Problem Details response unless the operation declares that status itself; true when added.</summary>
    private static bool AddProblem(
        OpenApiOperation operation, OperationFilterContext context, string status, string description, Type? problem = null)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return false;
        }
        var schema = context.SchemaGenerator.GenerateSchema(problem ?? typeof(ProblemDetails), context.SchemaRepository);
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Headers = new Dictionary<string, IOpenApiHeader>(),
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType { Schema = schema },
            },
        };
        return true;
    }
}
