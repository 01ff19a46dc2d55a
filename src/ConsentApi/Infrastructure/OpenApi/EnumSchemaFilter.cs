using System.Text;
using System.Xml.XPath;
using ConsentApi.Infrastructure.Contract;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Every enum is one named schema whose description says what each value means (from the members' XML comments), and
/// a string field marked <see cref="OneOfAttribute"/> refers to its set's schema instead of being a plain string. Named
/// schemas give generated clients one type per set (no <c>Status2</c>, no <c>*_scopes</c>); the meanings tell people
/// which value to send.
/// </summary>
internal sealed class EnumSchemaFilter(XPathDocument? xml) : ISchemaFilter
{
    private readonly XPathNavigator? comments = xml?.CreateNavigator();

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete)
        {
            return;
        }
        if (context.Type.IsEnum)
        {
            concrete.Description = Describe(context.Type, concrete.Description);
            return;
        }
        foreach (var (name, property) in (concrete.Properties ?? new Dictionary<string, IOpenApiSchema>()).ToList())
        {
            var oneOf = context.Type.GetProperty(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance
                                                       | System.Reflection.BindingFlags.IgnoreCase)
                ?.GetCustomAttributes(typeof(OneOfAttribute), true).OfType<OneOfAttribute>().FirstOrDefault();
            if (oneOf is null)
            {
                continue;
            }
            var named = context.SchemaGenerator.GenerateSchema(oneOf.Values, context.SchemaRepository);
            if (property is OpenApiSchema { Items: not null } list)
            {
                list.Items = named;
            }
            else
            {
                concrete.Properties![name] = named;
            }
        }
    }

    private string Describe(Type type, string? summary)
    {
        var text = new StringBuilder(summary?.Trim());
        if (text.Length > 0)
        {
            text.Append("\n\n");
        }
        foreach (var field in type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            var meaning = XmlDocText.Member(comments, field);
            text.Append("- `").Append(ContractValues.NameOf(field)).Append('`');
            if (meaning is not null)
            {
                text.Append(": ").Append(meaning);
            }
            text.Append('\n');
        }
        return text.ToString().TrimEnd();
    }
}
