using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Imports;

/// <summary>Uploading CSV files as a school's spreadsheet saves them, and waiting for their jobs.</summary>
public static class CsvImportSteps
{
    /// <summary>A file as Excel's "CSV UTF-8 (puntkomma)" writes it: byte order mark, semicolons, CRLF.</summary>
    public static byte[] Spreadsheet(params string[] lines) =>
        [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\r\n")))];

    /// <summary>The docs' example file of that name, exactly as committed.</summary>
    public static byte[] ExampleFile(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ConsentApi.sln")))
        {
            directory = directory.Parent;
        }
        return File.ReadAllBytes(Path.Combine(directory!.FullName, "docs", "examples", name));
    }

    public static Task<HttpResponseMessage> SendUploadAsync(HttpClient client, Guid schoolId, string kind, byte[] file, bool dryRun = false) =>
        ImportSteps.UploadAsync(client, schoolId, kind, file, "text/csv", dryRun);

    /// <summary>Uploads the file (expecting a new job) and waits for its job to end; returns the job.</summary>
    public static async Task<JsonObject> ImportAsync(HttpClient client, Guid schoolId, string kind, byte[] file, bool dryRun = false)
    {
        var response = await SendUploadAsync(client, schoolId, kind, file, dryRun);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return await FinishedAsync(client, (Guid)(await response.ReadObjectAsync())["id"]!);
    }

    /// <summary>The job once it has ended, as JSON: its result is what a CSV import reports.</summary>
    public static async Task<JsonObject> FinishedAsync(HttpClient client, Guid importId)
    {
        await ImportSteps.FinishedAsync(client, importId);
        return await (await client.GetAsync($"/v1/imports/{importId}")).ReadObjectAsync();
    }

    /// <summary>The result's JSON equals <paramref name="expected"/>, whatever the order of its members (jsonb keeps none).</summary>
    public static void AssertJson(JsonNode? actual, string expected) =>
        Assert.That(JsonNode.DeepEquals(actual, JsonNode.Parse(expected)), Is.True, $"expected {expected}, was {actual?.ToJsonString()}");

    public static JsonObject Succeeded(JsonObject job)
    {
        Assert.That((string?)job["status"], Is.EqualTo("succeeded"), job.ToJsonString());
        // The result is under the member named for the job's kind; the others are absent or null.
        var result = job["result"]!.AsObject();
        Assert.That(result.Where(m => m.Value is not null).Select(m => m.Key).ToList(),
            Is.EqualTo(new[] { (string?)job["kind"] == "guardians-csv" ? "guardians" : "consentForms" }), result.ToJsonString());
        return result.Single(m => m.Value is not null).Value!.AsObject();
    }

    /// <summary>The job's errors as "line path field: message".</summary>
    public static string[] ErrorsOf(JsonObject job)
    {
        Assert.That((string?)job["status"], Is.EqualTo("failed"), job.ToJsonString());
        return [.. job["errors"]!.AsArray().Select(e => $"{(int?)e!["line"]} {(string?)e["path"]} {(string?)e["field"]}: {(string?)e["message"]}")];
    }

    /// <summary>What the organisation's consent and guardians rest on, row for row: equal before and after means nothing changed.</summary>
    public static Task<string> StateOfAsync(ConsentApiFactory factory, Guid organisationId) =>
        factory.QueryAsync(async db =>
        {
            var guardians = await db.Guardians.AsNoTracking().Where(g => g.OrganisationId == organisationId)
                .OrderBy(g => g.ExternalId).Select(g => $"{g.Id} {g.ExternalId} {g.DisplayName}").ToListAsync();
            var known = await db.GuardianSchools.AsNoTracking().Where(k => db.Guardians.Any(g => g.Id == k.GuardianId && g.OrganisationId == organisationId))
                .Select(k => $"{k.GuardianId} {k.SchoolId} {k.DisplayName}").ToListAsync();
            var links = await db.GuardianLinks.AsNoTracking().Where(l => db.Pupils.Any(p => p.Id == l.PupilId && p.OrganisationId == organisationId))
                .Select(l => $"{l.PupilId} {l.GuardianId} {l.HasParentalAuthority}").ToListAsync();
            var linkHistory = await db.Database.SqlQuery<long>($"""
                SELECT count(*) AS "Value" FROM guardian_link_changes c JOIN pupils p ON p.id = c.pupil_id WHERE p.organisation_id = {organisationId}
                """).SingleAsync();
            var decisions = await db.Decisions.AsNoTracking().Where(d => d.OrganisationId == organisationId)
                .Select(d => $"{d.Id} {d.PupilId} {d.Outcome} {d.GivenAt:O}").ToListAsync();
            var events = await db.OutboxEvents.AsNoTracking().Where(e => e.OrganisationId == organisationId && e.Type != "import.completed"
                    && e.Type != "import.failed")
                .Select(e => $"{e.Type} {e.Payload}").ToListAsync();
            var takedowns = await db.Takedowns.CountAsync(t => t.OrganisationId == organisationId);
            return string.Join("\n", [.. guardians, .. known.Order(), .. links.Order(), $"link history {linkHistory}", .. decisions.Order(),
                .. events.Order(), $"takedowns {takedowns}"]);
        });
}
