using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.AccessExports;

/// <summary>
/// The access export (GDPR art. 15) of one pupil with a full record: Sanne moved from group 4b to 5b and her date of birth
/// was corrected; her mother Marieke granted in the app, reading the English text; a photo on the website relied on that;
/// her father Joost withdrew on paper with a note and a scan, which opened a takedown that was completed. Her stepfather
/// Kees has no parental authority. Emma, another family's child, is in the same photo.
/// </summary>
public sealed class AccessExportTests : ApiTest
{
    private const string TextNl = "Mogen wij foto's van uw kind plaatsen op de website en op sociale media? U kunt dit altijd intrekken.";
    private const string TextEn = "May we post photos of your child on the website and on social media? You can always withdraw this.";
    private const string FatherNote = "Vader wil geen foto's meer op de website na het schoolreisje.";
    private const string FatherProof = "Scan intrekking 2026-118";
    private static readonly byte[] Scan = "%PDF-1.7\n% Intrekking toestemming Sanne\n"u8.ToArray();
    private static readonly DateOnly CorrectedBirth = new(2017, 4, 12);

    private sealed record World(
        Tenant Tenant, HttpClient App, Guid Sanne, Guid Emma, Guid FormId, Guid VersionId, Guid MotherBatch, Guid FatherBatch, Guid ProofFileId,
        Guid PublicationId, Guid TakedownId);

    private World _world = null!;
    private Guid _campaignId;

    [OneTimeSetUp]
    public async Task CreateWorldAsync()
    {
        var tenant = await CreateTenantAsync();
        var (full, admin) = (tenant.Full(), tenant.Admin());
        var g4 = (Guid)(await (await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/groups",
            new { externalId = "G4B", name = "Groep 4b", schoolYear = "2025-2026" })).ReadObjectAsync())["id"]!;
        var g5 = (Guid)(await (await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/groups",
            new { externalId = "G5B", name = "Groep 5b", schoolYear = "2026-2027" })).ReadObjectAsync())["id"]!;
        var sanne = (Guid)(await (await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/pupils",
            new { externalId = "LL1001", displayName = "Sanne de Vries", dateOfBirth = "2017-04-21", groupId = g4 })).ReadObjectAsync())["id"]!;
        var emma = await CreatePupilAsync(full, tenant.SchoolId, "Emma Bakker", externalId: "LL1002");
        var mother = await CreateGuardianAsync(full, "Marieke de Vries", "OV1");
        var father = await CreateGuardianAsync(full, "Joost de Vries", "OV2");
        var stepfather = await CreateGuardianAsync(full, "Kees Smit", "OV3");
        var emmasMother = await CreateGuardianAsync(full, "Els Bakker", "OV4");
        await LinkAsync(full, sanne, mother);
        await LinkAsync(full, sanne, father);
        await LinkAsync(full, sanne, stepfather, hasParentalAuthority: false);
        await LinkAsync(full, emma, emmasMother);

        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal" })).ReadObjectAsync();
        var formId = (Guid)form["id"]!;
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{formId}/versions", new
        {
            textNl = TextNl, textEn = TextEn, validity = "until-withdrawn",
            items = new[] { new { mediaType = "photo", channel = "website" }, new { mediaType = "photo", channel = "social-media" } },
        })).EnsureSuccessStatusCode();
        var versionId = (Guid)(await (await admin.PostAsync($"/v1/consent-forms/{formId}/versions/1/publish", null)).ReadObjectAsync())["id"]!;

        var motherBatch = (Guid)(await (await full.PostAsJsonAsync($"/v1/pupils/{sanne}/decisions", new
        {
            formVersionId = versionId, decidedBy = "guardian", guardianId = mother, method = "parent-app", language = "en",
            items = new[] { new { mediaType = "photo", channel = "website", outcome = "granted" } },
        })).ReadObjectAsync())["batchId"]!;
        await DecideAsync(full, emma, versionId, emmasMother, "granted", ["photo:website"]);
        var publicationId = (Guid)(await RegisterAsync(full, tenant.SchoolId, "website", "photo", [sanne, emma]))["id"]!;

        var paper = await full.PostAsJsonAsync($"/v1/pupils/{sanne}/decisions", new
        {
            formVersionId = versionId, decidedBy = "guardian", guardianId = father, method = "paper", proofReference = FatherProof, note = FatherNote,
            items = new[] { new { mediaType = "photo", channel = "website", outcome = "refused" } },
        });
        Assert.That(paper.StatusCode, Is.EqualTo(HttpStatusCode.Created), await paper.Content.ReadAsStringAsync());
        var fatherBatch = (Guid)(await paper.ReadObjectAsync())["batchId"]!;
        var upload = await full.PostAsync($"/v1/receipts/{fatherBatch}/proof-files?fileName=intrekking.pdf",
            new ByteArrayContent(Scan) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } });
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created), await upload.Content.ReadAsStringAsync());
        var proofFileId = (Guid)(await upload.ReadObjectAsync())["id"]!;

        var takedownId = (Guid)(await OpenTakedownsAsync(full)).Single()!["id"]!;
        (await full.PostAsJsonAsync($"/v1/takedowns/{takedownId}/complete",
            new { completedBy = "Websitebeheer OBS De Regenboog", note = "Foto uit het album gehaald." })).EnsureSuccessStatusCode();

        (await full.PutAsJsonAsync($"/v1/pupils/{sanne}", new { externalId = "LL1001", displayName = "Sanne de Vries", dateOfBirth = "2017-04-21", groupId = g5 }))
            .EnsureSuccessStatusCode();
        (await full.PutAsJsonAsync($"/v1/pupils/{sanne}", new { externalId = "LL1001", displayName = "Sanne de Vries", dateOfBirth = CorrectedBirth, groupId = g5 }))
            .EnsureSuccessStatusCode();

        var campaign = await admin.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/campaigns", new
        {
            schoolYear = "2026-2027", formVersionId = versionId, opensOn = Today.ToString("yyyy-MM-dd"), closesOn = Today.AddDays(30).ToString("yyyy-MM-dd"),
        });
        Assert.That(campaign.StatusCode, Is.EqualTo(HttpStatusCode.Created), await campaign.Content.ReadAsStringAsync());
        _campaignId = (Guid)(await campaign.ReadObjectAsync())["id"]!;

        _world = new World(tenant, await tenant.ClientWithAsync([Scopes.GuardianAct]), sanne, emma, formId, versionId, motherBatch, fatherBatch,
            proofFileId, publicationId, takedownId);
    }

    private static async Task<(JsonObject Export, string Body)> ExportAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        return (JsonNode.Parse(body)!.AsObject(), body);
    }

    private Task<(JsonObject Export, string Body)> SchoolExportAsync() =>
        ExportAsync(_world.Tenant.Full(), $"/v1/pupils/{_world.Sanne}/access-export");

    private Task<(JsonObject Export, string Body)> GuardianExportAsync(string guardian) =>
        ExportAsync(_world.App, $"/v1/parent-app/guardians/{guardian}/children/{_world.Sanne}/access-export");

    private static IEnumerable<JsonObject> Items(JsonObject export, string member) => export[member]!.AsArray().Select(n => n!.AsObject());

    [Test]
    public async Task A_decisions_exact_form_text_in_the_language_answered_and_the_versions_hash_are_in_the_export()
    {
        var version = await GetAsync(_world.Tenant.Full(), $"/v1/consent-forms/{_world.FormId}/versions/1");
        var (export, _) = await SchoolExportAsync();

        var mothers = Items(export, "decisions").Single(d => (Guid)d["batchId"]! == _world.MotherBatch);
        var text = Items(export, "formTexts").Single(t => (Guid)t["formVersionId"]! == (Guid)mothers["formVersionId"]! && (string?)t["language"] == (string?)mothers["language"]);
        Assert.Multiple(() =>
        {
            Assert.That((string?)mothers["language"], Is.EqualTo("en"));
            Assert.That((string?)text["text"], Is.EqualTo((string?)version["textEn"]).And.EqualTo(TextEn));
            Assert.That((string?)text["contentHash"], Is.EqualTo((string?)version["contentHash"]).And.StartsWith("sha256:"));
            Assert.That((string?)mothers["formContentHash"], Is.EqualTo((string?)version["contentHash"]));
            Assert.That((int?)mothers["formNumber"], Is.EqualTo(1));
            Assert.That((Guid?)mothers["formId"], Is.EqualTo(_world.FormId));
            // The father answered the Dutch text of the same version.
            Assert.That(Items(export, "formTexts").Single(t => (string?)t["language"] == "nl")["text"]!.GetValue<string>(), Is.EqualTo(TextNl));
        });
    }

    [Test]
    public async Task Everything_held_is_there_after_a_group_change_a_birth_date_correction_a_paper_withdrawal_and_a_takedown()
    {
        var (export, _) = await SchoolExportAsync();
        var decisions = Items(export, "decisions").ToList();
        var fathers = decisions.Single(d => (Guid)d["batchId"]! == _world.FatherBatch);
        var proofFile = Items(export, "proofFiles").Single();
        var publication = Items(export, "publications").Single();
        var takedown = Items(export, "takedowns").Single();
        Assert.Multiple(() =>
        {
            Assert.That((string?)export["view"], Is.EqualTo("school"));
            Assert.That((string?)export["pupil"]!["externalId"], Is.EqualTo("LL1001"));
            Assert.That((string?)export["pupil"]!["groupName"], Is.EqualTo("Groep 5b"));
            Assert.That((string?)export["pupil"]!["dateOfBirth"], Is.EqualTo("2017-04-12"));
            Assert.That(Items(export, "enrolments").Select(e => (string?)e["groupName"]), Is.EqualTo(new[] { "Groep 4b", "Groep 5b" }));
            Assert.That(Items(export, "enrolments").First()["validFrom"], Is.Null, "the first enrolment holds from the start");
            Assert.That(Items(export, "birthDates").Select(b => (string?)b["dateOfBirth"]), Is.EqualTo(new[] { "2017-04-21", "2017-04-12" }));
            Assert.That(Items(export, "guardians").Select(g => $"{g["displayName"]} {g["externalId"]} {g["hasParentalAuthority"]}"),
                Is.EquivalentTo(new[] { "Marieke de Vries OV1 true", "Joost de Vries OV2 true", "Kees Smit OV3 false" }));
            Assert.That(Items(export, "guardianLinkChanges").Count(), Is.EqualTo(3));

            // Recording order by sequence, never by id.
            Assert.That(decisions.Select(d => (long)d["sequence"]!), Is.Ordered.Ascending);
            Assert.That(decisions.Select(d => (Guid)d["batchId"]!), Is.EqualTo(new[] { _world.MotherBatch, _world.FatherBatch }));
            Assert.That((string?)fathers["method"], Is.EqualTo("paper"));
            Assert.That((string?)fathers["outcome"], Is.EqualTo("refused"));
            Assert.That((string?)fathers["proofReference"], Is.EqualTo(FatherProof));
            Assert.That((string?)fathers["note"], Is.EqualTo(FatherNote));
            Assert.That(fathers["recordedByClientId"], Is.Not.Null);
            Assert.That(Items(export, "receipts").Select(r => (Guid)r["receiptId"]!), Is.EquivalentTo(new[] { _world.MotherBatch, _world.FatherBatch }));

            Assert.That((Guid?)proofFile["id"], Is.EqualTo(_world.ProofFileId));
            Assert.That((string?)proofFile["sha256"], Is.EqualTo("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Scan))));
            Assert.That((long?)proofFile["size"], Is.EqualTo(Scan.Length));
            Assert.That((string?)proofFile["downloadPath"], Is.EqualTo($"/v1/receipts/{_world.FatherBatch}/proof-files/{_world.ProofFileId}"));

            var website = Items(export, "consents").Single(c => (string?)c["channel"] == "website" && (string?)c["mediaType"] == "photo");
            Assert.That((string?)website["state"], Is.EqualTo("conflict"));

            Assert.That((Guid?)publication["id"], Is.EqualTo(_world.PublicationId));
            Assert.That((string?)publication["status"], Is.EqualTo("removed"));
            Assert.That((bool?)publication["recognisable"], Is.True);
            Assert.That((string?)publication["check"]!["state"], Is.EqualTo("granted"));
            Assert.That((string?)publication["check"]!["reason"], Is.EqualTo("granted-by-guardian"));
            Assert.That((bool?)publication["check"]!["allowed"], Is.True);

            Assert.That((Guid?)takedown["id"], Is.EqualTo(_world.TakedownId));
            Assert.That((string?)takedown["status"], Is.EqualTo("done"));
            Assert.That((string?)takedown["completedBy"], Is.EqualTo("Websitebeheer OBS De Regenboog"));
            Assert.That((string?)takedown["completionNote"], Is.EqualTo("Foto uit het album gehaald."));
            Assert.That((string?)takedown["state"], Is.EqualTo("conflict"));

            Assert.That(Items(export, "consentRequests").Select(r => (Guid)r["campaignId"]!), Is.EqualTo(new[] { _campaignId }));
            Assert.That((Guid?)Items(export, "consentRequests").Single()["formVersionId"], Is.EqualTo(_world.VersionId));

            var audit = Items(export, "auditEvents").Select(e => $"{e["action"]} {e["resourceType"]}").ToList();
            Assert.That(audit, Does.Contain("CreatePupil pupil").And.Contain("UpdatePupil pupil").And.Contain("LinkGuardian pupil")
                .And.Contain("RecordDecisions pupil").And.Contain("UploadProofFile proof-file").And.Contain("RegisterPublication publication")
                .And.Contain("CompleteTakedown takedown"), string.Join(", ", audit));
        });
    }

    [Test]
    public async Task The_listed_proof_file_downloads_with_the_listed_hash()
    {
        var (export, _) = await SchoolExportAsync();
        var proofFile = Items(export, "proofFiles").Single();
        var bytes = await (await _world.Tenant.Full().GetAsync((string)proofFile["downloadPath"]!)).Content.ReadAsByteArrayAsync();
        Assert.That("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), Is.EqualTo((string?)proofFile["sha256"]));
    }

    [Test]
    public async Task Another_pupil_shown_in_the_same_publication_is_nowhere_in_the_export()
    {
        var (_, body) = await SchoolExportAsync();
        Assert.That(body, Does.Not.Contain(_world.Emma.ToString()).And.Not.Contain("Emma").And.Not.Contain("Els Bakker"));
    }

    [Test]
    public async Task The_guardians_export_holds_their_own_and_not_the_other_guardians_name_notes_proof_references_or_client_ids()
    {
        var (export, body) = await GuardianExportAsync("OV1");
        Assert.Multiple(() =>
        {
            Assert.That((string?)export["view"], Is.EqualTo("guardian"));
            Assert.That(Items(export, "guardians").Select(g => (string?)g["displayName"]), Is.EqualTo(new[] { "Marieke de Vries" }));
            Assert.That(Items(export, "otherGuardians").Select(g => (bool)g["hasParentalAuthority"]!), Is.EquivalentTo(new[] { true, false }));
            Assert.That(Items(export, "decisions").Select(d => (Guid)d["batchId"]!), Is.EqualTo(new[] { _world.MotherBatch }));
            Assert.That(Items(export, "decisions").Single()["recordedByClientId"], Is.Null);
            Assert.That(Items(export, "receipts").Select(r => (Guid)r["receiptId"]!), Is.EqualTo(new[] { _world.MotherBatch }));
            Assert.That(Items(export, "proofFiles"), Is.Empty);
            Assert.That(Items(export, "formTexts").Select(t => (string?)t["text"]), Is.EqualTo(new[] { TextEn }));
            Assert.That(Items(export, "publications").Single()["check"]!["state"]!.GetValue<string>(), Is.EqualTo("granted"));
            Assert.That(Items(export, "takedowns").Count(), Is.EqualTo(1));
            Assert.That(Items(export, "auditEvents"), Is.Not.Empty);
            Assert.That(Items(export, "auditEvents").Select(e => e["clientId"]), Has.All.Null);
            foreach (var hidden in new[] { "Joost", "Kees", "\"OV2\"", "\"OV3\"", FatherNote, FatherProof, _world.FatherBatch.ToString(), _world.ProofFileId.ToString(), _world.Emma.ToString() })
            {
                Assert.That(body, Does.Not.Contain(hidden));
            }
        });
    }

    [Test]
    public async Task The_other_guardian_sees_their_own_paper_withdrawal_with_its_note_proof_reference_and_scan()
    {
        var (export, body) = await GuardianExportAsync("OV2");
        var decision = Items(export, "decisions").Single();
        Assert.Multiple(() =>
        {
            Assert.That((string?)decision["note"], Is.EqualTo(FatherNote));
            Assert.That((string?)decision["proofReference"], Is.EqualTo(FatherProof));
            Assert.That((Guid?)Items(export, "proofFiles").Single()["id"], Is.EqualTo(_world.ProofFileId));
            Assert.That(Items(export, "proofFiles").Single()["downloadPath"], Is.Null);
            Assert.That(body, Does.Not.Contain("Marieke").And.Not.Contain(_world.MotherBatch.ToString()));
        });
    }

    [Test]
    public async Task A_guardian_without_parental_authority_cannot_export()
    {
        var problem = await AssertProblemAsync(await _world.App.GetAsync($"/v1/parent-app/guardians/OV3/children/{_world.Sanne}/access-export"),
            HttpStatusCode.Forbidden, "forbidden");
        Assert.That((string?)problem["detail"], Does.Contain("parental authority"));
    }

    [Test]
    public async Task Another_guardians_child_is_not_found() =>
        await AssertProblemAsync(await _world.App.GetAsync($"/v1/parent-app/guardians/OV1/children/{_world.Emma}/access-export"),
            HttpStatusCode.NotFound, "not-found");

    [Test]
    public async Task The_pupil_under_16_cannot_export_themself()
    {
        var problem = await AssertProblemAsync(await _world.App.GetAsync($"/v1/parent-app/pupils/{_world.Sanne}/access-export"),
            HttpStatusCode.Forbidden, "forbidden");
        Assert.That((string?)problem["detail"], Does.Contain("under 16"));
    }

    [Test]
    public async Task Another_organisations_pupil_is_not_found()
    {
        var other = await CreateTenantAsync(schools: 1);
        await AssertProblemAsync(await other.Full().GetAsync($"/v1/pupils/{_world.Sanne}/access-export"), HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_client_limited_to_another_school_gets_not_found()
    {
        var client = await _world.Tenant.ClientWithAsync([Scopes.ConsentRead], [_world.Tenant.SchoolIds[1]]);
        await AssertProblemAsync(await client.GetAsync($"/v1/pupils/{_world.Sanne}/access-export"), HttpStatusCode.NotFound, "not-found");
    }

    private async Task<HttpResponseMessage> AskAsync(string accept, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/pupils/{_world.Sanne}/access-export{query}");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await _world.Tenant.Full().SendAsync(request);
    }

    [TestCase("", "Leerling en inschrijving", "Beslissingen en toestemmingsteksten", "Logboek", "Verwijderverzoeken", "Geboortedatum zoals vastgelegd")]
    [TestCase("?language=nl", "Leerling en inschrijving", "Beslissingen en toestemmingsteksten", "Logboek", "Verwijderverzoeken", "Geboortedatum zoals vastgelegd")]
    [TestCase("?language=en", "Pupil and enrolment", "Decisions and consent texts", "Audit trail", "Takedowns", "Date of birth as recorded")]
    public async Task The_printable_page_has_a_section_per_part_in_the_language_asked_and_the_exact_form_text(string query, params string[] headings)
    {
        var response = await AskAsync("text/html", query);
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(response.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("inline"));
            Assert.That(html, Does.Contain($"<html lang=\"{(query.Contains("en", StringComparison.Ordinal) ? "en" : "nl")}\">"));
            foreach (var heading in headings)
            {
                Assert.That(html, Does.Contain($">{heading}</h"), heading);
            }
            // The form text is printed in the language it was answered in, whatever the page's language.
            Assert.That(html, Does.Contain(TextEn));
            Assert.That(html, Does.Contain(WebUtility.HtmlEncode(FatherNote)));
            Assert.That(html, Does.Not.Contain("<script"));
            Assert.That(System.Text.RegularExpressions.Regex.Count(html, "<section>"), Is.EqualTo(7));
        });
    }

    [Test]
    public async Task The_pdf_is_an_attachment_a_reader_opens_with_the_sections_and_the_form_text()
    {
        var response = await AskAsync("application/pdf", "?language=en");
        var pdf = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), System.Text.Encoding.UTF8.GetString(pdf));
        Assert.Multiple(() =>
        {
            Assert.That(System.Text.Encoding.Latin1.GetString(pdf, 0, 5), Is.EqualTo("%PDF-"));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
            Assert.That(response.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
            Assert.That(response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Does.StartWith($"access-export-{_world.Sanne}-").And.EndWith(".pdf"));
        });
        var text = string.Join("\n", await PdfReader.PagesAsync(pdf));
        var flat = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
        Assert.That(flat, Does.Contain("Pupil and enrolment").And.Contain("Decisions and consent texts").And.Contain("Audit trail"));
        Assert.That(flat, Does.Contain(TextEn));
    }

    [Test]
    public async Task A_browser_prints_the_page_with_each_part_on_an_a4_page_of_its_own()
    {
        var response = await AskAsync("text/html", "?language=en");
        var directory = Directory.CreateTempSubdirectory("access-export-").FullName;
        try
        {
            var html = Path.Combine(directory, "access-export.html");
            await File.WriteAllTextAsync(html, await response.Content.ReadAsStringAsync(), new System.Text.UTF8Encoding(false));
            var (png, pdf) = (Path.Combine(directory, "access-export.png"), Path.Combine(directory, "access-export.pdf"));
            await HeadlessChromium.RenderAsync(html, png, Path.Combine(directory, "profile-png"), "794,1123");
            await HeadlessChromium.RenderAsync(html, pdf, Path.Combine(directory, "profile-pdf"));

            var pages = await PdfReader.PagesAsync(await File.ReadAllBytesAsync(pdf));
            string[] parts = ["Pupil and enrolment", "Parents and carers", "Decisions and consent texts", "Receipts and proof files",
                "Publications", "Takedowns", "Audit trail"];
            Assert.That(pages, Has.Count.EqualTo(parts.Length), "the parts of this record each fit on one page");
            for (var i = 0; i < parts.Length; i++)
            {
                Assert.That(pages[i], Does.Contain(parts[i]), $"page {i + 1}");
            }
            Assert.That(new FileInfo(png).Length, Is.GreaterThan(20 * 1024), "the PNG looks blank");
            if (Environment.GetEnvironmentVariable("ACCESS_EXPORT_EXAMPLE_DIR") is { Length: > 0 } example)
            {
                // For documentation: keep the rendered example.
                Directory.CreateDirectory(example);
                File.Copy(png, Path.Combine(example, "access-export-example.png"), overwrite: true);
                File.Copy(pdf, Path.Combine(example, "access-export-example.pdf"), overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task The_print_document_is_built_from_the_export_with_local_times_and_dd_mm_yyyy_days()
    {
        var (_, body) = await SchoolExportAsync();
        var export = System.Text.Json.JsonSerializer.Deserialize<ConsentApi.Features.AccessExports.AccessExport>(body, Json.Options)!;
        var nl = ConsentApi.Features.AccessExports.AccessExportDocument.Build(export, "nl");
        var en = ConsentApi.Features.AccessExports.AccessExportDocument.Build(export, "en");
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        var givenAt = export.Decisions[0].GivenAt;
        var decisions = nl.Sections[2].Blocks.OfType<ConsentApi.Infrastructure.Printing.PrintTable>().First();
        Assert.Multiple(() =>
        {
            Assert.That(nl.Sections.Select(s => s.Title), Is.EqualTo(new[]
            {
                "Leerling en inschrijving", "Ouders en verzorgers", "Beslissingen en toestemmingsteksten", "Bevestigingen en bewijsstukken",
                "Publicaties", "Verwijderverzoeken", "Logboek",
            }));
            Assert.That(en.Sections.Select(s => s.Title), Is.EqualTo(new[]
            {
                "Pupil and enrolment", "Parents and carers", "Decisions and consent texts", "Receipts and proof files", "Publications",
                "Takedowns", "Audit trail",
            }));
            Assert.That(nl.Language, Is.EqualTo("nl"));
            Assert.That(en.Language, Is.EqualTo("en"));
            Assert.That(nl.Sections[0].Blocks.OfType<ConsentApi.Infrastructure.Printing.PrintFacts>().First().Facts,
                Does.Contain(new ConsentApi.Infrastructure.Printing.PrintFact("Geboortedatum", "12-04-2017")));
            Assert.That(decisions.Rows[0][1], Is.EqualTo(TimeZoneInfo.ConvertTime(givenAt, zone).ToString("dd-MM-yyyy HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(decisions.Rows.Select(r => r[8]), Does.Contain(FatherProof));
            Assert.That(nl.Sections[2].Blocks.OfType<ConsentApi.Infrastructure.Printing.PrintText>().Select(t => t.Text), Does.Contain(TextEn).And.Contain(TextNl));
        });
    }

    [TestCase("text/csv")]
    [TestCase("image/png")]
    [TestCase("application/json;q=0, text/csv")]
    public async Task An_unacceptable_representation_is_406(string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/pupils/{_world.Sanne}/access-export");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        await AssertProblemAsync(await _world.Tenant.Full().SendAsync(request), HttpStatusCode.NotAcceptable, "not-acceptable");
    }

    [Test]
    public async Task An_unknown_language_is_a_validation_problem()
    {
        var problem = await AssertProblemAsync(await _world.Tenant.Full().GetAsync($"/v1/pupils/{_world.Sanne}/access-export?language=de"),
            HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "language" }));
    }
}
