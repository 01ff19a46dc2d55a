using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Imports.CsvImportSteps;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Imports;

/// <summary>
/// Paper consent forms keyed into a spreadsheet: recorded as the decisions API records them, with their own days and proof
/// references and a receipt per form; a dry run or a bad file changes nothing.
/// </summary>
public sealed class ConsentFormsCsvImportTests : ApiTest
{
    private const string Kind = "consent-forms-csv";
    private const string Header = "pupilExternalId;guardianExternalId;mediaType;channel;outcome;dateGiven;proofReference";

    private readonly TravellingClock _clock = new();
    private WebApplicationFactory<Program> _past = null!;

    [OneTimeSetUp]
    public void StartPastApp() =>
        _past = Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)));

    [SetUp]
    public void BackToNow() => _clock.Offset = TimeSpan.Zero;

    private sealed record School(Tenant Tenant, Guid VersionId, Dictionary<string, Guid> Pupils);

    /// <summary>
    /// The pupils and guardians the example file names (LL1001 with OV2001, LL1002 with OV2003, LL1004 who is 16), a pupil
    /// LL9 at the other school, and a form asking photo on website and social media and film on website, published on
    /// 1 August 2026.
    /// </summary>
    private async Task<School> SchoolAsync()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = await PublishFormAsync(tenant.Admin(), ["photo:website", "photo:social-media", "film:website"]);
        var versionId = (Guid)version["id"]!;
        await BackdateFormAsync(Factory, versionId, new DateTimeOffset(2026, 8, 1, 8, 0, 0, TimeSpan.Zero));
        var pupils = new Dictionary<string, Guid>
        {
            ["LL1001"] = await CreatePupilAsync(full, tenant.SchoolId, "Anna", new DateOnly(2016, 3, 1), "LL1001"),
            ["LL1002"] = await CreatePupilAsync(full, tenant.SchoolId, "Bram", new DateOnly(2017, 6, 12), "LL1002"),
            ["LL1004"] = await CreatePupilAsync(full, tenant.SchoolId, "Eva", new DateOnly(2010, 5, 1), "LL1004"),
            ["LL9"] = await CreatePupilAsync(full, tenant.SchoolIds[1], "Daan", new DateOnly(2016, 1, 1), "LL9"),
        };
        await LinkAsync(full, pupils["LL1001"], await CreateGuardianAsync(full, "Marieke de Vries", "OV2001"));
        await LinkAsync(full, pupils["LL1002"], await CreateGuardianAsync(full, "Fatima El Amrani", "OV2003"));
        return new School(tenant, versionId, pupils);
    }

    private static string Day(int daysAgo) => LocalDay.Today.AddDays(-daysAgo).ToString("d-M-yyyy", CultureInfo.InvariantCulture);

    /// <summary>The first moment of a local day in Europe/Amsterdam.</summary>
    private static DateTimeOffset StartOf(int year, int month, int day) =>
        ConsentApi.Domain.ConsentCalendar.Default.StartOf(new DateOnly(year, month, day));

    private static string StateOf(JsonObject matrix, string mediaType, string channel) =>
        (string)matrix["items"]!.AsArray().Single(i => (string)i!["mediaType"]! == mediaType && (string)i["channel"]! == channel)!["state"]!;

    /// <summary>
    /// A system that keys in paper forms holds `consent:write` and no roster scope: it follows the jobs it uploads, and only
    /// those kinds; a roster reader still reads every job.
    /// </summary>
    [Test]
    public async Task A_client_with_consent_write_alone_reads_and_lists_its_paper_form_jobs_but_not_the_roster_files()
    {
        var school = await SchoolAsync();
        var schoolId = school.Tenant.SchoolId;
        var writer = await school.Tenant.ClientWithAsync([ConsentApi.Domain.Scopes.ConsentWrite]);
        var rosterWriter = await school.Tenant.ClientWithAsync([ConsentApi.Domain.Scopes.RosterWrite]);
        var rosterReader = await school.Tenant.ClientWithAsync([ConsentApi.Domain.Scopes.RosterRead]);
        var roster = await ImportSteps.StartAsync(rosterWriter, schoolId, "edexml", Access.AccessWorld.EdexmlFile, dryRun: true);

        var uploaded = await SendUploadAsync(writer, schoolId, Kind, ExampleFile("paper-forms-example.csv"));
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await uploaded.Content.ReadAsStringAsync());
        var paperId = (Guid)(await uploaded.ReadObjectAsync())["id"]!;
        var read = await writer.GetAsync($"/v1/imports/{paperId}");
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK), await read.Content.ReadAsStringAsync());
        Succeeded(await FinishedAsync(writer, paperId));

        var refused = await AssertProblemAsync(await writer.GetAsync($"/v1/imports/{roster.Id}"), HttpStatusCode.Forbidden, "forbidden");
        Assert.That((string?)refused["detail"], Does.Contain("'roster:read' or 'roster:write'"));
        await AssertProblemAsync(await rosterWriter.GetAsync($"/v1/imports/{paperId}"), HttpStatusCode.Forbidden, "forbidden");
        Assert.That((await rosterWriter.GetAsync($"/v1/imports/{roster.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertProblemAsync(await writer.GetAsync($"/v1/imports/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound, "not-found");

        async Task<Guid[]> ListedAsync(HttpClient client)
        {
            var response = await client.GetAsync($"/v1/schools/{schoolId}/imports");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            return (await response.ReadObjectAsync())["items"]!.AsArray().Select(j => (Guid)j!["id"]!).ToArray();
        }
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await ListedAsync(writer), Is.EqualTo(new[] { paperId }));
            Assert.That(await ListedAsync(rosterWriter), Is.EqualTo(new[] { roster.Id }));
            Assert.That(await ListedAsync(rosterReader), Is.EqualTo(new[] { roster.Id, paperId }), "oldest first");
            Assert.That((await rosterReader.GetAsync($"/v1/imports/{paperId}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });

        // A client with none of the reading scopes is refused before anything is looked up.
        var reader = await school.Tenant.ClientWithAsync([ConsentApi.Domain.Scopes.ConsentRead]);
        var none = await AssertProblemAsync(await reader.GetAsync($"/v1/imports/{paperId}"), HttpStatusCode.Forbidden, "forbidden");
        Assert.That((string?)none["detail"], Does.Contain("'roster:read', 'roster:write', 'consent:write'"));

        var contract = JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        foreach (var (path, method) in new[] { ("/v1/imports/{importId}", "get"), ("/v1/schools/{schoolId}/imports", "get") })
        {
            Assert.That((string?)contract["paths"]![path]![method]!["description"],
                Does.Contain("Requires scope `roster:read`, `roster:write` or `consent:write`."), path);
        }
    }

    [Test]
    public async Task The_example_file_records_each_answer_with_its_own_day_and_proof_reference_and_a_receipt_per_form()
    {
        var school = await SchoolAsync();
        var full = school.Tenant.Full();

        var result = Succeeded(await ImportAsync(full, school.Tenant.SchoolId, Kind, ExampleFile("paper-forms-example.csv")));

        var rows = result["rowResults"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That((int?)result["rows"], Is.EqualTo(7));
            Assert.That((int?)result["recorded"], Is.EqualTo(7));
            Assert.That((int?)result["alreadyRecorded"], Is.EqualTo(0));
            Assert.That((int?)result["receipts"], Is.EqualTo(3));
            Assert.That(rows.Select(r => (int)r["line"]!), Is.EqualTo(new[] { 2, 3, 4, 5, 6, 7, 8 }));
            Assert.That(rows.Select(r => (string?)r["status"]), Is.All.EqualTo("recorded"));
            Assert.That(rows.Select(r => (string?)r["receipt"]), Is.EqualTo(rows.Select(r => $"/v1/receipts/{r["receiptId"]}")));
        });
        var receipts = rows.Select(r => (Guid)r["receiptId"]!).ToList();
        Assert.That(receipts.Distinct().Count(), Is.EqualTo(3));
        Assert.That(receipts.Take(3).Distinct().Count() == 1 && receipts.Skip(3).Take(2).Distinct().Count() == 1 && receipts.Skip(5).Distinct().Count() == 1,
            Is.True, "one receipt per form");

        var first = await GetAsync(full, $"/v1/receipts/{receipts[0]}");
        Assert.Multiple(() =>
        {
            Assert.That((string?)first["method"], Is.EqualTo("paper"));
            Assert.That(Moment(first["givenAt"]), Is.EqualTo(StartOf(2026, 9, 2)), "the first moment of the day on the form, in Amsterdam");
            Assert.That((string?)first["proofReference"], Is.EqualTo("PF-2026-0001"));
            Assert.That((Guid?)first["subject"]!["pupilId"], Is.EqualTo(school.Pupils["LL1001"]));
            Assert.That((Guid?)first["notice"]!["formVersionId"], Is.EqualTo(school.VersionId), "the version in force on the day given");
            Assert.That(first["purposes"]!.AsArray().Select(p => $"{p!["mediaType"]}:{p["channel"]}={p["outcome"]}"),
                Is.EquivalentTo(new[] { "photo:website=granted", "photo:social-media=refused", "film:website=granted" }));
        });
        var pupilsOwn = await GetAsync(full, $"/v1/receipts/{receipts[6]}");
        Assert.That((string?)pupilsOwn["decidedBy"]!["type"], Is.EqualTo("pupil"));
        Assert.That(Moment(pupilsOwn["givenAt"]), Is.EqualTo(StartOf(2026, 9, 21)));

        var anna = await GetAsync(full, $"/v1/pupils/{school.Pupils["LL1001"]}/consents");
        Assert.That((StateOf(anna, "photo", "website"), StateOf(anna, "photo", "social-media")), Is.EqualTo(("granted", "refused")));
        var history = (await GetAsync(full, $"/v1/pupils/{school.Pupils["LL1002"]}/consents/history"))["items"]!.AsArray();
        Assert.That(history.Select(d => $"{d!["method"]} {Moment(d["givenAt"]):O} {d["proofReference"]}").Distinct(),
            Is.EqualTo(new[] { $"paper {StartOf(2026, 9, 15):O} PF-2026-0002" }));

        // As for a decision through the API: its audit event and consent.changed events.
        var audit = (await GetAsync(school.Tenant.Admin(), "/v1/audit-events?action=RecordDecisions"))["items"]!.AsArray();
        Assert.That(audit, Has.Count.EqualTo(3));
        var changed = (await EventsAsync(Factory, school.Tenant.OrganisationId)).Where(e => e.Type == EventTypes.ConsentChanged)
            .Select(e => (Guid?)PayloadOf(e)["data"]!["pupilId"]).Distinct();
        Assert.That(changed, Is.EquivalentTo(new Guid?[] { school.Pupils["LL1001"], school.Pupils["LL1002"], school.Pupils["LL1004"] }));
    }

    [Test]
    public async Task A_dry_run_reports_every_answer_it_would_record_and_changes_nothing()
    {
        var school = await SchoolAsync();
        var before = await StateOfAsync(Factory, school.Tenant.OrganisationId);

        var result = Succeeded(await ImportAsync(school.Tenant.Full(), school.Tenant.SchoolId, Kind, ExampleFile("paper-forms-example.csv"), dryRun: true));

        Assert.That(await StateOfAsync(Factory, school.Tenant.OrganisationId), Is.EqualTo(before));
        Assert.That((int?)result["recorded"], Is.EqualTo(7));
        Assert.That(result["receipts"], Is.Null, "no receipt was issued");
        Assert.That(result["rowResults"]!.AsArray().Select(r => (string?)r!["status"]), Is.All.EqualTo("recorded"));
        Assert.That(result["rowResults"]!.AsArray().Select(r => r!["receiptId"]), Is.All.Null);
    }

    [Test]
    public async Task The_same_file_again_is_the_same_job_and_a_longer_one_records_only_the_new_answers()
    {
        var school = await SchoolAsync();
        var full = school.Tenant.Full();
        var example = ExampleFile("paper-forms-example.csv");
        var first = await ImportAsync(full, school.Tenant.SchoolId, Kind, example);

        var again = await SendUploadAsync(full, school.Tenant.SchoolId, Kind, example);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((Guid?)(await again.ReadObjectAsync())["id"], Is.EqualTo((Guid?)first["id"]));

        var longer = example.Concat(System.Text.Encoding.UTF8.GetBytes($"LL1002;OV2003;film;website;ja;{Day(1)};PF-2026-0009;\r\n")).ToArray();
        var result = Succeeded(await ImportAsync(full, school.Tenant.SchoolId, Kind, longer));

        Assert.That(((int?)result["recorded"], (int?)result["alreadyRecorded"]), Is.EqualTo((1, 7)));
        var firstReceipts = Succeeded(first)["rowResults"]!.AsArray().Select(r => (Guid?)r!["receiptId"]);
        Assert.That(result["rowResults"]!.AsArray().Take(7).Select(r => (Guid?)r!["receiptId"]), Is.EqualTo(firstReceipts),
            "an answer already on record names the receipt it has");
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.OrganisationId == school.Tenant.OrganisationId)), Is.EqualTo(8));
    }

    [Test]
    public async Task Every_bad_row_is_named_by_its_line_and_cell_and_nothing_changes()
    {
        var school = await SchoolAsync();
        var before = await StateOfAsync(Factory, school.Tenant.OrganisationId);

        var job = await ImportAsync(school.Tenant.Full(), school.Tenant.SchoolId, Kind, Spreadsheet(
            Header,
            $"LL1001;OV2001;foto;website;ja;{Day(3)};PF-1",
            $"LL1001;OV2001;foto;instagram;ja;{Day(3)};PF-1",
            $"LL1001;OV2001;foto;social-media;ja;{LocalDay.Today.AddDays(1):d-M-yyyy};PF-1",
            $"LL1001;OV2001;audio;website;ja;{Day(3)};PF-1",
            $"LL1001;OV2001;foto;website;weet niet;{Day(3)};PF-1",
            $"LL1001;OV2001;foto;website;ja;31-2-2026;PF-1",
            $"LL9;OV2001;foto;website;ja;{Day(3)};PF-1",
            $"LL1001;OV9999;foto;website;ja;{Day(3)};PF-1",
            $"LL1001;OV2001;foto;website;nee;{Day(3)};PF-1"));

        Assert.That(ErrorsOf(job), Is.EqualTo(new[]
        {
            $"4 F4 dateGiven: The date given, {LocalDay.Today.AddDays(1):d-M-yyyy}, lies in the future.",
            "6 E6 outcome: 'weet niet' is not an answer; write granted (ja, toestemming) or refused (nee, geen toestemming).",
            "7 F7 dateGiven: '31-2-2026' is not a date; write d-m-yyyy (e.g. 5-9-2026 or 05-09-2026) or yyyy-mm-dd.",
            "3 D3 channel: There is no channel 'instagram'.",
            "5 D5 channel: Form version 1 does not ask audio on 'website'.",
            "8 A8 pupilExternalId: The school has no pupil 'LL9'.",
            "9 B9 guardianExternalId: There is no guardian 'OV9999'; write the guardian's external id, or 'pupil' for the pupil's own decision.",
            "10 D10 channel: This person's answer for photo on 'website' on this form and day is on line 2 already.",
        }));
        Assert.That(await StateOfAsync(Factory, school.Tenant.OrganisationId), Is.EqualTo(before));
    }

    [Test]
    public async Task Who_may_not_decide_is_named_by_line_and_nothing_of_the_file_is_recorded()
    {
        var school = await SchoolAsync();
        var before = await StateOfAsync(Factory, school.Tenant.OrganisationId);

        var job = await ImportAsync(school.Tenant.Full(), school.Tenant.SchoolId, Kind, Spreadsheet(
            Header,
            $"LL1001;OV2001;foto;website;ja;{Day(3)};PF-1",
            $"LL1001;pupil;foto;website;ja;{Day(3)};PF-2",
            $"LL1002;OV2001;foto;website;ja;{Day(3)};PF-3",
            $"LL1004;OV2001;foto;website;ja;{Day(3)};PF-4"));

        Assert.That(ErrorsOf(job), Is.EqualTo(new[]
        {
            "3 line 3 : The pupil was under 16 when the decision was given; their guardians decide.",
            "4 line 4 : The guardian is not linked to this pupil.",
            "5 line 5 : The guardian is not linked to this pupil.",
        }));
        Assert.That(await StateOfAsync(Factory, school.Tenant.OrganisationId), Is.EqualTo(before), "line 2 was fine, and is not recorded either");
    }

    [Test]
    public async Task A_refusal_on_paper_is_recorded_for_a_pupil_who_left_and_a_grant_given_after_leaving_is_not()
    {
        var school = await SchoolAsync();
        var full = school.Tenant.Full();
        var anna = school.Pupils["LL1001"];
        _clock.Offset = -TimeSpan.FromDays(10);
        var left = await Then(school.Tenant.FullKey).PutAsJsonAsync($"/v1/pupils/{anna}",
            new { externalId = "LL1001", displayName = "Anna", dateOfBirth = "2016-03-01", status = "left" });
        Assert.That(left.StatusCode, Is.EqualTo(HttpStatusCode.OK), await left.Content.ReadAsStringAsync());
        _clock.Offset = TimeSpan.Zero;

        var grant = await ImportAsync(full, school.Tenant.SchoolId, Kind, Spreadsheet(Header, $"LL1001;OV2001;foto;website;ja;{Day(5)};PF-5"));
        Assert.That(ErrorsOf(grant), Is.EqualTo(new[]
        {
            "2 line 2 : The pupil had left the school when this was given; consent can still be withdrawn, but not granted.",
        }));

        var refusal = Succeeded(await ImportAsync(full, school.Tenant.SchoolId, Kind, Spreadsheet(Header, $"LL1001;OV2001;foto;website;nee;{Day(5)};PF-6")));
        Assert.That((int?)refusal["recorded"], Is.EqualTo(1));
        var history = (await GetAsync(full, $"/v1/pupils/{anna}/consents/history"))["items"]!.AsArray();
        Assert.That(history.Select(d => $"{d!["outcome"]} {d["proofReference"]}"), Is.EqualTo(new[] { "refused PF-6" }));
    }

    private HttpClient Then(string apiKey)
    {
        var client = _past.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }
}
