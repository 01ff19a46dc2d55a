using System.Reflection;
using ConsentApi.Infrastructure.Contract;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Query parameters bound from a request record appear under their camelCase names (binding ignores case), and a
/// parameter restricted with <see cref="OneOfAttribute"/> refers to the named schema of its values; query and path
/// strings get the shape <see cref="StringShapes"/> gives their name.
/// </summary>
internal sealed class QueryParameterFilter : IParameterFilter
{
    public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
    {
        if (parameter is not OpenApiParameter concrete || string.IsNullOrEmpty(concrete.Name))
        {
            return;
        }
        if (concrete.In == ParameterLocation.Path && concrete.Schema is OpenApiSchema path)
        {
            StringShapes.ApplyToParameter(concrete.Name, path);
        }
        if (concrete.In != ParameterLocation.Query)
        {
            return;
        }

        concrete.Name = char.ToLowerInvariant(concrete.Name[0]) + concrete.Name[1..];
        var oneOf = context.PropertyInfo?.GetCustomAttribute<OneOfAttribute>() ?? context.ParameterInfo?.GetCustomAttribute<OneOfAttribute>();
        if (oneOf is not null)
        {
            concrete.Schema = context.SchemaGenerator.GenerateSchema(oneOf.Values, context.SchemaRepository);
        }
        else if (concrete.Schema is OpenApiSchema schema)
        {
            StringShapes.ApplyToParameter(concrete.Name, schema);
        }
    }
}
