using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>Endpoint metadata: the 200 response is also served as these text formats (rendered documents, not JSON).</summary>
public sealed record TextRepresentations(params string[] ContentTypes);

/// <summary>Describes each text representation of a 200 response as a string rather than the JSON schema.</summary>
internal sealed class TextRepresentationsOperationFilter : IOperationFilter
{
    private const int MaxDocumentLength = 10_000_000;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var formats = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<TextRepresentations>().FirstOrDefault();
        if (formats is null || operation.Responses?.TryGetValue("200", out var ok) != true || ok!.Content is null)
        {
            return;
        }
        foreach (var contentType in formats.ContentTypes)
        {
            var document = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = MaxDocumentLength };
            // A rendered document (CSV, HTML) has no shape a pattern could say.
            StringShapes.MarkFreeText(document);
            ok.Content[contentType] = new OpenApiMediaType { Schema = document };
        }
    }
}
