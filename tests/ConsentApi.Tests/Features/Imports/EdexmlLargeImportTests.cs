using System.Globalization;
using ConsentApi.Domain.Imports;
using ConsentApi.Features.Imports;
using ConsentApi.Features.Roster;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Imports;

/// <summary>A school-board-sized EDEXML file: 20,000 pupils, streamed in and out, with the memory it took.</summary>
public sealed class EdexmlLargeImportTests : ApiTest
{
    private const int Pupils = 20_000;

    [Test]
    public async Task A_twenty_thousand_pupil_file_imports_with_bounded_memory()
    {
        var tenant = await CreateTenantAsync(1);
        var baseline = PeakResidentBytes(reset: true);

        var response = await ImportSteps.UploadAsync(tenant.Full(), tenant.SchoolId, "edexml", new GeneratedEdexmlContent("10AB", Pupils));
        var job = await ImportSteps.FinishedAsync(tenant.Full(), (await response.ReadAsync<ImportJobResponse>()).Id);
        var peak = PeakResidentBytes(reset: false);

        Assert.That(job.Status, Is.EqualTo(ImportStatus.Succeeded), ImportSteps.Describe(job));
        var result = job.Result!.Roster!;
        Assert.Multiple(async () =>
        {
            Assert.That(result.Pupils, Is.EqualTo(new PupilRosterCounts(Pupils, 0, 0, 0)));
            Assert.That(result.Groups, Is.EqualTo(new RosterCounts(GeneratedEdexmlContent.GroupCount, 0, 0)));
            Assert.That(job.Progress, Is.EqualTo(new ImportProgressResponse(Pupils, Pupils)));
            Assert.That(await Factory.QueryAsync(db => db.Pupils.CountAsync(p => p.SchoolId == tenant.SchoolId)), Is.EqualTo(Pupils));
        });
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Pupils} pupils, file {job.Size / 1024.0 / 1024.0:0.0} MiB: peak RSS of the test process (app in process) " +
            $"{peak / 1024.0 / 1024.0:0} MiB, resident before the upload {baseline / 1024.0 / 1024.0:0} MiB, " +
            $"{(job.FinishedAt - job.StartedAt)?.TotalSeconds:0.0} s from claim to commit"));
        // Generous: the roster of 20,000 pupils and the change tracker's chunks, not the file, are what the job holds.
        Assert.That(peak - baseline, Is.LessThan(1024L * 1024 * 1024), "the import's growth of the peak RSS");
    }

    /// <summary>
    /// The process's peak resident set (VmHWM). With <paramref name="reset"/> the peak is first set back to the current
    /// resident set (writing 5 to /proc/self/clear_refs), so that what follows measures only what comes after.
    /// </summary>
    private static long PeakResidentBytes(bool reset)
    {
        if (reset)
        {
            GC.Collect();
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(reset ? "VmRSS:" : "VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
