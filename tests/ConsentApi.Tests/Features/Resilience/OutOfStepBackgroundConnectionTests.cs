using ConsentApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ConsentApi.Tests.Features.Resilience;

/// <summary>
/// The background services take a connection out of step out of the pool as requests do (see
/// <see cref="OutOfStepConnectionTests"/>): with no request coming, a job whose every run failed on it would otherwise keep
/// failing. Each fixture runs one service every 100 ms on a pool of one connection; the test puts that connection out of
/// step once the service has prepared its statements on it, and waits for the connection to be closed.
/// </summary>
[TestFixture("Idempotency:PurgeInterval")]
[TestFixture("Webhooks:PollInterval")]
[TestFixture("Imports:PollInterval")]
public sealed class OutOfStepBackgroundConnectionTests(string intervalSetting) : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Imports:PollInterval"] = "00:00:00",
        [intervalSetting] = "00:00:00.100",
    };

    protected override Task<string> CreateDatabaseAsync() => TestDatabase.CreateWithOneConnectionAsync();

    [Test]
    public async Task A_service_whose_connection_fell_out_of_step_has_it_closed()
    {
        var pid = await OutOfStepSteps.PutOutOfStepAsync(Factory.Services.GetRequiredService<NpgsqlDataSource>());
        await OutOfStepSteps.WaitUntilClosedAsync(Factory.ConnectionString, pid);
    }
}
