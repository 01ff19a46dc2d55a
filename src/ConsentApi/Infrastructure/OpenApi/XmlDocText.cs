using System.Text;
using System.Xml.XPath;

namespace ConsentApi.Infrastructure.OpenApi;

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
