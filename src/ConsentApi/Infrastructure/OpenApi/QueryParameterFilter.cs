using System.Reflection;
using ConsentApi.Infrastructure.Contract;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Query parameters bound from a request record appear under their camelCase names (binding ignores case), and a
/// parameter restricted with <see cref="OneOfAttribute"/> refers to the named schema of its values.
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
        var oneOf = context.PropertyInfo?.GetCustomAttribute<OneOfAttribute>() ?? context.ParameterInfo?.GetCustomAttribute<OneOfAttribute>();
        if (oneOf is not null)
        {
            concrete.Schema = context.SchemaGenerator.GenerateSchema(oneOf.Values, context.SchemaRepository);
        }
    }
}
