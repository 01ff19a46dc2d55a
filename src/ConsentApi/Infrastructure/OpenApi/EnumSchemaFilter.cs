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

/// <summary>An XML comment as plain text for a document: <c>&lt;c&gt;</c> as code, a reference by its short name.</summary>
internal static class XmlDocText
{
    /// <summary>The summary of an enum member, or null when it has none.</summary>
    public static string? Member(XPathNavigator? comments, System.Reflection.FieldInfo field) =>
        comments?.SelectSingleNode(
                $"/doc/members/member[@name='F:{field.DeclaringType!.FullName!.Replace('+', '.')}.{field.Name}']/summary") is { } summary
            ? Render(summary)
            : null;

    public static string Render(XPathNavigator node)
    {
        var text = new StringBuilder();
        foreach (XPathNavigator child in node.SelectChildren(XPathNodeType.All))
        {
            if (child.NodeType is XPathNodeType.Text or XPathNodeType.Whitespace or XPathNodeType.SignificantWhitespace)
            {
                text.Append(child.Value);
            }
            else if (child.LocalName == "c")
            {
                text.Append('`').Append(child.Value).Append('`');
            }
            else if (child.LocalName is "see" or "paramref" or "typeparamref")
            {
                var target = child.GetAttribute("cref", "") is { Length: > 0 } cref ? cref : child.GetAttribute("name", "");
                target = target.Contains(':', StringComparison.Ordinal) ? target[(target.IndexOf(':', StringComparison.Ordinal) + 1)..] : target;
                text.Append('`').Append(target.Split('.')[^1].Split('`')[0]).Append('`');
            }
            else
            {
                text.Append(child.Value);
            }
        }
        return string.Join(' ', text.ToString().Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }
}
