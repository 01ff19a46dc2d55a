using ConsentApi.Domain;
using System.Globalization;
using System.Text;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Http;

namespace ConsentApi.Features.Consents;

/// <summary>
/// The class sheet as a teacher prints it: a class of 30 on one A4 page (landscape), a mark per cell that reads in black
/// and white (a symbol and a word; refusals also hatched), a legend, and no script. Items no form asks and nobody
/// answered are left off the paper (the JSON and CSV keep every item).
/// </summary>
internal static class ClassSheet
{

    private static string MediaName(MediaType mediaType) => mediaType switch
    {
        MediaType.Photo => "Foto",
        MediaType.Film => "Film",
        _ => "Geluid",
    };

    private static (string Css, string Mark, string Word) Mark(ConsentState state) => state switch
    {
        ConsentState.Granted => ("yes", "✔", "ja"),
        ConsentState.Refused => ("no", "✘", "nee"),
        ConsentState.Conflict => ("no", "✘", "oneens"),
        ConsentState.Expired => ("no", "✘", "verlopen"),
        ConsentState.NeedsPupilConsent => ("open", "?", "16+"),
        ConsentState.Pending => ("open", "?", "open"),
        _ => ("open", "–", ""),
    };

    public static string Html(ConsentOverviewResponse full)
    {
        var sheet = WithoutUnaskedItems(full);
        var local = TimeZoneInfo.ConvertTime(sheet.At, ConsentCalendar.For(sheet.TimeZone).Zone);
        var when = local.ToString("dd-MM-yyyy HH:mm", CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="nl">
            <head>
            <meta charset="utf-8">
            <title>Toestemming beeldmateriaal – {{E(sheet.GroupName)}} – {{E(sheet.SchoolName)}}</title>
            <style>
            @page { size: A4 landscape; margin: 8mm 10mm; }
            @media screen { body { margin: 10mm; } }
            * { -webkit-print-color-adjust: exact; print-color-adjust: exact; box-sizing: border-box; }
            body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9pt; color: #000; margin: 0; }
            header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 2pt solid #000; margin-bottom: 3mm; }
            h1 { font-size: 14pt; margin: 0 0 1mm 0; }
            .meta { font-size: 10pt; }
            table { border-collapse: collapse; width: 100%; table-layout: fixed; }
            th, td { border: 0.75pt solid #000; padding: 0.6mm 0.5mm; text-align: center; }
            td { height: 5.2mm; white-space: nowrap; overflow: hidden; }
            th { font-weight: bold; background: #eee; }
            th.media { font-size: 10pt; border-left: 2pt solid #000; }
            th.first, td.first { border-left: 2pt solid #000; }
            th.channel { font-size: 7pt; font-weight: normal; overflow-wrap: anywhere; hyphens: auto; }
            th.pupil, td.pupil { width: 44mm; text-align: left; text-overflow: ellipsis; font-size: 8.5pt; }
            tbody tr:nth-child(even) td.pupil { background: #f4f4f4; }
            td .mark { font-size: 9.5pt; line-height: 1; }
            td .word { font-size: 6.5pt; margin-left: 0.6mm; }
            td.yes { background: #fff; }
            td.no { background: repeating-linear-gradient(45deg, #fff 0 2.5px, #bbb 2.5px 4px); font-weight: bold; }
            td.no .mark, td.no .word { background: #fff; padding: 0 0.3mm; }
            td.open { background: #fff; color: #000; }
            .legend { margin-top: 3mm; display: flex; gap: 6mm; flex-wrap: wrap; font-size: 8.5pt; }
            .legend span.key { display: inline-block; width: 9mm; text-align: center; border: 0.75pt solid #000; margin-right: 1.5mm; }
            .legend span.key.no { background: repeating-linear-gradient(45deg, #fff 0 2.5px, #bbb 2.5px 4px); font-weight: bold; }
            .rule { margin-top: 3mm; font-size: 9pt; font-weight: bold; }
            footer { margin-top: 2mm; font-size: 7pt; color: #333; }
            </style>
            </head>
            <body>
            <header>
            <div><h1>Toestemming foto, film en geluid</h1>
            <div class="meta">{{E(sheet.SchoolName)}} · {{E(sheet.GroupName)}} · schooljaar {{E(sheet.SchoolYear)}}</div></div>
            <div class="meta">Stand per {{when}} · {{sheet.Pupils.Count}} leerlingen</div>
            </header>
            <table>
            <thead>
            <tr><th class="pupil" rowspan="2">Leerling</th>
            """);
        foreach (var media in sheet.Columns.GroupBy(c => c.MediaType))
        {
            html.Append(CultureInfo.InvariantCulture, $"<th class=\"media\" colspan=\"{media.Count()}\">{MediaName(media.Key)}</th>");
        }
        html.Append("</tr>\n<tr>");
        MediaType? previous = null;
        foreach (var column in sheet.Columns)
        {
            var first = column.MediaType != previous ? " first" : "";
            html.Append(CultureInfo.InvariantCulture, $"<th class=\"channel{first}\">{E(column.ChannelName)}</th>");
            previous = column.MediaType;
        }
        html.Append("</tr>\n</thead>\n<tbody>\n");
        foreach (var pupil in sheet.Pupils)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"pupil\">{E(pupil.DisplayName)}</td>");
            previous = null;
            foreach (var cell in pupil.Cells)
            {
                var (css, mark, word) = Mark(cell.State);
                var first = cell.MediaType != previous ? " first" : "";
                html.Append(CultureInfo.InvariantCulture,
                    $"<td class=\"{css}{first}\"><span class=\"mark\">{mark}</span><span class=\"word\">{word}</span></td>");
                previous = cell.MediaType;
            }
            html.Append("</tr>\n");
        }
        html.Append($$"""
            </tbody>
            </table>
            <div class="legend">
            <div><span class="key">✔</span>ja: toestemming</div>
            <div><span class="key no">✘</span>nee / oneens / verlopen: geen toestemming</div>
            <div><span class="key">?</span>open: nog geen (volledig) antwoord; 16+: leerling beslist zelf</div>
            <div><span class="key">–</span>niet gevraagd</div>
            </div>
            <div class="rule">Alleen bij ✔ ja mag de leerling herkenbaar in beeld of geluid worden gepubliceerd.</div>
            <footer>Toestemming kan op elk moment worden ingetrokken. Controleer vóór publicatie de actuele stand in ConsentApi.</footer>
            </body>
            </html>
            """);
        return html.ToString();
    }

    private static readonly string[] CsvLeadingColumns = ["pupilId", "externalId", "displayName"];

    /// <summary>The sheet without the items that are <c>not-asked</c> for every pupil; all of them when that leaves none.</summary>
    private static ConsentOverviewResponse WithoutUnaskedItems(ConsentOverviewResponse sheet)
    {
        var keep = Enumerable.Range(0, sheet.Columns.Count)
            .Where(i => sheet.Pupils.Any(p => p.Cells[i].State != ConsentState.NotAsked))
            .ToList();
        if (keep.Count == 0 || keep.Count == sheet.Columns.Count)
        {
            return sheet;
        }
        return sheet with
        {
            Columns = keep.Select(i => sheet.Columns[i]).ToList(),
            Pupils = sheet.Pupils.Select(p => p with { Cells = keep.Select(i => p.Cells[i]).ToList() }).ToList(),
        };
    }

    public static string Csv(ConsentOverviewResponse sheet)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', CsvLeadingColumns
            .Concat(sheet.Columns.Select(c => $"{c.MediaType.ToString().ToLowerInvariant()}:{c.Channel}")));
        csv.Append("\r\n");
        foreach (var pupil in sheet.Pupils)
        {
            csv.AppendJoin(',', new[] { pupil.PupilId.ToString(), CsvText.Field(pupil.ExternalId), CsvText.Field(pupil.DisplayName) }
                .Concat(pupil.Cells.Select(c => StateName(c.State))));
            csv.Append("\r\n");
        }
        return csv.ToString();
    }

    public static string StateName(ConsentState state) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(state.ToString());


    /// <summary>Escapes the five markup characters; everything else, such as ë or +, stays itself (the page is UTF-8).</summary>
    private static string E(string text) => new StringBuilder(text.Length + 16).Append(text)
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;")
        .ToString();
}
