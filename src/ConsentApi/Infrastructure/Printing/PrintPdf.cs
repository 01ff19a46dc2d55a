using System.Globalization;
using System.Text;

namespace ConsentApi.Infrastructure.Printing;

/// <summary>
/// A <see cref="PrintDocument"/> as a PDF on A4 portrait: each section begins a new page, tables repeat their header row
/// on the page they run on to, and every page carries the document's title and footer and its number. It uses the two
/// fonts every PDF reader has built in (Helvetica and Helvetica-Bold), so nothing is embedded, and draws in black only.
/// The page content is left uncompressed: a person or a program can search it.
/// </summary>
public static class PrintPdf
{
    public const string ContentType = "application/pdf";

    public static byte[] Render(PrintDocument document)
    {
        var pages = new PdfPages(document.Title);
        pages.Line(document.Title, 18, bold: true, after: 6);
        pages.Facts(document.Heading, 10);
        pages.Space(8);
        for (var i = 0; i < document.Sections.Count; i++)
        {
            var section = document.Sections[i];
            if (i > 0)
            {
                pages.NewPage();
            }
            pages.Rule(1.2);
            pages.Line(section.Title, 14, bold: true, after: 6);
            foreach (var block in section.Blocks)
            {
                switch (block)
                {
                    case PrintSubheading subheading:
                        pages.Space(6);
                        pages.Line(subheading.Text, 11, bold: true, after: 3);
                        break;
                    case PrintText text:
                        pages.Paragraph(text.Text, 10);
                        pages.Space(5);
                        break;
                    case PrintFacts facts:
                        pages.Facts(facts.Facts, 10);
                        pages.Space(5);
                        break;
                    case PrintTable table:
                        pages.Table(table, 8.5);
                        pages.Space(6);
                        break;
                }
            }
        }
        return PdfFile.Write(pages.Finish(document.Footer), document.Title, document.Language);
    }

    /// <summary>Lays text out top to bottom, starting a new page where the last one is full.</summary>
    private sealed class PdfPages(string title)
    {
        public const double PageWidth = 595.28, PageHeight = 841.89;
        private const double Margin = 50, Top = PageHeight - 62, Bottom = 62, Width = PageWidth - 2 * Margin;

        private readonly List<StringBuilder> _pages = [];
        private StringBuilder _page = null!;
        private double _y;

        public PdfPages NewPage()
        {
            _page = new StringBuilder();
            _pages.Add(_page);
            _y = Top;
            return this;
        }

        private void Room(double height)
        {
            if (_pages.Count == 0 || _y - height < Bottom)
            {
                NewPage();
            }
        }

        public void Space(double points) => _y -= points;

        public void Rule(double width)
        {
            Room(4);
            Stroke(Margin, _y, Margin + Width, _y, width);
            _y -= 12;
        }

        public void Line(string text, double size, bool bold, double after)
        {
            foreach (var line in Wrap(text, size, bold, Width))
            {
                Room(size * 1.3);
                _y -= size;
                Text(Margin, _y, line, size, bold);
                _y -= size * 0.3;
            }
            _y -= after;
        }

        public void Paragraph(string text, double size) => Line(text, size, bold: false, after: 0);

        public void Facts(IReadOnlyList<PrintFact> facts, double size)
        {
            var labelWidth = Math.Min(Width * 0.35, facts.Select(f => WinAnsi.Width(f.Label, size, true)).DefaultIfEmpty(0).Max() + 10);
            foreach (var fact in facts)
            {
                var labels = Wrap(fact.Label, size, true, labelWidth - 8);
                var values = Wrap(fact.Value, size, false, Width - labelWidth);
                for (var i = 0; i < Math.Max(labels.Count, values.Count); i++)
                {
                    Room(size * 1.3);
                    _y -= size;
                    if (i < labels.Count)
                    {
                        Text(Margin, _y, labels[i], size, bold: true);
                    }
                    if (i < values.Count)
                    {
                        Text(Margin + labelWidth, _y, values[i], size, bold: false);
                    }
                    _y -= size * 0.3;
                }
                _y -= 1.5;
            }
        }

        public void Table(PrintTable table, double size)
        {
            if (table.Rows.Count == 0)
            {
                Line(table.Empty, size + 1, bold: false, after: 0);
                return;
            }
            var widths = ColumnWidths(table, size);
            var header = table.Columns.Select((c, i) => Wrap(c, size, true, widths[i] - 6)).ToList();
            var line = size * 1.25;
            Room(line * (header.Max(h => h.Count) + 1) + 8);
            DrawRow(header, widths, size, bold: true);
            Stroke(Margin, _y, Margin + Width, _y, 1);
            foreach (var row in table.Rows)
            {
                var cells = widths.Select((w, i) => Wrap(i < row.Count ? row[i] : "", size, false, w - 6)).ToList();
                var height = cells.Max(c => c.Count) * line + 4;
                if (_y - Math.Min(height, line * 3) < Bottom)
                {
                    // The row would start too low: it starts on a new page, under the header again.
                    NewPage();
                    DrawRow(header, widths, size, bold: true);
                    Stroke(Margin, _y, Margin + Width, _y, 1);
                }
                DrawRow(cells, widths, size, bold: false, repeat: header);
                Stroke(Margin, _y, Margin + Width, _y, 0.4);
            }
        }

        /// <summary>Draws a row line by line; a row longer than the page runs on, under a repeated header.</summary>
        private void DrawRow(List<List<string>> cells, double[] widths, double size, bool bold, List<List<string>>? repeat = null)
        {
            var line = size * 1.25;
            _y -= 2;
            for (var i = 0; i < cells.Max(c => c.Count); i++)
            {
                if (_y - line < Bottom && repeat is not null)
                {
                    NewPage();
                    DrawRow(repeat, widths, size, bold: true);
                    Stroke(Margin, _y, Margin + Width, _y, 1);
                    _y -= 2;
                }
                _y -= size;
                var x = Margin;
                for (var c = 0; c < cells.Count; c++)
                {
                    if (i < cells[c].Count)
                    {
                        Text(x + 3, _y, cells[c][i], size, bold);
                    }
                    x += widths[c];
                }
                _y -= line - size;
            }
            _y -= 2;
        }

        /// <summary>
        /// Each column gets at least its longest word (so words break only when a word is wider than a third of the page,
        /// as a hash is), and the rest of the width goes to the columns whose text would otherwise wrap, by how much they hold.
        /// </summary>
        private static double[] ColumnWidths(PrintTable table, double size)
        {
            var cells = table.Columns.Select((column, i) => table.Rows.Select(r => i < r.Count ? r[i] : "").ToList()).ToList();
            var least = cells.Select((texts, i) => Math.Clamp(
                texts.SelectMany(t => t.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
                    .Select(word => WinAnsi.Width(word, size, false))
                    .Concat(table.Columns[i].Split(' ').Select(word => WinAnsi.Width(word, size, true)))
                    .DefaultIfEmpty(0).Max(), 18, Width / 3) + 6).ToArray();
            var wants = cells.Select((texts, i) => Math.Max(least[i],
                texts.Select(t => WinAnsi.Width(t, size, false)).Append(WinAnsi.Width(table.Columns[i], size, true)).Max() + 6)).ToArray();
            if (least.Sum() >= Width)
            {
                return least.Select(w => w * Width / least.Sum()).ToArray();
            }
            var spare = Width - least.Sum();
            var wanted = wants.Zip(least, (w, l) => w - l).ToArray();
            if (wanted.Sum() <= spare)
            {
                return wants.Select(w => w * Width / wants.Sum()).ToArray();
            }
            return least.Select((l, i) => l + spare * wanted[i] / wanted.Sum()).ToArray();
        }

        private void Text(double x, double y, string text, double size, bool bold) =>
            _page.Append(CultureInfo.InvariantCulture,
                $"BT /{(bold ? "F2" : "F1")} {size:0.##} Tf {x:0.##} {y:0.##} Td {WinAnsi.Literal(text)} Tj ET\n");

        private void Stroke(double x1, double y1, double x2, double y2, double width) =>
            _page.Append(CultureInfo.InvariantCulture, $"{width:0.##} w {x1:0.##} {y1:0.##} m {x2:0.##} {y2:0.##} l S\n");

        /// <summary>Each page's content with the running title on top and the footer and "n / N" at the bottom.</summary>
        public List<string> Finish(string footer)
        {
            var contents = new List<string>(_pages.Count);
            for (var i = 0; i < _pages.Count; i++)
            {
                _page = new StringBuilder();
                Text(Margin, PageHeight - 36, Fit(title, 8, Width), 8, bold: false);
                Stroke(Margin, PageHeight - 42, Margin + Width, PageHeight - 42, 0.4);
                Stroke(Margin, 44, Margin + Width, 44, 0.4);
                var number = $"{i + 1} / {_pages.Count}";
                Text(Margin, 32, Fit(footer, 8, Width - 60), 8, bold: false);
                Text(Margin + Width - WinAnsi.Width(number, 8, false), 32, number, 8, bold: false);
                contents.Add(_page.Append(_pages[i]).ToString());
            }
            return contents;
        }

        private static string Fit(string text, double size, double width)
        {
            var line = text.ReplaceLineEndings(" ");
            while (line.Length > 1 && WinAnsi.Width(line, size, false) > width)
            {
                line = line[..^2] + "…";
            }
            return line;
        }

        /// <summary>Lines no wider than the width: words moved down whole, a word too long for a line (a hash) cut.</summary>
        public static List<string> Wrap(string text, double size, bool bold, double width)
        {
            var lines = new List<string>();
            foreach (var paragraph in text.ReplaceLineEndings("\n").Split('\n'))
            {
                var line = new StringBuilder();
                foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var candidate = line.Length == 0 ? word : line + " " + word;
                    if (WinAnsi.Width(candidate, size, bold) <= width)
                    {
                        line.Clear().Append(candidate);
                        continue;
                    }
                    if (line.Length > 0)
                    {
                        lines.Add(line.ToString());
                        line.Clear();
                    }
                    var rest = word;
                    while (WinAnsi.Width(rest, size, bold) > width)
                    {
                        var cut = rest.Length - 1;
                        while (cut > 1 && WinAnsi.Width(rest[..cut], size, bold) > width)
                        {
                            cut--;
                        }
                        lines.Add(rest[..cut]);
                        rest = rest[cut..];
                    }
                    line.Append(rest);
                }
                lines.Add(line.ToString());
            }
            return lines;
        }
    }

    /// <summary>The file around the pages: catalogue, page tree, the two fonts, the information and the cross-reference table.</summary>
    private static class PdfFile
    {
        public static byte[] Write(List<string> pages, string title, string language)
        {
            var objects = new List<string>
            {
                $"<< /Type /Catalog /Pages 2 0 R /Lang {WinAnsi.InfoString(language)} >>",
                $"<< /Type /Pages /Count {pages.Count} /Kids [{string.Join(' ', pages.Select((_, i) => $"{6 + 2 * i} 0 R"))}] >>",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
                $"<< /Title {WinAnsi.InfoString(title)} /Producer (ConsentApi) >>",
            };
            for (var i = 0; i < pages.Count; i++)
            {
                objects.Add(string.Create(CultureInfo.InvariantCulture,
                    $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PdfPages.PageWidth} {PdfPages.PageHeight}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {7 + 2 * i} 0 R >>"));
                var content = pages[i];
                objects.Add($"<< /Length {content.Length} >>\nstream\n{content}endstream");
            }

            // Every character written is one byte (WinAnsi literals and octal escapes), so lengths and offsets count bytes.
            var file = new StringBuilder("%PDF-1.7\n%\u00E2\u00E3\u00CF\u00D3\n");
            var offsets = new List<int>();
            for (var i = 0; i < objects.Count; i++)
            {
                offsets.Add(file.Length);
                file.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
            }
            var xref = file.Length;
            file.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
            foreach (var offset in offsets)
            {
                file.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
            }
            file.Append(CultureInfo.InvariantCulture,
                $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n");
            return Encoding.Latin1.GetBytes(file.ToString());
        }
    }
}
