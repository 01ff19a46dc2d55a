using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// A map property (a JSON object of named values, such as a validation problem's <c>errors</c> or the health checks)
/// becomes a schema of its own, named after its owner and the property (<c>ValidationProblemErrors</c>): generators name
/// an inline object after where it sits (Kiota's <c>ValidationProblem_errors</c>), a name no integrator would choose.
/// </summary>
internal sealed class NamedMapsDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        var schemas = swaggerDoc.Components?.Schemas;
        if (schemas is null)
        {
            return;
        }
        foreach (var (owner, schema) in schemas.ToList())
        {
            if (schema is OpenApiSchema concrete)
            {
                Name(owner, concrete, swaggerDoc);
            }
        }
    }

    private static void Name(string owner, OpenApiSchema schema, OpenApiDocument document)
    {
        foreach (var part in schema.AllOf?.OfType<OpenApiSchema>() ?? [])
        {
            Name(owner, part, document);
        }
        if (schema.Properties is null)
        {
            return;
        }
        foreach (var (property, value) in schema.Properties.ToList())
        {
            if (value is OpenApiSchema { AdditionalProperties: not null, Properties: null or { Count: 0 } } map
                && (map.Type ?? JsonSchemaType.Object).HasFlag(JsonSchemaType.Object))
            {
                var id = owner + char.ToUpperInvariant(property[0]) + property[1..];
                document.Components!.Schemas!.TryAdd(id, map);
                schema.Properties[property] = new OpenApiSchemaReference(id, document);
            }
        }
    }
}
