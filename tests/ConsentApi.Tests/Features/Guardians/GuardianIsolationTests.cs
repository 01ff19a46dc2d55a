using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Guardians;

/// <summary>
/// A guardian is one person across a board's schools (a parent with children at two schools), but each school sees only
/// the guardians it knows, under its own names: a key limited to one school neither sees nor changes what another school
/// holds, and no answer tells a guardian known elsewhere from one nobody knows.
/// </summary>
public sealed class GuardianIsolationTests : ApiTest
{
    private sealed record Board(Tenant Tenant, HttpClient Full, HttpClient First, HttpClient Second, Guid FirstPupil, Guid SecondPupil,
        Guid SecondGuardian)
    {
        public Guid FirstSchool => Tenant.SchoolIds[0];
        public Guid SecondSchool => Tenant.SchoolIds[1];
    }

    /// <summary>Two schools; the second school's roster holds guardian "OV-2" (Marieke de Vries) linked to its pupil.</summary>
    private async Task<Board> BoardAsync(params string[] scopes)
    {
        var tenant = await CreateTenantAsync();
        scopes = scopes.Length > 0 ? scopes : [Scopes.RosterRead, Scopes.RosterWrite];
        var first = await tenant.ClientWithAsync(scopes, [tenant.SchoolIds[0]]);
        var second = await tenant.ClientWithAsync(scopes, [tenant.SchoolIds[1]]);
        var synced = await tenant.Full().PutAsJsonAsync($"/v1/schools/{tenant.SchoolIds[1]}/roster", Roster("L-2", "OV-2", "Marieke de Vries"));
        Assert.That(synced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await synced.Content.ReadAsStringAsync());
        var secondPupil = (Guid)(await GetAsync(tenant.Full(), $"/v1/schools/{tenant.SchoolIds[1]}/pupils"))["items"]![0]!["id"]!;
        var secondGuardian = (Guid)(await GetAsync(tenant.Full(), "/v1/guardians?externalId=OV-2"))["items"]![0]!["id"]!;
        var firstPupil = await CreatePupilAsync(tenant.Full(), tenant.SchoolIds[0], "Daan Bakker", externalId: "L-1");
        return new Board(tenant, tenant.Full(), first, second, firstPupil, secondPupil, secondGuardian);
    }

    private static object Roster(string pupil, string guardian, string guardianName) => new
    {
        groups = Array.Empty<object>(),
        pupils = new[]
        {
            new
            {
                externalId = pupil, displayName = $"Leerling {pupil}", dateOfBirth = "2016-03-01",
                guardians = new[] { new { externalId = guardian, hasParentalAuthority = true } },
            },
        },
        guardians = new[] { new { externalId = guardian, displayName = guardianName } },
    };

    private static async Task<(HttpStatusCode Status, string Body)> Answer(HttpResponseMessage response) =>
        (response.StatusCode, await response.Content.ReadAsStringAsync());

    /// <summary>What the second school, and the organisation, see of their guardian.</summary>
    private static async Task<string> SecondSchoolViewAsync(Board board)
    {
        var guardian = await GetAsync(board.Second, $"/v1/guardians/{board.SecondGuardian}");
        var pupil = await GetAsync(board.Second, $"/v1/pupils/{board.SecondPupil}");
        var organisation = await GetAsync(board.Full, $"/v1/guardians/{board.SecondGuardian}");
        return $"{guardian["displayName"]} | {pupil["guardians"]!.ToJsonString()} | {organisation["displayName"]}";
    }

    [Test]
    public async Task A_school_limited_key_cannot_link_or_read_a_guardian_known_only_at_another_school()
    {
        var board = await BoardAsync();
        var before = await SecondSchoolViewAsync(board);

        var linked = await Answer(await board.First.PutAsJsonAsync(
            $"/v1/pupils/{board.FirstPupil}/guardians/{board.SecondGuardian}", new { hasParentalAuthority = true }));
        var random = await Answer(await board.First.PutAsJsonAsync(
            $"/v1/pupils/{board.FirstPupil}/guardians/{Guid.CreateVersion7()}", new { hasParentalAuthority = true }));

        Assert.That(linked.Status, Is.EqualTo(HttpStatusCode.NotFound), linked.Body);
        Assert.That(linked.Body, Does.Not.Contain("Marieke"));
        Assert.That(random.Status, Is.EqualTo(HttpStatusCode.NotFound));
        await AssertProblemAsync(await board.First.GetAsync($"/v1/guardians/{board.SecondGuardian}"), HttpStatusCode.NotFound, "not-found");
        Assert.That((await GetAsync(board.First, "/v1/guardians?externalId=OV-2"))["items"]!.AsArray(), Is.Empty);
        Assert.That((await GetAsync(board.First, $"/v1/pupils/{board.FirstPupil}"))["guardians"]!.AsArray(), Is.Empty);
        Assert.That(await SecondSchoolViewAsync(board), Is.EqualTo(before));
    }

    [Test]
    public async Task A_roster_naming_another_schools_guardian_counts_them_as_new_and_renames_nothing_there()
    {
        var board = await BoardAsync();
        var before = await SecondSchoolViewAsync(board);

        var shared = await (await board.First.PutAsJsonAsync($"/v1/schools/{board.FirstSchool}/roster",
            Roster("L-1", "OV-2", "M. de Vries-Jansen"))).ReadObjectAsync();
        var unknown = await (await board.First.PutAsJsonAsync($"/v1/schools/{board.FirstSchool}/roster",
            Roster("L-1", "OV-NEW", "Nieuwe Ouder"))).ReadObjectAsync();

        // The same answer as for a guardian nobody knew.
        Assert.That(shared["guardians"]!.ToJsonString(), Is.EqualTo("""{"created":1,"updated":0,"unchanged":0}"""));
        Assert.That(unknown["guardians"]!.ToJsonString(), Is.EqualTo("""{"created":1,"updated":0,"unchanged":0}"""));
        // The second school and the organisation still see the guardian as the second school named them.
        Assert.That(await SecondSchoolViewAsync(board), Is.EqualTo(before));
        Assert.That(before, Does.Not.Contain("Jansen"));
    }

    [Test]
    public async Task A_guardian_of_children_at_two_schools_is_one_person_each_school_seeing_its_own_name()
    {
        var board = await BoardAsync();
        var synced = await (await board.First.PutAsJsonAsync($"/v1/schools/{board.FirstSchool}/roster",
            Roster("L-1", "OV-2", "M. de Vries"))).ReadObjectAsync();
        var firstPupil = (Guid)(await GetAsync(board.Full, $"/v1/schools/{board.FirstSchool}/pupils?externalId=L-1"))["items"]![0]!["id"]!;

        var atFirst = await GetAsync(board.First, $"/v1/guardians/{board.SecondGuardian}");
        var atSecond = await GetAsync(board.Second, $"/v1/guardians/{board.SecondGuardian}");
        var everywhere = await GetAsync(board.Full, $"/v1/guardians/{board.SecondGuardian}");

        Assert.That(synced["guardianLinks"]!["created"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That((string?)atFirst["displayName"], Is.EqualTo("M. de Vries"));
        Assert.That(atFirst["pupils"]!.AsArray().Select(p => (Guid)p!["pupilId"]!), Is.EqualTo(new[] { firstPupil }));
        Assert.That((string?)atSecond["displayName"], Is.EqualTo("Marieke de Vries"));
        Assert.That(atSecond["pupils"]!.AsArray().Select(p => (Guid)p!["pupilId"]!), Is.EqualTo(new[] { board.SecondPupil }));
        Assert.That((string?)everywhere["displayName"], Is.EqualTo("Marieke de Vries"));
        Assert.That(everywhere["pupils"]!.AsArray().Select(p => (Guid)p!["pupilId"]!), Is.EquivalentTo(new[] { firstPupil, board.SecondPupil }));
        var firstPupilGuardians = (await GetAsync(board.Full, $"/v1/pupils/{firstPupil}"))["guardians"]!.AsArray();
        Assert.That((string?)firstPupilGuardians.Single()!["displayName"], Is.EqualTo("M. de Vries"), "a pupil's guardians carry the pupil's school's names");
    }

    [Test]
    public async Task Creating_a_guardian_known_only_at_another_school_answers_as_for_a_new_one()
    {
        var board = await BoardAsync();
        var before = await SecondSchoolViewAsync(board);

        var shared = await board.First.PostAsJsonAsync("/v1/guardians", new { externalId = "OV-2", displayName = "Moeder Daan" });
        var fresh = await board.First.PostAsJsonAsync("/v1/guardians", new { externalId = "OV-NEW", displayName = "Moeder Daan" });

        Assert.That(shared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await shared.Content.ReadAsStringAsync());
        Assert.That(fresh.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var created = await shared.ReadObjectAsync();
        Assert.That(created.Select(p => p.Key), Is.EqualTo((await fresh.ReadObjectAsync()).Select(p => p.Key)));
        Assert.That((string?)created["displayName"], Is.EqualTo("Moeder Daan"));
        Assert.That(shared.Headers.Location?.ToString(), Is.EqualTo($"/v1/guardians/{created["id"]}"));
        Assert.That(await SecondSchoolViewAsync(board), Is.EqualTo(before));
        // Once the school knows them, the external id is taken for it like any other.
        await AssertProblemAsync(await board.First.PostAsJsonAsync("/v1/guardians", new { externalId = "OV-2", displayName = "Nogmaals" }),
            HttpStatusCode.Conflict, "conflict");
        var seen = await GetAsync(board.First, $"/v1/guardians/{created["id"]}");
        Assert.That((string?)seen["displayName"], Is.EqualTo("Moeder Daan"));
        Assert.That(seen["pupils"]!.AsArray(), Is.Empty, "the other school's pupils stay out of sight");
    }

    [Test]
    public async Task A_school_limited_key_renames_a_shared_guardian_for_its_school_only_and_cannot_change_the_external_id()
    {
        var board = await BoardAsync();
        (await board.First.PutAsJsonAsync($"/v1/schools/{board.FirstSchool}/roster", Roster("L-1", "OV-2", "M. de Vries"))).EnsureSuccessStatusCode();
        var before = await SecondSchoolViewAsync(board);

        var renamed = await board.First.PutAsJsonAsync($"/v1/guardians/{board.SecondGuardian}", new { externalId = "OV-2", displayName = "Marieke" });
        var moved = await board.First.PutAsJsonAsync($"/v1/guardians/{board.SecondGuardian}", new { externalId = "OV-3", displayName = "Marieke" });

        Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await renamed.Content.ReadAsStringAsync());
        Assert.That((string?)(await GetAsync(board.First, $"/v1/guardians/{board.SecondGuardian}"))["displayName"], Is.EqualTo("Marieke"));
        await AssertProblemAsync(moved, HttpStatusCode.Forbidden, "forbidden");
        Assert.That(await SecondSchoolViewAsync(board), Is.EqualTo(before));

        // The organisation-wide client renames the guardian for every school.
        (await board.Full.PutAsJsonAsync($"/v1/guardians/{board.SecondGuardian}", new { externalId = "OV-2", displayName = "Marieke de Vries-Bakker" }))
            .EnsureSuccessStatusCode();
        Assert.That((string?)(await GetAsync(board.First, $"/v1/guardians/{board.SecondGuardian}"))["displayName"], Is.EqualTo("Marieke de Vries-Bakker"));
        Assert.That((string?)(await GetAsync(board.Second, $"/v1/guardians/{board.SecondGuardian}"))["displayName"], Is.EqualTo("Marieke de Vries-Bakker"));
    }

    [Test]
    public async Task A_parents_app_limited_to_one_school_answers_for_another_schools_guardian_as_for_an_unknown_one()
    {
        var board = await BoardAsync(Scopes.GuardianAct);

        var shared = await Answer(await board.First.GetAsync("/v1/parent-app/guardians/OV-2/children"));
        var unknown = await Answer(await board.First.GetAsync("/v1/parent-app/guardians/OV-UNKNOWN/children"));
        var requests = await Answer(await board.First.GetAsync("/v1/parent-app/guardians/OV-2/consent-requests"));

        Assert.That(shared.Status, Is.EqualTo(HttpStatusCode.NotFound), shared.Body);
        Assert.That(requests.Status, Is.EqualTo(HttpStatusCode.NotFound), requests.Body);
        Assert.That(unknown.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(Shape(shared.Body), Is.EqualTo(Shape(unknown.Body).Replace("OV-UNKNOWN", "OV-2")));
        Assert.That((await board.Second.GetAsync("/v1/parent-app/guardians/OV-2/children")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_decision_naming_another_schools_guardian_answers_as_for_an_unknown_guardian()
    {
        var board = await BoardAsync(Scopes.RosterRead, Scopes.RosterWrite, Scopes.ConsentWrite);
        var version = (Guid)(await PublishFormAsync(board.Tenant.Admin(), ["photo:website"]))["id"]!;

        var shared = await Answer(await SendDecisionsAsync(board.First, board.FirstPupil, version, board.SecondGuardian, ["photo:website=granted"]));
        var unknown = await Answer(await SendDecisionsAsync(board.First, board.FirstPupil, version, Guid.CreateVersion7(), ["photo:website=granted"]));

        Assert.That(shared.Status, Is.EqualTo(HttpStatusCode.NotFound), shared.Body);
        Assert.That(unknown.Status, Is.EqualTo(HttpStatusCode.NotFound), unknown.Body);
        Assert.That(Shape(shared.Body), Is.EqualTo(Shape(unknown.Body)));
    }

    /// <summary>A problem body without what differs between any two requests: ids and trace ids.</summary>
    private static string Shape(string body)
    {
        var problem = JsonNode.Parse(body)!.AsObject();
        problem.Remove("traceId");
        return System.Text.RegularExpressions.Regex.Replace(problem.ToJsonString(), "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{id}");
    }
}
