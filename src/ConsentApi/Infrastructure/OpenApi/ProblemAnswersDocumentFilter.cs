using ConsentApi.Infrastructure.Errors;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Runs after every operation filter: an error answer that a later filter declared with the framework's
/// <c>ProblemDetails</c> (or with no schema) gets the schema of its kind and an example too, and only then are the
/// framework's problem schemas dropped, so that no answer is left referring to a schema the document no longer has.
/// </summary>
internal sealed class ProblemAnswersDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        foreach (var (path, item) in swaggerDoc.Paths)
        {
            foreach (var (_, operation) in item.Operations ?? [])
            {
                foreach (var (status, answer) in operation.Responses ?? [])
                {
                    if (answer is not OpenApiResponse response
                        || response.Content?.TryGetValue(ProblemSchemas.ContentType, out var problem) != true
                        || problem is not OpenApiMediaType media || !ProblemSchemas.IsReplaced(media.Schema))
                    {
                        continue;
                    }
                    var kind = status == "400" ? typeof(ValidationProblem) : typeof(Problem);
                    media.Schema = ProblemSchemas.Reference(kind, context.SchemaGenerator, context.SchemaRepository, swaggerDoc);
                    media.Example ??= ProblemExamples.For(status, kind, path, operation, scope: null, context.SchemaRepository.Schemas);
                }
            }
        }
        ProblemSchemas.RemoveReplaced(context.SchemaRepository);
    }
}

public static class ProblemContractSetup
{
    /// <summary>
    /// Registers the safety net with the document generator from here, beside the problem kinds it completes, so that it
    /// runs after whatever operation filters the document's setup lists.
    /// </summary>
    public static IServiceCollection AddProblemContract(this IServiceCollection services)
    {
        services.ConfigureSwaggerGen(options => options.DocumentFilter<ProblemAnswersDocumentFilter>());
        return services;
    }
}
