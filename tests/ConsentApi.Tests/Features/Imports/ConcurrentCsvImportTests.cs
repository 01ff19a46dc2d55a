using System.Globalization;
using System.Net;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ConsentApi.Tests.Features.Imports.CsvImportSteps;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Imports;

/// <summary>
/// Many different paper-form files for the same pupils, uploaded at once to two instances (whose workers run jobs side by
/// side): each file's answers are recorded once, the latest answer decides, and sending a file again is the same job.
/// </summary>
public sealed class ConcurrentCsvImportTests : TwoInstanceTest
{
    private const int Pupils = 3;

    /// <summary>Writer <paramref name="index"/>'s client: every other one goes through the second instance.</summary>
    private HttpClient Writer(string apiKey, int index) => Writer(apiKey, index, instances: 2);

    /// <summary>File <paramref name="k"/>: every pupil's guardian answers photo on the website <paramref name="k"/> days after the
    /// first form, granted for an even and refused for an odd <paramref name="k"/>, with the form's own proof reference.</summary>
    private static byte[] FileOf(int k, int writers) => Spreadsheet([
        "pupilExternalId;guardianExternalId;mediaType;channel;outcome;dateGiven;proofReference",
        .. Enumerable.Range(0, Pupils).Select(p =>
            $"LL{p};OV{p};foto;website;{(k % 2 == 0 ? "ja" : "nee")};{LocalDay.Today.AddDays(k - writers - 1).ToString("d-M-yyyy", CultureInfo.InvariantCulture)};PF-{k}"),
    ]);

    [TestCase(2)]
    [TestCase(20)]
    public async Task Different_files_for_the_same_pupils_at_once_record_each_answer_once_and_the_latest_decides(int writers)
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website"]))["id"]!;
        await BackdateFormAsync(Factory, version, DateTimeOffset.UtcNow.AddDays(-writers - 10));
        var pupils = new List<Guid>();
        for (var p = 0; p < Pupils; p++)
        {
            pupils.Add(await CreatePupilAsync(full, tenant.SchoolId, "Sam de Boer", externalId: $"LL{p}"));
            await LinkAsync(full, pupils[^1], await CreateGuardianAsync(full, "Ouder", $"OV{p}"));
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var uploads = Enumerable.Range(0, writers).Select(async k =>
        {
            await start.Task;
            return await SendUploadAsync(Writer(tenant.FullKey, k), tenant.SchoolId, "consent-forms-csv", FileOf(k, writers));
        }).ToList();
        start.SetResult();
        var responses = await Task.WhenAll(uploads);
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Accepted));
        var jobs = new List<Guid>();
        foreach (var response in responses)
        {
            jobs.Add((Guid)(await response.ReadObjectAsync())["id"]!);
        }
        var finished = await Task.WhenAll(jobs.Select(id => FinishedAsync(full, id)));
        Assert.That(finished.Select(j => (string?)j["status"]), Is.All.EqualTo("succeeded"), string.Join("\n", finished.Select(j => j.ToJsonString())));

        var decisions = await Factory.QueryAsync(db => db.Decisions.AsNoTracking().Where(d => d.OrganisationId == tenant.OrganisationId)
            .Select(d => new { d.PupilId, d.ProofReference, d.BatchId }).ToListAsync());
        Assert.That(decisions, Has.Count.EqualTo(writers * Pupils), "every answer of every file, once");
        Assert.That(decisions.GroupBy(d => (d.PupilId, d.ProofReference)).Select(g => g.Count()), Is.All.EqualTo(1));
        Assert.That(decisions.Select(d => d.BatchId).Distinct().Count(), Is.EqualTo(writers * Pupils), "a receipt per pupil and form");
        var latest = (writers - 1) % 2 == 0 ? "granted" : "refused";
        foreach (var pupil in pupils)
        {
            var matrix = await GetAsync(full, $"/v1/pupils/{pupil}/consents");
            var item = matrix["items"]!.AsArray().Single(i => (string?)i!["mediaType"] == "photo" && (string?)i["channel"] == "website");
            Assert.That((string?)item!["state"], Is.EqualTo(latest), "the answer with the latest day decides");
        }

        // Sent again, each file is its job: nothing is recorded twice.
        var again = await Task.WhenAll(Enumerable.Range(0, writers)
            .Select(k => SendUploadAsync(Writer(tenant.FullKey, k), tenant.SchoolId, "consent-forms-csv", FileOf(k, writers))));
        Assert.That(again.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        var againIds = new List<Guid>();
        foreach (var response in again)
        {
            againIds.Add((Guid)(await response.ReadObjectAsync())["id"]!);
        }
        Assert.That(againIds, Is.EqualTo(jobs));
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.OrganisationId == tenant.OrganisationId)), Is.EqualTo(writers * Pupils));
    }
}
