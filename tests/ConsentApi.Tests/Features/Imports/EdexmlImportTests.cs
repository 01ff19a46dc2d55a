using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain;
using ConsentApi.Domain.Imports;
using ConsentApi.Features.Imports;
using ConsentApi.Features.Roster;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Features.Publications;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Imports;

public sealed class EdexmlImportTests : ApiTest
{
    private const string Brin = "10AB";

    /// <summary>A school with a JSON-synced roster: group G5, pupils LL1 and LL2 (LL1 linked to two guardians).</summary>
    private async Task<Tenant> SchoolWithRosterAsync()
    {
        var tenant = await CreateTenantAsync();
        var sync = await tenant.Full().PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", new
        {
            groups = new[] { new { externalId = "G5", name = "Groep 5", schoolYear = "2026-2027" } },
            pupils = new object[]
            {
                new { externalId = "LL1", displayName = "Sanne de Vries", dateOfBirth = "2017-03-14", groupExternalId = "G5",
                    guardians = new[] { new { externalId = "OV1", hasParentalAuthority = true }, new { externalId = "OV2", hasParentalAuthority = false } } },
                new { externalId = "LL2", displayName = "Daan Jansen", dateOfBirth = "2017-05-01", groupExternalId = "G5", guardians = Array.Empty<object>() },
            },
            guardians = new[] { new { externalId = "OV1", displayName = "Marieke de Vries" }, new { externalId = "OV2", displayName = "Joost de Vries" } },
        });
        Assert.That(sync.StatusCode, Is.EqualTo(HttpStatusCode.OK), await sync.Content.ReadAsStringAsync());
        return tenant;
    }

    /// <summary>LL1 moves to a new group 6 and is renamed, LL3 joins, LL2 is not in the file.</summary>
    private static EdexmlBuilder NextYear() => new EdexmlBuilder(Brin)
        .WithGroup("G5", "Groep 5")
        .WithGroup("G6", "Groep 6a")
        .WithPupil("LL1", "Sanne", "Vries", "2017-03-14", "G6", prefix: "de")
        .WithPupil("LL3", "Noor", "Bakker", "2018-01-09", "G5");

    private Task<List<string>> PupilsAsync(Guid schoolId) => Factory.QueryAsync(db =>
        (from p in db.Pupils
         join g in db.Groups on p.GroupId equals g.Id into groups
         from g in groups.DefaultIfEmpty()
         where p.SchoolId == schoolId
         orderby p.ExternalId
         select p.ExternalId + " " + p.DisplayName + " " + p.DateOfBirth + " " + (g == null ? "-" : g.ExternalId) + " " + p.Status)
        .ToListAsync());

    private Task<List<string>> LinksAsync(Guid schoolId) => Factory.QueryAsync(db =>
        (from l in db.GuardianLinks
         join p in db.Pupils on l.PupilId equals p.Id
         join g in db.Guardians on l.GuardianId equals g.Id
         where p.SchoolId == schoolId
         orderby p.ExternalId, g.ExternalId
         select p.ExternalId + "->" + g.ExternalId + ":" + l.HasParentalAuthority)
        .ToListAsync());

    /// <summary>Everything an import could change in the school, as text, for before/after comparisons.</summary>
    private async Task<List<string>> SnapshotAsync(Guid schoolId) =>
    [
        .. await PupilsAsync(schoolId),
        .. await LinksAsync(schoolId),
        .. await Factory.QueryAsync(db => db.Groups.Where(g => g.SchoolId == schoolId).OrderBy(g => g.ExternalId)
            .Select(g => g.ExternalId + " " + g.Name + " " + g.SchoolYear).ToListAsync()),
        .. await Factory.QueryAsync(db => db.OutboxEvents.Where(e => e.SchoolId == schoolId && e.Type == EventTypes.RosterSynced)
            .Select(e => e.Id.ToString()).ToListAsync()),
    ];

    [Test]
    public async Task An_edexml_file_syncs_groups_and_pupils_and_keeps_the_guardian_links()
    {
        var tenant = await SchoolWithRosterAsync();
        var linksBefore = await LinksAsync(tenant.SchoolId);

        var job = await ImportSteps.ImportAsync(tenant.Full(), tenant.SchoolId, "edexml", NextYear().ToBytes());

        Assert.That(job.Status, Is.EqualTo(ImportStatus.Succeeded), ImportSteps.Describe(job));
        Assert.Multiple(async () =>
        {
            Assert.That(await PupilsAsync(tenant.SchoolId), Is.EqualTo(new[]
            {
                "LL1 Sanne de Vries 2017-03-14 G6 Active",
                "LL2 Daan Jansen 2017-05-01 G5 Left",
                "LL3 Noor Bakker 2018-01-09 G5 Active",
            }));
            Assert.That(await LinksAsync(tenant.SchoolId), Is.EqualTo(linksBefore).And.Count.EqualTo(2));
            Assert.That(job.Kind, Is.EqualTo(ImportKind.Edexml));
            Assert.That(job.Progress, Is.EqualTo(new ImportProgressResponse(2, 2)));
            Assert.That(job.ErrorCount, Is.Zero);
            Assert.That(job.FinishedAt, Is.Not.Null);
        });
        var result = job.Result!.Roster!;
        Assert.Multiple(() =>
        {
            Assert.That(result.Groups, Is.EqualTo(new RosterCounts(1, 0, 1)));
            Assert.That(result.Pupils, Is.EqualTo(new PupilRosterCounts(1, 1, 1, 0)));
            Assert.That(result.Guardians, Is.EqualTo(new RosterCounts(0, 0, 0)));
            Assert.That(result.GuardianLinks, Is.EqualTo(new LinkRosterCounts(0, 0, 0)));
        });

        var events = await PublishingSteps.EventsAsync(Factory, tenant.OrganisationId);
        var completed = events.Where(e => e.Type == EventTypes.ImportCompleted).ToList();
        Assert.That(completed, Has.Count.EqualTo(1));
        var data = PublishingSteps.PayloadOf(completed[0])["data"]!;
        Assert.Multiple(() =>
        {
            Assert.That((Guid)data["importId"]!, Is.EqualTo(job.Id));
            Assert.That((string?)data["kind"], Is.EqualTo("edexml"));
            Assert.That((string?)data["status"], Is.EqualTo("succeeded"));
        });
        var audit = await Factory.QueryAsync(db => db.AuditEvents.Where(a => a.OrganisationId == tenant.OrganisationId)
            .OrderBy(a => a.OccurredAt).Select(a => a.Action).ToListAsync());
        Assert.That(audit, Does.Contain("SyncRoster").And.Contain("RunImport").And.Contain("UploadImport"));
        Assert.That(await Factory.QueryAsync(db => db.ImportFiles.CountAsync(f => f.ImportJobId == job.Id)), Is.Zero,
            "the file, personal data, is not kept past its job");
    }

    [Test]
    public async Task The_same_file_sent_again_answers_the_same_job_and_changes_nothing_more()
    {
        var tenant = await SchoolWithRosterAsync();
        var file = NextYear().ToBytes();
        var first = await ImportSteps.ImportAsync(tenant.Full(), tenant.SchoolId, "edexml", file);
        Assert.That(first.Status, Is.EqualTo(ImportStatus.Succeeded), ImportSteps.Describe(first));
        var before = await SnapshotAsync(tenant.SchoolId);

        var again = await ImportSteps.UploadAsync(tenant.Full(), tenant.SchoolId, "edexml", file, "text/xml; charset=utf-8");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), await again.Content.ReadAsStringAsync());
        Assert.That((await again.ReadAsync<ImportJobResponse>()).Id, Is.EqualTo(first.Id));

        // A dry run of the same file is another purpose, so another job.
        var dryRun = await ImportSteps.ImportAsync(tenant.Full(), tenant.SchoolId, "edexml", file, dryRun: true);
        Assert.That(dryRun.Id, Is.Not.EqualTo(first.Id));

        var list = await (await tenant.Full().GetAsync($"/v1/schools/{tenant.SchoolId}/imports")).ReadAsync<Page<ImportJobResponse>>();
        Assert.That(list.Items.Select(j => j.Id), Is.EqualTo(new[] { first.Id, dryRun.Id }));
        Assert.That(await SnapshotAsync(tenant.SchoolId), Is.EqualTo(before));
    }

    [Test]
    public async Task Twenty_uploads_of_one_file_at_once_make_one_job()
    {
        var tenant = await SchoolWithRosterAsync();
        var file = NextYear().ToBytes();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            ImportSteps.UploadAsync(tenant.Full(), tenant.SchoolId, "edexml", file)));

        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Accepted), Is.EqualTo(1));
        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.OK), Is.EqualTo(19));
        var ids = new HashSet<Guid>();
        foreach (var answer in answers)
        {
            ids.Add((await answer.ReadAsync<ImportJobResponse>()).Id);
        }
        Assert.That(ids, Has.Count.EqualTo(1));
        var job = await ImportSteps.FinishedAsync(tenant.Full(), ids.Single());
        Assert.That(job.Status, Is.EqualTo(ImportStatus.Succeeded), ImportSteps.Describe(job));
        Assert.That(await Factory.QueryAsync(db => db.ImportJobs.CountAsync(j => j.SchoolId == tenant.SchoolId)), Is.EqualTo(1));
    }

    [Test]
    public async Task Two_different_files_at_once_are_both_applied_one_after_the_other()
    {
        var tenant = await SchoolWithRosterAsync();
        var withNoor = NextYear();
        var withFenna = NextYear().WithPupil("LL4", "Fenna", "Smit", "2018-02-02", "G6");
        var jobs = await Task.WhenAll(
            ImportSteps.StartAsync(tenant.Full(), tenant.SchoolId, "edexml", withNoor.ToBytes()),
            ImportSteps.StartAsync(tenant.Full(), tenant.SchoolId, "edexml", withFenna.ToBytes()));
        var finished = await Task.WhenAll(jobs.Select(j => ImportSteps.FinishedAsync(tenant.Full(), j.Id)));

        Assert.That(finished.Select(j => j.Status), Is.All.EqualTo(ImportStatus.Succeeded));
        // Processed in upload order: the later job's file is the roster now.
        var last = finished.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id == jobs[1].Id).Last();
        var pupils = await PupilsAsync(tenant.SchoolId);
        Assert.That(pupils.Count(p => p.EndsWith("Active", StringComparison.Ordinal)), Is.EqualTo(last.Id == jobs[1].Id ? 3 : 2));
    }

    // Each case names the text on the faulty line, the path reported and a part of the message.
    [TestCase("broken-xml", "<leerling key=\"LL1\">", "/EDEX/groepen/groep[2]", "not well-formed")]
    [TestCase("missing-key", "<leerling>", "/EDEX/leerlingen/leerling[2]", "key attribute")]
    [TestCase("bad-date", "09-01-2018", "/EDEX/leerlingen/leerling[2]/geboortedatum", "not a date")]
    [TestCase("missing-date", "<leerling key=\"LL3\">", "/EDEX/leerlingen/leerling[2]/geboortedatum", "date of birth is missing")]
    [TestCase("unknown-group", "<groep key=\"G9\"/>", "/EDEX/leerlingen/leerling[2]/groep", "no group with key 'G9'")]
    [TestCase("wrong-brin", "<brincode>", "/EDEX/school/brincode", "99ZZ")]
    [TestCase("not-edex", "<LEERLINGEN ", "/", "not <EDEX>")]
    public async Task A_malformed_file_fails_naming_the_line_and_the_place_and_changes_nothing(
        string defect, string lineText, string path, string message)
    {
        var tenant = await SchoolWithRosterAsync();
        var before = await SnapshotAsync(tenant.SchoolId);
        var file = Malformed(defect);
        var lines = System.Text.Encoding.UTF8.GetString(file).Split('\n');
        var line = Array.FindIndex(lines, l => l.Contains(lineText, StringComparison.Ordinal)) + 1;
        Assert.That(line, Is.GreaterThan(0), "the faulty line is in the file");

        var job = await ImportSteps.ImportAsync(tenant.Full(), tenant.SchoolId, "edexml", file);

        Assert.That(job.Status, Is.EqualTo(ImportStatus.Failed), ImportSteps.Describe(job));
        Assert.That(job.Errors, Has.Some.Matches<ImportErrorResponse>(e => e.Line == line && e.Path == path && e.Message.Contains(message)),
            ImportSteps.Describe(job));
        Assert.That(job.ErrorCount, Is.EqualTo(job.Errors.Count).And.GreaterThan(0));
        Assert.That(job.Result, Is.Null);
        Assert.That(await SnapshotAsync(tenant.SchoolId), Is.EqualTo(before));
        Assert.That(await Factory.QueryAsync(db => db.ImportFiles.CountAsync(f => f.ImportJobId == job.Id)), Is.Zero);
        var events = await PublishingSteps.EventsAsync(Factory, tenant.OrganisationId);
        Assert.That(events.Count(e => e.Type == EventTypes.ImportFailed), Is.EqualTo(1));
    }

    /// <summary>The <see cref="NextYear"/> file with one defect; the line numbers in the test cases are this file's.</summary>
    private static byte[] Malformed(string defect)
    {
        var text = defect switch
        {
            "wrong-brin" => new EdexmlBuilder("99ZZ").WithGroup("G5", "Groep 5").WithPupil("LL1", "Sanne", "Vries", "2017-03-14", "G5").ToString(),
            "missing-date" => new EdexmlBuilder(Brin).WithGroup("G5", "Groep 5")
                .WithPupil("LL1", "Sanne", "Vries", "2017-03-14", "G5").WithPupil("LL3", "Noor", "Bakker", null, "G5").ToString(),
            _ => NextYear().ToString(),
        };
        text = defect switch
        {
            "broken-xml" => text.Replace("<leerlingen>", "<leerlingen", StringComparison.Ordinal),
            "missing-key" => text.Replace("<leerling key=\"LL3\">", "<leerling>", StringComparison.Ordinal),
            "bad-date" => text.Replace("2018-01-09", "09-01-2018", StringComparison.Ordinal),
            "unknown-group" => text.Replace("<groep key=\"G5\"/>\n    </leerling>\n  </leerlingen>", "<groep key=\"G9\"/>\n    </leerling>\n  </leerlingen>", StringComparison.Ordinal),
            "not-edex" => text.Replace("<EDEX ", "<LEERLINGEN ", StringComparison.Ordinal).Replace("</EDEX>", "</LEERLINGEN>", StringComparison.Ordinal),
            _ => text,
        };
        return System.Text.Encoding.UTF8.GetBytes(text);
    }

    [Test]
    public async Task A_dry_run_reports_what_would_change_and_changes_nothing()
    {
        var tenant = await SchoolWithRosterAsync();
        var before = await SnapshotAsync(tenant.SchoolId);
        var auditBefore = await Factory.QueryAsync(db => db.AuditEvents.CountAsync(a => a.OrganisationId == tenant.OrganisationId));

        var job = await ImportSteps.ImportAsync(tenant.Full(), tenant.SchoolId, "edexml", NextYear().ToBytes(), dryRun: true);

        Assert.That(job.Status, Is.EqualTo(ImportStatus.Succeeded), ImportSteps.Describe(job));
        Assert.That(job.DryRun, Is.True);
        var result = job.Result!.Roster!;
        Assert.That(result.Pupils, Is.EqualTo(new PupilRosterCounts(1, 1, 1, 0)));
        Assert.That(await SnapshotAsync(tenant.SchoolId), Is.EqualTo(before));
        // Only the upload and the job's end are on record; the sync the dry run made was rolled back with its audit event.
        var audit = await Factory.QueryAsync(db => db.AuditEvents.Where(a => a.OrganisationId == tenant.OrganisationId)
            .OrderBy(a => a.OccurredAt).Skip(auditBefore).Select(a => a.Action).ToListAsync());
        Assert.That(audit, Is.EquivalentTo(new[] { "UploadImport", "CloseImport" }));
    }

    [Test]
    public async Task Uploads_are_refused_before_a_job_exists_when_the_request_is_wrong()
    {
        var tenant = await SchoolWithRosterAsync();
        var file = NextYear().ToBytes();
        var full = tenant.Full();

        await AssertProblemAsync(await ImportSteps.UploadAsync(full, tenant.SchoolId, "edexml", file, "application/json"),
            HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await AssertProblemAsync(await ImportSteps.UploadAsync(full, tenant.SchoolId, "edexml", []), HttpStatusCode.BadRequest, "validation");
        await AssertProblemAsync(await ImportSteps.UploadAsync(full, tenant.SchoolId, "spreadsheet", file), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await ImportSteps.UploadAsync(full, Guid.NewGuid(), "edexml", file), HttpStatusCode.NotFound, "not-found");
        var tooLarge = new ByteArrayContent(file);
        tooLarge.Headers.ContentLength = UploadImportEndpoint.MaxBytes + 1;
        await AssertProblemAsync(await ImportSteps.UploadAsync(full, tenant.SchoolId, "edexml", tooLarge), HttpStatusCode.RequestEntityTooLarge,
            "payload-too-large");
        var readOnly = await tenant.ClientWithAsync([Scopes.RosterRead]);
        await AssertProblemAsync(await ImportSteps.UploadAsync(readOnly, tenant.SchoolId, "edexml", file), HttpStatusCode.Forbidden, "forbidden");

        Assert.That(await Factory.QueryAsync(db => db.ImportJobs.CountAsync(j => j.OrganisationId == tenant.OrganisationId)), Is.Zero);
    }

    [Test]
    public async Task Another_tenants_or_schools_job_is_not_found()
    {
        var tenant = await SchoolWithRosterAsync();
        var job = await ImportSteps.ImportAsync(tenant.Full(), tenant.SchoolId, "edexml", NextYear().ToBytes());
        var other = await CreateTenantAsync();
        var otherSchool = await tenant.ClientWithAsync([Scopes.RosterRead, Scopes.RosterWrite], [tenant.SchoolIds[1]]);

        await AssertProblemAsync(await other.Full().GetAsync($"/v1/imports/{job.Id}"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await otherSchool.GetAsync($"/v1/imports/{job.Id}"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await otherSchool.GetAsync($"/v1/schools/{tenant.SchoolId}/imports"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await ImportSteps.UploadAsync(otherSchool, tenant.SchoolId, "edexml", NextYear().ToBytes()),
            HttpStatusCode.NotFound, "not-found");
        var sameSchool = await tenant.ClientWithAsync([Scopes.RosterRead], [tenant.SchoolId]);
        Assert.That((await sameSchool.GetAsync($"/v1/imports/{job.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_example_file_in_the_docs_imports()
    {
        var tenant = await CreateTenantAsync(1);
        var school = await (await tenant.Admin().PostAsJsonAsync("/v1/schools", new { name = "OBS Voorbeeld", brinCode = "99ZZ" }))
            .ReadAsync<ConsentApi.Features.Schools.SchoolResponse>();
        var file = await File.ReadAllBytesAsync(Path.Combine(ApiProcess.RepositoryRoot(), "docs", "examples", "edexml-example.xml"));

        var job = await ImportSteps.ImportAsync(tenant.Full(), school.Id, "edexml", file);

        Assert.That(job.Status, Is.EqualTo(ImportStatus.Succeeded), ImportSteps.Describe(job));
        Assert.That(await PupilsAsync(school.Id), Is.EqualTo(new[]
        {
            "LL1001 Sanne de Vries 2018-03-14 G5B Active",
            "LL1002 Daan Jansen 2018-11-02 G5B Active",
            "LL1003 Elif Yilmaz 2021-06-30 G1-2A Active",
        }));
    }

    [Test]
    public async Task The_list_pages_in_upload_order()
    {
        var tenant = await SchoolWithRosterAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await ImportSteps.ImportAsync(tenant.Full(), tenant.SchoolId, "edexml",
                NextYear().WithPupil($"X{i}", "Kim", "Visser", "2016-06-06", "G5").ToBytes(), dryRun: true)).Id);
        }
        var first = await (await tenant.Full().GetAsync($"/v1/schools/{tenant.SchoolId}/imports?limit=2")).ReadAsync<Page<ImportJobResponse>>();
        var second = await (await tenant.Full().GetAsync($"/v1/schools/{tenant.SchoolId}/imports?limit=2&cursor={first.NextCursor}"))
            .ReadAsync<Page<ImportJobResponse>>();
        Assert.That(first.Items.Concat(second.Items).Select(j => j.Id), Is.EqualTo(ids));
        Assert.That(second.NextCursor, Is.Null);
    }
}
