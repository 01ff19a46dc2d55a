using ConsentApi.Domain.Imports;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Imports;

/// <summary>Import jobs with several instances on one database: each job is claimed, run and applied once.</summary>
public sealed class ImportJobInstancesTests : ApiTest
{
    private static readonly Dictionary<string, string> Processing = new()
    {
        ["Imports:PollInterval"] = "00:00:00.100",
        ["Imports:LeaseDuration"] = "00:00:03",
    };

    /// <summary>The fixture's own app uploads and answers reads but processes nothing: each test says which instances do.</summary>
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["Imports:PollInterval"] = "00:00:00" };

    private ApiProcess? _child;

    [TearDown]
    public async Task StopChildAsync()
    {
        if (_child is not null)
        {
            await _child.DisposeAsync();
            _child = null;
        }
    }

    [Test]
    public async Task Two_instances_run_every_job_exactly_once()
    {
        const int jobs = 8;
        await using var first = new ConsentApiFactory(Factory.ConnectionString, Processing);
        await using var second = new ConsentApiFactory(Factory.ConnectionString, Processing);
        var tenant = await CreateTenantAsync();
        var clients = new[] { ClientOf(first, tenant.FullKey), ClientOf(second, tenant.FullKey) };
        var files = Enumerable.Range(0, jobs).Select(i => new EdexmlBuilder(i % 2 == 0 ? "10AB" : "11AB")
            .WithGroup("G1", "Groep 1").WithPupil($"P{i}", "Kim", $"Visser{i}", "2017-02-02", "G1").ToBytes()).ToList();

        var started = await Task.WhenAll(files.Select((file, i) =>
            ImportSteps.StartAsync(clients[i % 2], tenant.SchoolIds[i % 2], "edexml", file)));
        var finished = await Task.WhenAll(started.Select((job, i) => ImportSteps.FinishedAsync(clients[(i + 1) % 2], job.Id)));

        Assert.That(finished.Select(j => j.Status), Is.All.EqualTo(ImportStatus.Succeeded), string.Join("\n", finished.Select(ImportSteps.Describe)));
        var ids = started.Select(j => j.Id).ToList();
        var runs = await Factory.QueryAsync(db => db.AuditEvents
            .Where(a => a.OrganisationId == tenant.OrganisationId && a.Action == "RunImport").Select(a => a.ResourceId!.Value).ToListAsync());
        var syncs = await Factory.QueryAsync(db => db.OutboxEvents
            .CountAsync(e => e.OrganisationId == tenant.OrganisationId && e.Type == EventTypes.RosterSynced));
        var completions = await Factory.QueryAsync(db => db.OutboxEvents
            .CountAsync(e => e.OrganisationId == tenant.OrganisationId && e.Type == EventTypes.ImportCompleted));
        var attempts = await Factory.QueryAsync(db => db.ImportJobs.Where(j => ids.Contains(j.Id)).Select(j => j.Attempts).ToListAsync());
        Assert.Multiple(() =>
        {
            Assert.That(runs, Is.EquivalentTo(ids), "one applied run per job");
            Assert.That(syncs, Is.EqualTo(jobs), "one roster sync per job");
            Assert.That(completions, Is.EqualTo(jobs), "one import.completed per job");
            Assert.That(attempts, Is.All.EqualTo(1), "no job claimed twice");
        });
    }

    private static HttpClient ClientOf(ConsentApiFactory factory, string key)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    [Test]
    public async Task A_job_whose_instance_was_killed_mid_run_is_taken_over_and_applied_once()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var response = await ImportSteps.UploadAsync(client, tenant.SchoolId, "edexml", new GeneratedEdexmlContent("10AB", 20_000));
        var job = await response.ReadAsync<ConsentApi.Features.Imports.ImportJobResponse>();

        _child = ApiProcess.Start(Factory.ConnectionString, Processing);
        var deadline = DateTime.UtcNow + ImportSteps.JobTimeout;
        ConsentApi.Features.Imports.ImportJobResponse seen;
        do
        {
            await Task.Delay(20);
            seen = await (await client.GetAsync($"/v1/imports/{job.Id}")).ReadAsync<ConsentApi.Features.Imports.ImportJobResponse>();
        } while (seen.Status == ImportStatus.Queued && DateTime.UtcNow < deadline && !_child.Process.HasExited);
        Assert.That(seen.Status, Is.EqualTo(ImportStatus.Running), "the child process claimed the job");
        await _child.KillAsync();
        var afterKill = await (await client.GetAsync($"/v1/imports/{job.Id}")).ReadAsync<ConsentApi.Features.Imports.ImportJobResponse>();
        Assert.That(afterKill.Status, Is.EqualTo(ImportStatus.Running), "the kill came before the job committed");
        var pupilsAfterKill = await Factory.QueryAsync(db => db.Pupils.CountAsync(p => p.SchoolId == tenant.SchoolId));

        // Another instance takes the job over once the killed process's lease has run out.
        await using var takeOver = new ConsentApiFactory(Factory.ConnectionString, Processing);
        _ = takeOver.Server;
        var done = await ImportSteps.FinishedAsync(tenant.Full(), job.Id);

        Assert.That(done.Status, Is.EqualTo(ImportStatus.Succeeded), ImportSteps.Describe(done));
        var attempts = await Factory.QueryAsync(db => db.ImportJobs.Where(j => j.Id == job.Id).Select(j => j.Attempts).SingleAsync());
        var syncs = await Factory.QueryAsync(db => db.OutboxEvents
            .CountAsync(e => e.OrganisationId == tenant.OrganisationId && e.Type == EventTypes.RosterSynced));
        var pupils = await Factory.QueryAsync(db => db.Pupils.CountAsync(p => p.SchoolId == tenant.SchoolId));
        Assert.Multiple(() =>
        {
            Assert.That(pupilsAfterKill, Is.Zero, "the killed run left nothing");
            Assert.That(attempts, Is.EqualTo(2), "claimed by the killed process, then by the one that took over");
            Assert.That(syncs, Is.EqualTo(1), "applied once");
            Assert.That(pupils, Is.EqualTo(20_000));
        });
    }
}
