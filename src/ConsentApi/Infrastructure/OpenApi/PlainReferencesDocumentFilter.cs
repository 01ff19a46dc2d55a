using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// A request or response body that refers to a schema refers to it and nothing more. OpenAPI 3.1 writes what a reference
/// overrides beside the <c>$ref</c>, and the generator copies the schema's own description and examples into every body
/// that uses it: the same text and example again at each use (over 100 KB of the document), saying nothing new.
/// </summary>
internal sealed class PlainReferencesDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        var operations = swaggerDoc.Paths.Values.SelectMany(path => path.Operations?.Values.AsEnumerable() ?? []);
        var bodies = operations.SelectMany(o => (o.RequestBody?.Content?.Values.AsEnumerable() ?? [])
            .Concat((o.Responses?.Values.AsEnumerable() ?? []).SelectMany(r => r.Content?.Values.AsEnumerable() ?? [])));
        foreach (var body in bodies.OfType<OpenApiMediaType>())
        {
            if (body.Schema is OpenApiSchemaReference { Reference.Id: { } id } reference
                && (reference.Target is null || reference.Description == reference.Target.Description))
            {
                body.Schema = new OpenApiSchemaReference(id, swaggerDoc);
            }
        }
    }
}
