using System.Net;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Resilience;

/// <summary>
/// A pooled connection whose prepared statements the server no longer has: Npgsql still believes them prepared, so every
/// use of them on that connection fails (26000) until the connection is dropped. The fixture's pool holds one connection,
/// so the one the test puts out of step (<see cref="OutOfStepSteps"/>) is the one the next request draws.
/// </summary>
public sealed class OutOfStepConnectionTests : ApiTest
{
    private const string Item = "photo:website";

    // Nothing but the test's requests uses the pool: the import worker's polls would draw the connection too.
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Imports:PollInterval"] = "00:00:00",
    };

    protected override Task<string> CreateDatabaseAsync() => TestDatabase.CreateWithOneConnectionAsync();

    private Tenant _tenant = null!;
    private HttpClient _full = null!;
    private Guid _versionId;

    [OneTimeSetUp]
    public async Task CreateFormAsync()
    {
        _tenant = await CreateTenantAsync();
        _full = _tenant.Full();
        _versionId = (Guid)(await PublishFormAsync(_tenant.Admin(), [Item]))["id"]!;
    }

    private Task PutTheConnectionOutOfStepAsync() =>
        OutOfStepSteps.PutOutOfStepAsync(Factory.Services.GetRequiredService<NpgsqlDataSource>());

    private static async Task AssertReplacedAsync(HttpResponseMessage response)
    {
        var problem = await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)), "sent again a second later");
        Assert.That((string?)problem["detail"], Does.Contain("replaced"));
    }

    [Test]
    public async Task A_read_on_a_connection_out_of_step_fails_once_and_every_later_read_is_answered()
    {
        var (pupilId, guardianId) = await FamilyAsync(_full, _tenant.SchoolId);
        await DecideAsync(_full, pupilId, _versionId, guardianId, "granted", [Item]);
        var path = $"/v1/pupils/{pupilId}/consents";
        for (var i = 0; i < 3; i++)
        {
            (await _full.GetAsync(path)).EnsureSuccessStatusCode(); // prepared on its second use
        }

        await PutTheConnectionOutOfStepAsync();

        await AssertReplacedAsync(await _full.GetAsync(path));
        for (var i = 0; i < 5; i++)
        {
            var matrix = await GetAsync(_full, path);
            Assert.That(matrix["items"]!.AsArray().Any(c => (string?)c!["state"] == "granted"), Is.True, $"read {i + 1} after the failure");
        }
    }

    [Test]
    public async Task A_decision_on_a_connection_out_of_step_writes_nothing_and_is_recorded_when_sent_again()
    {
        var (pupilId, guardianId) = await FamilyAsync(_full, _tenant.SchoolId);
        for (var i = 0; i < 3; i++)
        {
            await DecideAsync(_full, pupilId, _versionId, guardianId, i % 2 == 0 ? "granted" : "refused", [Item]);
        }
        Task<int> DecisionsAsync() => Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == pupilId));
        Assert.That(await DecisionsAsync(), Is.EqualTo(3));

        await PutTheConnectionOutOfStepAsync();

        await AssertReplacedAsync(await SendDecisionsAsync(_full, pupilId, _versionId, guardianId, [$"{Item}=refused"]));
        Assert.That(await DecisionsAsync(), Is.EqualTo(3), "the failed request wrote nothing");

        await DecideAsync(_full, pupilId, _versionId, guardianId, "refused", [Item]);
        Assert.That(await DecisionsAsync(), Is.EqualTo(4), "the request sent again is recorded");
    }
}
