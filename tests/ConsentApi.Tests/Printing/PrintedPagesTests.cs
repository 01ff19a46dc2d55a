using System.Text;
using System.Text.RegularExpressions;
using ConsentApi.Infrastructure.Printing;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Printing;

/// <summary>The HTML rendering as a browser prints it: headless Chromium's PDF, read back by poppler.</summary>
public sealed partial class PrintedPagesTests
{
    private string? _directory;

    [TearDown]
    public void RemoveFiles()
    {
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static PrintSection Section(string title, int rows) =>
        new(title, [new PrintText($"Wat de school over {title.ToLowerInvariant()} bewaart."),
            new PrintTable(["Datum", "Wat", "Door wie"],
                Enumerable.Range(1, rows).Select(i => (IReadOnlyList<string>)[$"0{i % 9 + 1}-09-2026", $"regel {i}", "administratie"]).ToList(),
                "Niets.")]);

    private async Task<byte[]> PrintAsync(PrintDocument document)
    {
        _directory = Directory.CreateTempSubdirectory("printed-").FullName;
        var html = Path.Combine(_directory, "document.html");
        await File.WriteAllTextAsync(html, PrintHtml.Render(document), new UTF8Encoding(false));
        var pdf = Path.Combine(_directory, "document.pdf");
        await HeadlessChromium.RenderAsync(html, pdf, Path.Combine(_directory, "profile"));
        return await File.ReadAllBytesAsync(pdf);
    }

    [Test]
    public async Task A_browser_prints_each_section_on_an_a4_page_of_its_own()
    {
        var sections = new[] { Section("Leerling", 5), Section("Ouders", 3), Section("Besluiten", 12), Section("Publicaties", 0) };
        var pdf = await PrintAsync(new PrintDocument("nl", "Inzage", [new("School", "De Regenboog")], sections, "Vertrouwelijk."));

        Assert.That(await PdfReader.PageCountAsync(pdf), Is.EqualTo(4));
        var pages = await PdfReader.PagesAsync(pdf);
        for (var i = 0; i < sections.Length; i++)
        {
            Assert.That(pages[i], Does.Contain(sections[i].Title), $"page {i + 1}");
        }
        Assert.That(pages[3], Does.Contain("Niets."));
        Assert.That(Encoding.Latin1.GetString(pdf), Does.Match(@"/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]"), "A4 portrait");
    }

    [Test]
    public void The_page_is_black_on_white_so_that_a_copy_in_grey_loses_nothing()
    {
        var html = PrintHtml.Render(new PrintDocument("en", "Access", [], [Section("Pupil", 2)], "Confidential."));

        var colours = Colour().Matches(html).Select(m => m.Value.ToLowerInvariant()).Distinct().ToList();
        Assert.That(colours, Is.SubsetOf(new[] { "#000", "#fff" }), "colours other than black and white");
        Assert.That(html, Does.Not.Contain("rgb(").And.Not.Contain("<img").And.Not.Contain("<script"));
    }

    [GeneratedRegex("#[0-9a-fA-F]{3,8}\\b")]
    private static partial Regex Colour();
}
