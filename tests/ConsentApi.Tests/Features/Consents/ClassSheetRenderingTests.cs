using System.Net;
using System.Net.Http.Json;
using System.Text;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// The printable class sheet of a realistic group, rendered by headless Chromium to PNG and PDF the way
/// scripts/render-class-sheet.sh does: the page must render, to something that is not blank.
/// </summary>
public sealed class ClassSheetRenderingTests : ApiTest
{
    private static readonly string[] Items =
    [
        "photo:newsletter", "photo:parent-app", "photo:school-guide", "photo:social-media", "photo:website",
        "film:parent-app", "film:social-media", "film:website", "audio:parent-app",
    ];

    private string? _directory;

    [TearDown]
    public void RemoveOutput()
    {
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static async Task<Guid> IdOfAsync(HttpResponseMessage response)
    {
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }

    private static async Task DecideAsync(HttpClient client, Guid pupilId, Guid versionId, Guid guardianId, string outcome, params string[] items)
    {
        var response = await client.PostAsJsonAsync($"/v1/pupils/{pupilId}/decisions", new
        {
            formVersionId = versionId,
            decidedBy = "guardian",
            guardianId,
            method = "parent-app",
            items = items.Select(i => i.Split(':')).Select(i => new { mediaType = i[0], channel = i[1], outcome }).ToArray(),
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    /// <summary>Groep 7b of OBS De Regenboog: ten pupils, two parents each, answers of every kind.</summary>
    private async Task<string> ClassSheetHtmlAsync()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var admin = tenant.Admin();
        (await admin.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}", new { name = "OBS De Regenboog", brinCode = "10AB" })).EnsureSuccessStatusCode();
        var groupId = await IdOfAsync(await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/groups",
            new { externalId = "7B", name = "Groep 7b", schoolYear = "2026-2027" }));
        var formId = await IdOfAsync(await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal" }));
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{formId}/versions", new
        {
            textNl = "Wij vragen uw toestemming voor het publiceren van foto's, film en geluid van uw kind.",
            validity = "until-withdrawn",
            items = Items.Select(i => i.Split(':')).Select(i => new { mediaType = i[0], channel = i[1] }).ToArray(),
        })).EnsureSuccessStatusCode();
        var versionId = await IdOfAsync(await admin.PostAsync($"/v1/consent-forms/{formId}/versions/1/publish", null));

        // A full class: the printed sheet must hold it on one page.
        string[] names =
        [
            "Sanne de Vries", "Daan Jansen", "Emma Bakker", "Lucas van Dijk", "Julia Visser",
            "Sem Smit", "Tess Meijer", "Noah de Boer", "Fenna Mulder", "Mohammed El Idrissi",
            "Lotte de Groot", "Finn Bos", "Zoë Vos", "Levi Peters", "Mila Hendriks", "Bram van Leeuwen",
            "Saar Dekker", "Milan Brouwer", "Nora de Wit", "Thijs Dijkstra", "Yara Smits", "Jesse de Graaf",
            "Evi van der Meer", "Ruben van der Linden", "Liv Kok", "Hugo Jacobs", "Isa de Haan", "Ayoub Benali",
        ];
        for (var i = 0; i < names.Length; i++)
        {
            var pupil = await IdOfAsync(await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/pupils",
                new { externalId = $"LL{i + 1:000}", displayName = names[i], dateOfBirth = new DateOnly(2015, 1, 10).AddDays(37 * i), groupId }));
            var surname = names[i].Split(' ', 2)[1];
            var parent1 = await IdOfAsync(await full.PostAsJsonAsync("/v1/guardians", new { externalId = $"OU{i + 1:000}A", displayName = $"Ouder A {surname}" }));
            var parent2 = await IdOfAsync(await full.PostAsJsonAsync("/v1/guardians", new { externalId = $"OU{i + 1:000}B", displayName = $"Ouder B {surname}" }));
            foreach (var parent in new[] { parent1, parent2 })
            {
                (await full.PutAsJsonAsync($"/v1/pupils/{pupil}/guardians/{parent}", new { hasParentalAuthority = true })).EnsureSuccessStatusCode();
            }
            switch (i % 5)
            {
                case 0: // everything asked is granted
                    await DecideAsync(full, pupil, versionId, parent1, "granted", Items);
                    break;
                case 1: // closed channels only
                    await DecideAsync(full, pupil, versionId, parent1, "granted", "photo:newsletter", "photo:parent-app", "film:parent-app", "audio:parent-app");
                    await DecideAsync(full, pupil, versionId, parent1, "refused", "photo:social-media", "photo:website", "film:social-media", "film:website");
                    break;
                case 2: // the parents disagree about social media
                    await DecideAsync(full, pupil, versionId, parent1, "granted", Items);
                    await DecideAsync(full, pupil, versionId, parent2, "refused", "photo:social-media", "film:social-media");
                    break;
                case 3: // no answer yet
                    break;
                default: // refused everything
                    await DecideAsync(full, pupil, versionId, parent2, "refused", Items);
                    break;
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/schools/{tenant.SchoolId}/groups/{groupId}/consent-overview");
        request.Headers.Add("Accept", "text/html");
        var sheet = await full.SendAsync(request);
        Assert.That(sheet.StatusCode, Is.EqualTo(HttpStatusCode.OK), await sheet.Content.ReadAsStringAsync());
        var html = await sheet.Content.ReadAsStringAsync();
        Assert.That(names, Has.All.Matches<string>(name => html.Contains(name, StringComparison.Ordinal)));
        return html;
    }

    private static int PageCount(byte[] pdf) =>
        System.Text.RegularExpressions.Regex.Count(Encoding.Latin1.GetString(pdf), @"/Type\s*/Page(?![a-zA-Z])");

    [Test]
    public async Task The_class_sheet_renders_to_a_png_and_a_pdf_that_are_not_blank()
    {
        var html = await ClassSheetHtmlAsync();
        _directory = Directory.CreateTempSubdirectory("class-sheet-").FullName;
        var htmlFile = Path.Combine(_directory, "class-sheet.html");
        await File.WriteAllTextAsync(htmlFile, html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        var png = Path.Combine(_directory, "class-sheet.png");
        var pdf = Path.Combine(_directory, "class-sheet.pdf");

        await HeadlessChromium.RenderAsync(htmlFile, png, Path.Combine(_directory, "profile-png"));
        await HeadlessChromium.RenderAsync(htmlFile, pdf, Path.Combine(_directory, "profile-pdf"));

        Assert.That(File.Exists(png), Is.True, "no PNG was written");
        Assert.That(File.Exists(pdf), Is.True, "no PDF was written");
        var pngBytes = await File.ReadAllBytesAsync(png);
        var pdfBytes = await File.ReadAllBytesAsync(pdf);
        Assert.Multiple(() =>
        {
            Assert.That(pngBytes.Take(8), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), "a PNG");
            // A blank 1123x794 page compresses to a few kilobytes; ten rows of names and marks do not.
            Assert.That(pngBytes, Has.Length.GreaterThan(20 * 1024), "the PNG looks blank");
            Assert.That(Encoding.ASCII.GetString(pdfBytes, 0, 5), Is.EqualTo("%PDF-"));
            Assert.That(pdfBytes, Has.Length.GreaterThan(10 * 1024), "the PDF looks empty");
            Assert.That(PageCount(pdfBytes), Is.EqualTo(1), "a class of 28 fits on one A4 page");
        });
        if (Environment.GetEnvironmentVariable("CLASS_SHEET_EXAMPLE_DIR") is { Length: > 0 } example)
        {
            // For documentation: keep the rendered example.
            Directory.CreateDirectory(example);
            File.Copy(png, Path.Combine(example, "class-sheet-example.png"), overwrite: true);
            File.Copy(pdf, Path.Combine(example, "class-sheet-example.pdf"), overwrite: true);
        }
    }

    [Test]
    public async Task A_blank_page_is_told_apart_from_the_class_sheet()
    {
        _directory = Directory.CreateTempSubdirectory("blank-page-").FullName;
        var htmlFile = Path.Combine(_directory, "blank.html");
        await File.WriteAllTextAsync(htmlFile, "<!DOCTYPE html><html><body></body></html>");
        var png = Path.Combine(_directory, "blank.png");

        await HeadlessChromium.RenderAsync(htmlFile, png, Path.Combine(_directory, "profile"));

        Assert.That(new FileInfo(png).Length, Is.LessThan(20 * 1024), "the blank-page threshold no longer separates blank from rendered");
    }
}
