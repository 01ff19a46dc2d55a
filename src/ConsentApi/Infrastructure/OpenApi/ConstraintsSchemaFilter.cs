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
        foreach (var (name, schemaOfProperty) in concrete.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            var allowed = context.Type.GetProperty(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance
                                                         | System.Reflection.BindingFlags.IgnoreCase)
                ?.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.AllowedValuesAttribute), true)
                .OfType<System.ComponentModel.DataAnnotations.AllowedValuesAttribute>().FirstOrDefault();
            if (allowed is not null && schemaOfProperty is OpenApiSchema restricted)
            {
                restricted.Enum = [.. allowed.Values.OfType<string>().Select(v => (System.Text.Json.Nodes.JsonNode)v)];
            }
        }
        foreach (var property in concrete.Properties?.Values ?? [])
        {
            if (property is OpenApiSchema p)
            {
                Bound(p);
                if (typeof(ProblemDetails).IsAssignableFrom(context.Type) && p.Type?.HasFlag(JsonSchemaType.String) == true)
                {
                    p.MaxLength ??= ProblemTextLength;
                }
            }
        }

        if (concrete.Properties?.TryGetValue("scopes", out var scopes) == true && scopes is OpenApiSchema { Items: OpenApiSchema scope })
        {
            scope.Enum = [.. Domain.Scopes.Assignable.Select(s => (System.Text.Json.Nodes.JsonNode)s)];
        }

        if (concrete.Properties?.TryGetValue("eventTypes", out var types) == true && types is OpenApiSchema { Items: OpenApiSchema eventType })
        {
            eventType.Enum = [.. Events.EventTypes.All.Select(t => (System.Text.Json.Nodes.JsonNode)t)];
        }

        if (typeof(HttpValidationProblemDetails).IsAssignableFrom(context.Type)
            && concrete.Properties?.TryGetValue("errors", out var errors) == true
            && errors is OpenApiSchema { AdditionalProperties: OpenApiSchema messages })
        {
            messages.MaxItems ??= 10;
            if (messages.Items is OpenApiSchema message)
            {
                message.MaxLength ??= ProblemTextLength;
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
