using ConsentApi.Domain.Imports;
using ConsentApi.Features.Imports;
using ConsentApi.Tests.Features.Imports;
using ConsentApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ConsentApi.Tests.Features.Resilience;

/// <summary>
/// An import job whose own statement falls out of step (see <see cref="OutOfStepSteps"/>): the job is given back to the
/// queue, not failed, since the file is not at fault, and the next claim must run it on a replaced connection. Without the
/// connection being replaced, every claim would run on the same connection, fail the same way and give the job back
/// again, for ever. An import holds two connections at once (its run and its lease), so the fixture's pool holds two,
/// and both are put out of step.
/// </summary>
public sealed class OutOfStepImportTests : ApiTest
{
    private const int PoolSize = 2;

    // Which client uploaded the job is read for its run alone (the job's resource reads the whole row).
    private const string RunOnly = "SELECT i.organisation_id AS \"OrganisationId\", i.uploaded_by_client_id%";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Imports:PollInterval"] = "00:00:00.100",
    };

    protected override Task<string> CreateDatabaseAsync() => TestDatabase.CreateWithPoolOfAsync(PoolSize);

    [Test]
    public async Task A_job_given_back_after_its_connection_fell_out_of_step_runs_on_a_replaced_one()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        var imports = 0;
        async Task<ImportJobResponse> StartImportAsync()
        {
            var file = new EdexmlBuilder("10AB").WithGroup("G1", "Groep 1")
                .WithPupil($"P{++imports}", "Kim", $"Visser{imports}", "2017-02-02", "G1").ToBytes();
            return await ImportSteps.StartAsync(full, tenant.SchoolId, "edexml", file);
        }
        async Task ImportAsync()
        {
            var job = await ImportSteps.FinishedAsync(full, (await StartImportAsync()).Id);
            Assert.That(job.Status, Is.EqualTo(ImportStatus.Succeeded), ImportSteps.Describe(job));
        }

        var pids = await OutOfStepSteps.PutEveryConnectionOutOfStepAsync(
            Factory.Services.GetRequiredService<NpgsqlDataSource>(), PoolSize, RunOnly, ImportAsync);

        // Given back after each failure, the job would otherwise be claimed and fail again for ever.
        var job = await ImportSteps.FinishedAsync(full, (await StartImportAsync()).Id, OutOfStepSteps.Deadline);
        Assert.That(job.Status, Is.EqualTo(ImportStatus.Succeeded), ImportSteps.Describe(job));
        foreach (var pid in pids)
        {
            await OutOfStepSteps.WaitUntilClosedAsync(Factory.ConnectionString, pid);
        }
    }
}
