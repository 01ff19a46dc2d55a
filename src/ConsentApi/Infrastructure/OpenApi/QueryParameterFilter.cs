using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Query parameters bound from a request record appear under their camelCase names (binding ignores case), and a
/// parameter restricted with <see cref="AllowedValuesAttribute"/> lists its values as an enum.
/// </summary>
internal sealed class QueryParameterFilter : IParameterFilter
{
    public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
    {
        if (parameter is not OpenApiParameter concrete || concrete.In != ParameterLocation.Query || string.IsNullOrEmpty(concrete.Name))
        {
            return;
        }

        concrete.Name = char.ToLowerInvariant(concrete.Name[0]) + concrete.Name[1..];
        var allowed = ((MemberInfo?)context.PropertyInfo ?? context.ParameterInfo?.Member)?.GetCustomAttribute<AllowedValuesAttribute>()
                      ?? context.PropertyInfo?.GetCustomAttribute<AllowedValuesAttribute>();
        if (allowed is not null && concrete.Schema is OpenApiSchema schema)
        {
            schema.Enum = [.. allowed.Values.OfType<string>().Select(v => (JsonNode)JsonValue.Create(v))];
        }
    }
}
