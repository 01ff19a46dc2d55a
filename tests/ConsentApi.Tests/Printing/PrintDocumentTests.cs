using System.Text;
using ConsentApi.Infrastructure.Printing;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Printing;

/// <summary>The two renderings of a document for paper, read back by an independent PDF reader and as HTML.</summary>
public sealed class PrintDocumentTests
{
    private static PrintDocument Document(params PrintSection[] sections) =>
        new("nl", "Inzageverzoek – Sanne (groep 5b)", [new("School", "De Regenboog"), new("Opgesteld", "30-11-2026 10:15")],
            sections, "Vertrouwelijk: persoonsgegevens van een leerling.");

    private static PrintSection Short(string title) =>
        new(title, [new PrintText("Eén regel met ë, ï, é en (haakjes) \\ en – streepjes.")]);

    [Test]
    public async Task Each_section_begins_a_page_of_its_own()
    {
        var pdf = PrintPdf.Render(Document(Short("Leerling"), Short("Ouders"), Short("Besluiten")));

        Assert.That(Encoding.Latin1.GetString(pdf, 0, 8), Is.EqualTo("%PDF-1.7"));
        Assert.That(await PdfReader.PageCountAsync(pdf), Is.EqualTo(3));
        var pages = await PdfReader.PagesAsync(pdf);
        Assert.That(pages[0], Does.Contain("Leerling").And.Contain("De Regenboog"));
        Assert.That(pages[1], Does.Contain("Ouders").And.Not.Contain("Besluiten"));
        Assert.That(pages[2], Does.Contain("Besluiten").And.Match(@"3\s*/\s*3"), "the page number of the count");
    }

    [Test]
    public async Task Dutch_letters_and_the_characters_pdf_strings_reserve_print_as_written()
    {
        var pdf = PrintPdf.Render(Document(Short("Leerling")));

        var text = (await PdfReader.PagesAsync(pdf))[0];
        Assert.That(text, Does.Contain("Eén regel met ë, ï, é en (haakjes) \\ en – streepjes."));
        Assert.That(text, Does.Contain("Vertrouwelijk: persoonsgegevens van een leerling."), "the footer");
        Assert.That(text, Does.Contain("Inzageverzoek – Sanne (groep 5b)"), "the running title");
    }

    [Test]
    public async Task A_long_table_runs_on_to_the_next_page_under_its_header_and_loses_no_row()
    {
        var rows = Enumerable.Range(1, 120)
            .Select(i => (IReadOnlyList<string>)[$"rij-{i:000}", "sha256:" + new string('a', 64), "toestemming"]).ToList();
        var pdf = PrintPdf.Render(Document(new PrintSection("Besluiten", [new PrintTable(["Nummer", "Hash", "Uitkomst"], rows, "Geen.")])));

        var pages = await PdfReader.PagesAsync(pdf);
        Assert.That(pages, Has.Count.GreaterThan(1));
        Assert.That(pages, Has.All.Contain("Nummer"), "the header row repeats on every page of the table");
        var all = string.Join("\n", pages);
        Assert.That(Enumerable.Range(1, 120).Where(i => !all.Contains($"rij-{i:000}")), Is.Empty);
        Assert.That(all.Replace("\n", ""), Does.Contain(new string('a', 64)), "a hash too wide for its column is cut, not lost");
    }

    [Test]
    public async Task Text_wider_than_the_page_wraps_inside_the_margins()
    {
        var words = string.Join(' ', Enumerable.Repeat("toestemming", 200));
        var pdf = PrintPdf.Render(Document(new PrintSection("Formulier", [new PrintText(words)])));

        // In Helvetica at 10 pt "toestemming" is 57.24 pt wide and a space 2.78 pt: eight words fill 480.2 pt of the
        // 495.28 pt between the margins, and a ninth would not fit.
        var content = Encoding.Latin1.GetString(pdf);
        var lines = System.Text.RegularExpressions.Regex.Matches(content, @"Td \((toestemming[^)]*)\) Tj")
            .Select(m => m.Groups[1].Value.Split(' ').Length).ToList();
        Assert.That(lines, Has.Count.EqualTo(25));
        Assert.That(lines, Has.All.EqualTo(8));
        var text = string.Join(" ", await PdfReader.PagesAsync(pdf));
        Assert.That(text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Count(w => w == "toestemming"), Is.EqualTo(200));
    }

    [Test]
    public void The_html_prints_each_section_on_a_new_sheet_with_its_text_escaped_and_no_script()
    {
        var html = PrintHtml.Render(Document(Short("Leerling"),
            new PrintSection("<script>alert(1)</script>", [new PrintTable(["A"], [], "Geen publicaties.")])));

        Assert.That(html, Does.StartWith("<!DOCTYPE html>").And.Contain("<html lang=\"nl\">"));
        Assert.That(html, Does.Contain("section { break-before: page;"));
        Assert.That(html, Does.Not.Contain("<script>"));
        Assert.That(html, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"));
        Assert.That(html, Does.Contain("Geen publicaties."), "an empty table says so");
        Assert.That(System.Text.RegularExpressions.Regex.Count(html, "<section>"), Is.EqualTo(2));
    }
}
