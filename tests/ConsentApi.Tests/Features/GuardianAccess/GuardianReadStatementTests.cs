using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.GuardianAccess;

/// <summary>
/// The parents' app reads all of a guardian's children at once: a guardian of six children costs the database as many round
/// trips as a guardian of three, counted with Npgsql's own tracing on this fixture's database.
/// </summary>
public sealed class GuardianReadStatementTests : ApiTest
{
    private static readonly string Today = LocalDay.Today.ToString("yyyy-MM-dd");
    private static readonly string InAMonth = LocalDay.Today.AddDays(30).ToString("yyyy-MM-dd");

    /// <summary>Round trips of the children read: the guardian with their children, then the facts of every child.</summary>
    private const int ChildrenRoundTrips = 2;

    /// <summary>Round trips of the open requests: the guardian with their children, the requests, then the facts of every child.</summary>
    private const int RequestsRoundTrips = 3;

    private HttpClient _app = null!;

    /// <summary>OV3 has parental authority over LL1-LL3, OV6 over LL4-LL9; a two-item form is asked of every pupil.</summary>
    [OneTimeSetUp]
    public async Task CreateFamiliesAsync()
    {
        var tenant = await CreateTenantAsync();
        var (full, admin) = (tenant.Full(), tenant.Admin());
        var synced = await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", new
        {
            groups = Array.Empty<object>(),
            pupils = Enumerable.Range(1, 9).Select(i => new
            {
                externalId = $"LL{i}", displayName = $"Kind {i}", dateOfBirth = "2017-05-01",
                guardians = new[] { new { externalId = i <= 3 ? "OV3" : "OV6", hasParentalAuthority = true } },
            }).ToArray(),
            guardians = new[] { new { externalId = "OV3", displayName = "Ouder van drie" }, new { externalId = "OV6", displayName = "Ouder van zes" } },
        });
        Assert.That(synced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await synced.Content.ReadAsStringAsync());
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal" })).ReadObjectAsync();
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Mogen wij foto's van uw kind plaatsen in de ouderapp en op de website?",
            validity = "until-withdrawn",
            items = new[] { new { mediaType = "photo", channel = "parent-app" }, new { mediaType = "photo", channel = "website" } },
        })).EnsureSuccessStatusCode();
        var version = (Guid)(await (await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/1/publish", null)).ReadObjectAsync())["id"]!;
        (await admin.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/campaigns",
            new { schoolYear = "2026-2027", formVersionId = version, opensOn = Today, closesOn = InAMonth })).EnsureSuccessStatusCode();
        _app = await tenant.ClientWithAsync([Scopes.GuardianAct]);

        // One item answered for one child of each guardian: their requests stay open, with a decision to show.
        var pupils = (await (await full.GetAsync($"/v1/schools/{tenant.SchoolId}/pupils")).ReadObjectAsync())["items"]!.AsArray()
            .ToDictionary(p => (string)p!["externalId"]!, p => (Guid)p!["id"]!);
        foreach (var (guardian, child) in new[] { ("OV3", "LL1"), ("OV6", "LL4") })
        {
            var submitted = await _app.PostAsJsonAsync($"/v1/parent-app/guardians/{guardian}/decisions", new
            {
                children = new[] { new { pupilId = pupils[child], formVersionId = version, items = new[] { new { mediaType = "photo", channel = "website", outcome = "granted" } } } },
            });
            Assert.That(submitted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await submitted.Content.ReadAsStringAsync());
        }
    }

    /// <summary>The body of a GET and the round trips it made besides the API key lookup, after a first call that warms up.</summary>
    private async Task<(JsonObject Body, IReadOnlyList<string> RoundTrips)> CountedGetAsync(string url)
    {
        using var log = new RoundTripLog(new Npgsql.NpgsqlConnectionStringBuilder(Factory.ConnectionString).Database!);
        (await _app.GetAsync(url)).EnsureSuccessStatusCode();
        log.Clear();
        var response = await _app.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.ReadObjectAsync(), [.. log.RoundTrips.Where(c => !c.Contains("api_clients", StringComparison.Ordinal))]);
    }

    [Test]
    public async Task A_guardian_of_six_children_costs_as_many_round_trips_for_the_children_as_a_guardian_of_three()
    {
        var (three, forThree) = await CountedGetAsync("/v1/parent-app/guardians/OV3/children");
        var (six, forSix) = await CountedGetAsync("/v1/parent-app/guardians/OV6/children");

        Assert.That(three["children"]!.AsArray().Select(c => (string?)c!["displayName"]), Is.EqualTo(new[] { "Kind 1", "Kind 2", "Kind 3" }));
        Assert.That(six["children"]!.AsArray().Select(c => (string?)c!["displayName"]),
            Is.EqualTo(new[] { "Kind 4", "Kind 5", "Kind 6", "Kind 7", "Kind 8", "Kind 9" }));
        Assert.That(six["children"]![0]!["consents"]!.AsArray().Select(i => $"{i!["channel"]}:{i["state"]}:{i["decisions"]!.AsArray().Count}"),
            Is.EqualTo(new[] { "parent-app:pending:0", "website:granted:1" }));
        Assert.Multiple(() =>
        {
            Assert.That(forSix, Has.Count.EqualTo(forThree.Count), string.Join("\n----\n", forSix));
            Assert.That(forThree, Has.Count.LessThanOrEqualTo(ChildrenRoundTrips), string.Join("\n----\n", forThree));
        });
    }

    [Test]
    public async Task A_guardian_of_six_children_costs_as_many_round_trips_for_the_open_requests_as_a_guardian_of_three()
    {
        var (three, forThree) = await CountedGetAsync("/v1/parent-app/guardians/OV3/consent-requests");
        var (six, forSix) = await CountedGetAsync("/v1/parent-app/guardians/OV6/consent-requests");

        Assert.That(three["requests"]!.AsArray().Select(r => (string?)r!["childName"]), Is.EqualTo(new[] { "Kind 1", "Kind 2", "Kind 3" }));
        Assert.That(six["requests"]!.AsArray().Select(r => (string?)r!["childName"]),
            Is.EqualTo(new[] { "Kind 4", "Kind 5", "Kind 6", "Kind 7", "Kind 8", "Kind 9" }));
        Assert.That(six["requests"]![0]!["items"]!.AsArray().Select(i => $"{i!["channel"]}:{i["state"]}:{i["decisions"]!.AsArray().Count}"),
            Is.EqualTo(new[] { "parent-app:pending:0", "website:granted:1" }));
        Assert.Multiple(() =>
        {
            Assert.That(forSix, Has.Count.EqualTo(forThree.Count), string.Join("\n----\n", forSix));
            Assert.That(forThree, Has.Count.LessThanOrEqualTo(RequestsRoundTrips), string.Join("\n----\n", forThree));
        });
    }
}
