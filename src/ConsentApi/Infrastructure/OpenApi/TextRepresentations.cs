using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>Endpoint metadata: the 200 response is also served as these text formats (rendered documents, not JSON).</summary>
public sealed record TextRepresentations(params string[] ContentTypes);

/// <summary>Endpoint metadata: the 200 response is also a rendered binary document of this type (a PDF).</summary>
public sealed record PrintedRepresentation(string ContentType);

/// <summary>Describes each text representation of a 200 response as a string rather than the JSON schema.</summary>
internal sealed class TextRepresentationsOperationFilter : IOperationFilter
{
    private const int MaxDocumentLength = 10_000_000;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var formats = metadata.OfType<TextRepresentations>().FirstOrDefault();
        if (formats is null || operation.Responses?.TryGetValue("200", out var ok) != true || ok!.Content is null)
        {
            return;
        }
        foreach (var printed in metadata.OfType<PrintedRepresentation>())
        {
            ok.Content[printed.ContentType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", MaxLength = MaxDocumentLength },
            };
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
