using ConsentApi.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Declares on each protected operation the API-key requirement, the scope it needs and the 401/403 answers that every
/// protected operation can give; anonymous operations say explicitly that they need no key.
/// </summary>
internal sealed class SecurityOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var scope = metadata.OfType<RequiredScope>().LastOrDefault();
        if (scope is null || metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [];
            return;
        }

        operation.Security =
        [
            new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, context.Document)] = [],
            },
        ];
        operation.Description = $"{operation.Description?.TrimEnd()}\n\nRequires scope `{DescribeScope(scope.Scope)}`.".TrimStart();
        operation.Responses ??= new OpenApiResponses();
        AddProblem(operation, context, "401", "No API key, or an unknown or revoked one.");
        AddProblem(operation, context, "403", "The API key lacks the required scope, or the action is not allowed for this client.");
    }

    private static string DescribeScope(string scope) =>
        scope == ScopeAuthorization.PlatformOrAdmin ? "admin` (own organisation) or `platform" : scope;

    private static void AddProblem(OpenApiOperation operation, OperationFilterContext context, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }
        var schema = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository);
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType { Schema = schema },
            },
        };
    }
}
