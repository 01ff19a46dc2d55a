using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Bounds that follow from a value's format rather than from an attribute: ids, dates and timestamps have a fixed
/// longest form, the API's integers are counts and sizes, and Problem Details fields have a sane ceiling. Generated
/// clients and gateways can then size and check every field.
/// </summary>
internal sealed class ConstraintsSchemaFilter : ISchemaFilter
{
    private const int ProblemTextLength = 2048;

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete)
        {
            return;
        }

        Bound(concrete);
        foreach (var (name, property) in concrete.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (property is OpenApiSchema p)
            {
                Bound(p);
                StringShapes.ApplyToProperty(name, p);
                if (typeof(ProblemDetails).IsAssignableFrom(context.Type) && p.Type?.HasFlag(JsonSchemaType.String) == true)
                {
                    p.MaxLength ??= ProblemTextLength;
                }
            }
        }

        if (typeof(HttpValidationProblemDetails).IsAssignableFrom(context.Type)
            && concrete.Properties?.TryGetValue("errors", out var errors) == true
            && errors is OpenApiSchema { AdditionalProperties: OpenApiSchema messages })
        {
            messages.MaxItems ??= 10;
            if (messages.Items is OpenApiSchema message)
            {
                message.MaxLength ??= ProblemTextLength;
                StringShapes.MarkFreeText(message);
            }
        }
    }

    private static void Bound(OpenApiSchema schema)
    {
        if (schema.Type?.HasFlag(JsonSchemaType.String) == true && schema.MaxLength is null && schema.Enum is not { Count: > 0 })
        {
            schema.MaxLength = schema.Format switch
            {
                "uuid" => 36,
                "date" => 10,
                "date-time" => 40,
                _ => schema.MaxLength,
            };
        }
        if (schema.Type?.HasFlag(JsonSchemaType.Integer) == true && schema.Minimum is null && schema.Maximum is null)
        {
            schema.Minimum = "0";
            schema.Maximum = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        }
    }
}
