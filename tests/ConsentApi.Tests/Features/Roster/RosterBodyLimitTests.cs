using System.Net;
using System.Net.Http.Json;
using System.Text;
using ConsentApi.Features.Pupils;
using ConsentApi.Features.Roster;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Tests.Infrastructure;
using Npgsql;

namespace ConsentApi.Tests.Features.Roster;

/// <summary>
/// A roster list over its limit is refused while the body is still being read, so one request cannot make the API
/// build hundreds of thousands of pupils before saying no. Fixtures run one at a time, so the allocation figure is the
/// request's own (plus a little background work).
/// </summary>
public sealed class RosterBodyLimitTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["ConcurrencyGates:Wait"] = "00:00:01",
    };

    private static string Pupil(int i) => $$"""{"externalId":"P{{i:D6}}","displayName":"L","dateOfBirth":"2016-03-01"}""";

    private static ByteArrayContent Json(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new("application/json");
        return content;
    }

    private static string Roster(int pupils, string groups = "", string guardians = "") =>
        $$"""{"groups":[{{groups}}],"pupils":[{{Repeat(pupils, Pupil)}}],"guardians":[{{guardians}}]}""";

    private static string Repeat(int count, Func<int, string> item) => string.Join(',', Enumerable.Range(0, count).Select(item));

    [Test]
    public async Task A_roster_of_400000_pupils_is_refused_naming_pupils_without_reading_them_all()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        client.Timeout = TimeSpan.FromMinutes(5);
        // Warm up the endpoint, so that the figure below is not the cost of a first request.
        (await client.PutAsync($"/v1/schools/{tenant.SchoolId}/roster", Json(Roster(3)))).EnsureSuccessStatusCode();
        var body = Encoding.UTF8.GetBytes(Roster(400_000));
        Assert.That((long)body.Length, Is.InRange(20_000_000L, RequestLimits.RosterBodyBytes / 2), "well inside the body limit");
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var response = await client.PutAsync($"/v1/schools/{tenant.SchoolId}/roster", content);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "pupils" }), problem.ToJsonString());
        // Building and validating all 400,000 pupils allocated about 750 MiB. Stopping at the 20,001st allocates about
        // 31 MiB, of which about 27 MiB is the test server carrying the 28 MB body (a body refused at its first list
        // costs that much too).
        TestContext.Out.WriteLine($"allocated during the request: {allocated / (1024 * 1024)} MiB");
        Assert.That(allocated, Is.LessThan(64L * 1024 * 1024));
    }

    [Test]
    public async Task A_name_of_30_MB_is_refused_naming_the_field_without_becoming_a_string()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        (await client.PutAsync($"/v1/schools/{tenant.SchoolId}/roster", Json(Roster(3)))).EnsureSuccessStatusCode();
        var name = new string('x', 30_000_000);
        using var content = Json($$"""{"groups":[],"pupils":[{"externalId":"P1","displayName":"{{name}}","dateOfBirth":"2016-03-01"}],"guardians":[]}""");
        name = null;

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var response = await client.PutAsync($"/v1/schools/{tenant.SchoolId}/roster", content);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That((string?)problem["title"], Is.EqualTo("One or more validation errors occurred."), problem.ToJsonString());
        Assert.That(problem["errors"]!.ToJsonString(), Is.EqualTo("""{"pupils[0].displayName":["The field DisplayName must be a string with a minimum length of 1 and a maximum length of 200."]}"""));
        // Built as a string first, the name allocated about 144 MiB; refused from its JSON length, about 58 MiB: the
        // test server carrying the body and the reader holding the whole token.
        TestContext.Out.WriteLine($"allocated during the request: {allocated / (1024 * 1024)} MiB");
        Assert.That(allocated, Is.LessThan(100L * 1024 * 1024));
    }

    public static IEnumerable<TestCaseData> ListsOverTheirLimit()
    {
        yield return new TestCaseData(Roster(0, groups: Repeat(RosterRequest.MaxGroups + 1,
                i => $$"""{"externalId":"G{{i}}","name":"G","schoolYear":"2026-2027"}""")), "groups")
            .SetName("{m}(groups)");
        yield return new TestCaseData(Roster(RosterRequest.MaxPupils + 1), "pupils").SetName("{m}(pupils)");
        yield return new TestCaseData(Roster(0, guardians: Repeat(RosterRequest.MaxGuardians + 1,
                i => $$"""{"externalId":"O{{i}}","displayName":"O"}""")), "guardians")
            .SetName("{m}(guardians)");
        yield return new TestCaseData(
                $$"""{"groups":[],"pupils":[{"externalId":"P1","displayName":"L","dateOfBirth":"2016-03-01","guardians":[{{Repeat(PupilRules.MaxGuardians + 1, i => $$"""{"externalId":"O{{i}}","hasParentalAuthority":true}""")}}]}],"guardians":[]}""",
                "pupils[0].guardians")
            .SetName("{m}(a pupil's guardians)");
    }

    [TestCaseSource(nameof(ListsOverTheirLimit))]
    public async Task A_list_one_item_over_its_limit_is_refused_naming_the_list(string roster, string field)
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Full().PutAsync($"/v1/schools/{tenant.SchoolId}/roster", Json(roster));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), problem.ToJsonString());
        // As [MaxLength] answered when the whole list was read first.
        Assert.That((string?)problem["title"], Is.EqualTo("One or more validation errors occurred."), problem.ToJsonString());
        var name = char.ToUpperInvariant(field.Split('.')[^1][0]) + field.Split('.')[^1][1..];
        Assert.That((string?)problem["errors"]![field]![0],
            Does.StartWith($"The field {name} must be a string or array type with a maximum length of '"), problem.ToJsonString());
    }

    public static IEnumerable<TestCaseData> ListsAtTheirLimit()
    {
        // Each list's last item repeats the first one's external id: only a list read whole can show that.
        yield return new TestCaseData(Roster(0, groups: Repeat(RosterRequest.MaxGroups,
                i => $$"""{"externalId":"G{{i % (RosterRequest.MaxGroups - 1)}}","name":"G","schoolYear":"2026-2027"}""")),
                $"groups[{RosterRequest.MaxGroups - 1}].externalId")
            .SetName("{m}(groups)");
        yield return new TestCaseData(
                $$"""{"groups":[],"pupils":[{{Repeat(RosterRequest.MaxPupils, i => Pupil(i % (RosterRequest.MaxPupils - 1)))}}],"guardians":[]}""",
                $"pupils[{RosterRequest.MaxPupils - 1}].externalId")
            .SetName("{m}(pupils)");
        yield return new TestCaseData(Roster(0, guardians: Repeat(RosterRequest.MaxGuardians,
                i => $$"""{"externalId":"O{{i % (RosterRequest.MaxGuardians - 1)}}","displayName":"O"}""")),
                $"guardians[{RosterRequest.MaxGuardians - 1}].externalId")
            .SetName("{m}(guardians)");
    }

    [TestCaseSource(nameof(ListsAtTheirLimit))]
    public async Task A_list_at_its_limit_is_read_whole(string roster, string field)
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Full().PutAsync($"/v1/schools/{tenant.SchoolId}/roster", Json(roster));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), problem.ToJsonString());
    }

    [Test]
    public async Task A_pupil_with_as_many_guardians_as_allowed_is_accepted()
    {
        var tenant = await CreateTenantAsync();
        var guardians = Enumerable.Range(0, PupilRules.MaxGuardians).ToList();
        var roster = new
        {
            groups = Array.Empty<object>(),
            pupils = new[]
            {
                new
                {
                    externalId = "P1", displayName = "L", dateOfBirth = "2016-03-01",
                    guardians = guardians.Select(i => new { externalId = $"O{i}", hasParentalAuthority = i < 2 }).ToArray(),
                },
            },
            guardians = guardians.Select(i => new { externalId = $"O{i}", displayName = "O" }).ToArray(),
        };

        var response = await tenant.Full().PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", roster);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var result = await response.ReadAsync<RosterSyncResponse>();
        Assert.That(result.GuardianLinks.Created, Is.EqualTo(PupilRules.MaxGuardians));
    }

    [Test]
    public async Task With_two_roster_syncs_in_flight_a_third_gets_503_with_Retry_After_before_its_body_is_read()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        // Hold the organisation's roster lock, so that two syncs stay in flight inside the handler.
        await using var holder = new NpgsqlConnection(Factory.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", holder, transaction))
        {
            take.Parameters.AddWithValue("key", AdvisoryLocks.Key(tenant.OrganisationId, AdvisoryLocks.Roster));
            await take.ExecuteNonQueryAsync();
        }
        var inFlight = tenant.SchoolIds.Select(school => client.PutAsync($"/v1/schools/{school}/roster", Json(Roster(1)))).ToList();
        await WaitForLockWaitersAsync(2);

        // Over the pupil limit: read, it would be a 400; the gate answers before reading it.
        var refused = await client.PutAsync($"/v1/schools/{tenant.SchoolId}/roster", Json(Roster(RosterRequest.MaxPupils + 1)));

        var problem = await AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(ConcurrencyGate.RetryAfterSeconds)),
            problem.ToJsonString());
        Assert.That((string?)problem["title"], Is.EqualTo("The service is busy."));
        Assert.That(inFlight.Select(r => r.IsCompleted), Is.All.False);

        await transaction.RollbackAsync();
        foreach (var request in inFlight)
        {
            var response = await request;
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        }
        var again = await client.PutAsync($"/v1/schools/{tenant.SchoolId}/roster", Json(Roster(2)));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the places are free again");
    }

    private async Task WaitForLockWaitersAsync(int count)
    {
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            connection);
        var deadline = DateTime.UtcNow.AddSeconds(8);
        while ((long)(await query.ExecuteScalarAsync())! < count)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{count} syncs never waited for the roster lock");
            await Task.Delay(20);
        }
    }
}
