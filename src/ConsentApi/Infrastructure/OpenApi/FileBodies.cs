using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Endpoint metadata: the request body (or, with <see cref="InResponse"/>, the 200 answer) is a file of these types, of at
/// most <paramref name="MaxBytes"/>.
/// </summary>
public sealed record FileBody(long MaxBytes, params string[] ContentTypes)
{
    public bool InResponse { get; init; }
}

/// <summary>Describes a file body as bytes of each of its types, rather than a JSON schema.</summary>
internal sealed class FileBodyOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<FileBody>().FirstOrDefault() is not { } body)
        {
            return;
        }
        var content = body.ContentTypes.ToDictionary(t => t,
            _ => (IOpenApiMediaType)new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", MaxLength = (int)Math.Min(body.MaxBytes, int.MaxValue) } });
        if (body.InResponse)
        {
            operation.Responses ??= [];
            operation.Responses["200"] = new OpenApiResponse { Description = "The file's exact bytes.", Content = content };
        }
        else
        {
            operation.RequestBody = new OpenApiRequestBody { Required = true, Description = "The file's bytes.", Content = content };
        }
    }
}
