using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ConsentApi.Tests.Features.Imports.CsvImportSteps;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Imports;

/// <summary>A school's guardians spreadsheet: the named pupils' links become the file's, and a bad file changes nothing.</summary>
public sealed class GuardiansCsvImportTests : ApiTest
{
    private const string Kind = "guardians-csv";

    private sealed record School(Tenant Tenant, Guid Anna, Guid Bram, Guid Cas, Guid Old, Guid Xander, Guid Carer);

    /// <summary>
    /// Pupils LL1 (linked to OLD and X), LL2 (no guardians) and LL3 (linked to C), and a pupil LL9 at the other school.
    /// </summary>
    private async Task<School> SchoolAsync()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var anna = await CreatePupilAsync(full, tenant.SchoolId, "Anna", externalId: "LL1");
        var bram = await CreatePupilAsync(full, tenant.SchoolId, "Bram", externalId: "LL2");
        var cas = await CreatePupilAsync(full, tenant.SchoolId, "Cas", externalId: "LL3");
        await CreatePupilAsync(full, tenant.SchoolIds[1], "Daan", externalId: "LL9");
        var old = await CreateGuardianAsync(full, "Oud", "OLD");
        var xander = await CreateGuardianAsync(full, "Xander Oud", "X");
        var carer = await CreateGuardianAsync(full, "Cor", "C");
        await LinkAsync(full, anna, old);
        await LinkAsync(full, anna, xander);
        await LinkAsync(full, cas, carer);
        return new School(tenant, anna, bram, cas, old, xander, carer);
    }

    private static readonly byte[] DutchFile = Spreadsheet(
        "Leerlingnummer;Ouder ID;Naam ouder;Gezag",
        "LL1;X;Xander;nee",
        "LL1;N1;\"Vries, Marieke de\";ja",
        "",
        "LL2;N1;\"Vries, Marieke de\";WAAR",
        ";;;");

    private static async Task<string[]> GuardiansOfAsync(HttpClient client, Guid pupilId) =>
        [.. (await GetAsync(client, $"/v1/pupils/{pupilId}"))["guardians"]!.AsArray()
            .Select(g => $"{g!["externalId"]} {g["displayName"]} {g["hasParentalAuthority"]}").Order()];

    [Test]
    public async Task A_Dutch_spreadsheet_sets_the_links_of_the_pupils_it_names_and_leaves_the_others()
    {
        var school = await SchoolAsync();
        var full = school.Tenant.Full();

        var result = Succeeded(await ImportAsync(full, school.Tenant.SchoolId, Kind, DutchFile));

        Assert.Multiple(async () =>
        {
            Assert.That(result["encoding"]!.ToString(), Is.EqualTo("utf-8"));
            Assert.That(result["separator"]!.ToString(), Is.EqualTo(";"));
            Assert.That((int?)result["rows"], Is.EqualTo(3));
            Assert.That((int?)result["pupils"], Is.EqualTo(2));
            AssertJson(result["guardians"]!, """{"created":1,"updated":1,"unchanged":0}""");
            AssertJson(result["links"]!, """{"created":2,"updated":1,"unchanged":0,"removed":1}""");
            AssertJson(result["rowResults"]!, """[{"line":2,"guardian":"updated","link":"updated"},{"line":3,"guardian":"created","link":"created"},{"line":5,"guardian":"created","link":"created"}]""");
            AssertJson(result["removedLinks"]!, """[{"line":2,"guardianExternalId":"OLD"}]""");
            Assert.That(await GuardiansOfAsync(full, school.Anna), Is.EqualTo(new[] { "N1 Vries, Marieke de true", "X Xander false" }));
            Assert.That(await GuardiansOfAsync(full, school.Bram), Is.EqualTo(new[] { "N1 Vries, Marieke de true" }));
            Assert.That(await GuardiansOfAsync(full, school.Cas), Is.EqualTo(new[] { "C Cor true" }), "a pupil the file does not name keeps their links");
        });

        // The removed and the changed link are histories: what they were stays on record.
        var history = await Factory.QueryAsync(db => db.Database.SqlQuery<string>($"""
            SELECT g.external_id || ' ' || coalesce(c.has_parental_authority::text, 'unlinked') AS "Value"
            FROM guardian_link_changes c JOIN guardians g ON g.id = c.guardian_id
            WHERE c.pupil_id = {school.Anna} ORDER BY c.id
            """).ToListAsync());
        Assert.That(history.Take(2), Is.EqualTo(new[] { "OLD true", "X true" }));
        Assert.That(history.Skip(2), Is.EquivalentTo(new[] { "OLD unlinked", "X false", "N1 true" }));
    }

    [Test]
    public async Task The_same_file_again_is_the_same_job_and_a_changed_file_finds_everything_unchanged_but_what_changed()
    {
        var school = await SchoolAsync();
        var full = school.Tenant.Full();
        var first = await ImportAsync(full, school.Tenant.SchoolId, Kind, DutchFile);

        var again = await SendUploadAsync(full, school.Tenant.SchoolId, Kind, DutchFile);
        Assert.That(again.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That((Guid?)(await again.ReadObjectAsync())["id"], Is.EqualTo((Guid?)first["id"]));

        var result = Succeeded(await ImportAsync(full, school.Tenant.SchoolId, Kind, Spreadsheet(
            "pupilExternalId,guardianExternalId,guardianDisplayName,hasParentalAuthority",
            "LL1,X,Xander,yes",
            "LL1,N1,\"Vries, Marieke de\",1")));
        AssertJson(result["links"]!, """{"created":0,"updated":1,"unchanged":1,"removed":0}""");
        AssertJson(result["guardians"]!, """{"created":0,"updated":0,"unchanged":2}""");
    }

    [Test]
    public async Task A_dry_run_reports_what_the_import_would_change_and_changes_nothing()
    {
        var school = await SchoolAsync();
        var full = school.Tenant.Full();
        var before = await StateOfAsync(Factory, school.Tenant.OrganisationId);

        var dryRun = await ImportAsync(full, school.Tenant.SchoolId, Kind, DutchFile, dryRun: true);

        Assert.That((bool?)dryRun["dryRun"], Is.True);
        Assert.That(await StateOfAsync(Factory, school.Tenant.OrganisationId), Is.EqualTo(before));
        var real = Succeeded(await ImportAsync(full, school.Tenant.SchoolId, Kind, DutchFile));
        Assert.That(JsonNode.DeepEquals(Succeeded(dryRun), real), Is.True, "the dry run reported what the real run did");
        Assert.That(await StateOfAsync(Factory, school.Tenant.OrganisationId), Is.Not.EqualTo(before));
    }

    [Test]
    public async Task Every_bad_row_is_named_by_its_line_and_cell_and_nothing_changes()
    {
        var school = await SchoolAsync();
        var full = school.Tenant.Full();
        var before = await StateOfAsync(Factory, school.Tenant.OrganisationId);

        var job = await ImportAsync(full, school.Tenant.SchoolId, Kind, Spreadsheet(
            "leerlingnummer;ouder id;naam ouder;gezag",
            "LL1;N1;Marieke;ja",
            "LL2;N2;Joost;misschien",
            "LL404;N1;Marieke;ja",
            "LL2;;Joost;nee",
            "LL2;N1;Mieke;ja",
            "LL9;N1;Marieke;ja"));

        Assert.That(ErrorsOf(job), Is.EqualTo(new[]
        {
            "3 D3 hasParentalAuthority: 'misschien' is not a yes or no; write ja/nee, yes/no, true/false, waar/onwaar or 1/0.",
            "5 B5 guardianExternalId: The guardianExternalId is empty.",
            "6 line 6 guardianDisplayName: The guardian 'N1' has another name on line 2.",
            "4 line 4 pupilExternalId: The school has no pupil 'LL404'.",
            "7 line 7 pupilExternalId: The school has no pupil 'LL9'.",
        }));
        Assert.That(await StateOfAsync(Factory, school.Tenant.OrganisationId), Is.EqualTo(before));
    }

    [Test]
    public async Task A_file_that_is_no_spreadsheet_of_guardians_fails_with_what_its_header_lacks()
    {
        var school = await SchoolAsync();
        var job = await ImportAsync(school.Tenant.Full(), school.Tenant.SchoolId, Kind, Spreadsheet("leerlingnummer;naam", "LL1;Anna"));
        Assert.That(ErrorsOf(job), Is.EqualTo(new[]
        {
            "1 B1 : Unknown column 'naam'; the columns are: pupilExternalId, guardianExternalId, guardianDisplayName, hasParentalAuthority.",
            "1 line 1 : The header lacks the column 'guardianExternalId' (or 'ouder id', 'ouderid', 'verzorger id', 'guardian id').",
            "1 line 1 : The header lacks the column 'guardianDisplayName' (or 'naam ouder', 'naam verzorger', 'ouder naam', 'guardian name').",
            "1 line 1 : The header lacks the column 'hasParentalAuthority' (or 'gezag', 'ouderlijk gezag', 'parental authority').",
        }));
    }

    [Test]
    public async Task The_example_file_in_the_docs_imports()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var pupils = new Dictionary<string, Guid>();
        foreach (var id in new[] { "LL1001", "LL1002", "LL1003" })
        {
            pupils[id] = await CreatePupilAsync(full, tenant.SchoolId, "Leerling", externalId: id);
        }

        var result = Succeeded(await ImportAsync(full, tenant.SchoolId, Kind, ExampleFile("guardians-example.csv")));

        AssertJson(result["links"]!, """{"created":6,"updated":0,"unchanged":0,"removed":0}""");
        AssertJson(result["guardians"]!, """{"created":5,"updated":0,"unchanged":0}""");
        Assert.That(await GuardiansOfAsync(full, pupils["LL1002"]), Is.EqualTo(new[] { "OV2003 Fatima El Amrani true", "OV2004 Bakker; Peter false" }));
        Assert.That(await GuardiansOfAsync(full, pupils["LL1003"]), Is.EqualTo(new[] { "OV2001 Marieke de Vries true", "OV2005 Anouk Jansen-Öztürk true" }));
    }
}
