using System.Net;
using System.Net.Http.Json;
using System.Text;
using ConsentApi.Features.Pupils;
using ConsentApi.Features.Roster;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Roster;

/// <summary>
/// A roster list over its limit is refused while the body is still being read, so one request cannot make the API
/// build hundreds of thousands of pupils before saying no. Fixtures run one at a time, so the allocation figure is the
/// request's own (plus a little background work).
/// </summary>
public sealed class RosterBodyLimitTests : ApiTest
{
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
        Assert.That((string?)problem["errors"]![field]![0], Does.Contain("maximum length"), problem.ToJsonString());
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
}
