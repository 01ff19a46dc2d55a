using System.Net;
using System.Text;

namespace ConsentApi.Infrastructure.Printing;

/// <summary>
/// A <see cref="PrintDocument"/> as one HTML page for the browser's print dialog: A4 portrait, each section from the top
/// of a new sheet, table headers repeated on the sheets a table runs on to, black on white with rules instead of shading,
/// and no script, image or external resource (it is served under a policy that allows only its inline style).
/// </summary>
public static class PrintHtml
{
    public const string ContentType = "text/html; charset=utf-8";

    private const string Style = """
        @page { size: A4 portrait; margin: 16mm 16mm 18mm 16mm; }
        @media screen { body { max-width: 178mm; margin: 10mm auto; } section { border-top: 1.5pt solid #000; margin-top: 12mm; } }
        * { box-sizing: border-box; }
        body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 9.5pt; line-height: 1.35; color: #000; background: #fff; margin: 0; }
        header h1 { font-size: 17pt; margin: 0 0 2mm 0; }
        section { break-before: page; page-break-before: always; }
        section:first-of-type { break-before: auto; page-break-before: auto; }
        h2 { font-size: 13pt; border-bottom: 1.5pt solid #000; padding-bottom: 1mm; margin: 3mm 0 3mm 0; }
        h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm 0; break-after: avoid; }
        p { margin: 0 0 2.5mm 0; white-space: pre-wrap; overflow-wrap: anywhere; }
        dl { display: grid; grid-template-columns: minmax(30mm, max-content) 1fr; column-gap: 4mm; row-gap: 0.8mm; margin: 0 0 3mm 0; }
        dt { font-weight: bold; }
        dd { margin: 0; overflow-wrap: anywhere; }
        table { border-collapse: collapse; width: 100%; margin: 0 0 3mm 0; font-size: 8.5pt; }
        thead { display: table-header-group; }
        th { text-align: left; border-bottom: 1.2pt solid #000; padding: 1mm 1.2mm; vertical-align: bottom; }
        td { border-bottom: 0.4pt solid #000; padding: 0.8mm 1.2mm; vertical-align: top; overflow-wrap: anywhere; }
        tr { break-inside: avoid; }
        .empty { font-style: italic; }
        footer { margin-top: 6mm; border-top: 0.4pt solid #000; padding-top: 1mm; font-size: 8pt; }
        """;

    public static string Render(PrintDocument document)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(E(document.Language)).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<title>").Append(E(document.Title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<header>\n<h1>").Append(E(document.Title)).Append("</h1>\n");
        Facts(html, document.Heading);
        html.Append("</header>\n");
        foreach (var section in document.Sections)
        {
            html.Append("<section>\n<h2>").Append(E(section.Title)).Append("</h2>\n");
            foreach (var block in section.Blocks)
            {
                switch (block)
                {
                    case PrintSubheading subheading:
                        html.Append("<h3>").Append(E(subheading.Text)).Append("</h3>\n");
                        break;
                    case PrintText text:
                        html.Append("<p>").Append(E(text.Text)).Append("</p>\n");
                        break;
                    case PrintFacts facts:
                        Facts(html, facts.Facts);
                        break;
                    case PrintTable table:
                        Table(html, table);
                        break;
                }
            }
            html.Append("</section>\n");
        }
        html.Append("<footer>").Append(E(document.Footer)).Append("</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Facts(StringBuilder html, IReadOnlyList<PrintFact> facts)
    {
        if (facts.Count == 0)
        {
            return;
        }
        html.Append("<dl>\n");
        foreach (var fact in facts)
        {
            html.Append("<dt>").Append(E(fact.Label)).Append("</dt><dd>").Append(E(fact.Value)).Append("</dd>\n");
        }
        html.Append("</dl>\n");
    }

    private static void Table(StringBuilder html, PrintTable table)
    {
        if (table.Rows.Count == 0)
        {
            html.Append("<p class=\"empty\">").Append(E(table.Empty)).Append("</p>\n");
            return;
        }
        html.Append("<table>\n<thead><tr>");
        foreach (var column in table.Columns)
        {
            html.Append("<th scope=\"col\">").Append(E(column)).Append("</th>");
        }
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (var i = 0; i < table.Columns.Count; i++)
            {
                html.Append("<td>").Append(E(i < row.Count ? row[i] : "")).Append("</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
