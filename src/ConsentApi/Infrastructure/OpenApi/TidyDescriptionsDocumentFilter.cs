using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// A schema description taken from a <c>&lt;param&gt;</c> comment that wraps keeps the comment's indentation on its next
/// lines; generated clients copy that into their doc comments. Lines start at the margin.
/// </summary>
internal sealed partial class TidyDescriptionsDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        var seen = new HashSet<OpenApiSchema>(ReferenceEqualityComparer.Instance);
        foreach (var schema in swaggerDoc.Components?.Schemas?.Values ?? [])
        {
            Tidy(schema, seen);
        }
    }

    private static void Tidy(IOpenApiSchema? schema, HashSet<OpenApiSchema> seen)
    {
        if (schema is OpenApiSchemaReference { Description: { } own } reference)
        {
            reference.Description = Indentation().Replace(own, "\n");
        }
        if (schema is not OpenApiSchema concrete || !seen.Add(concrete))
        {
            return;
        }
        if (concrete.Description is { } description)
        {
            concrete.Description = Indentation().Replace(description, "\n");
        }
        foreach (var part in (concrete.Properties?.Values ?? []).Concat(concrete.AllOf ?? []).Concat(concrete.OneOf ?? [])
                     .Append(concrete.Items).Append(concrete.AdditionalProperties))
        {
            Tidy(part, seen);
        }
    }

    [GeneratedRegex(@"\n[ \t]+")]
    private static partial Regex Indentation();
}
