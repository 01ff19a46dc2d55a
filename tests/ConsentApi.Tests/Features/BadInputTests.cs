using System.Net;
using System.Net.Http.Json;
using System.Text;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Pupils;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features;

/// <summary>
/// Requests the API must refuse: each gets the right status and Problem Details type, and none writes anything
/// (no roster row and no audit event, which every command that commits writes).
/// </summary>
public sealed class BadInputTests : ApiTest
{
    private static StringContent JsonText(string json) => new(json, Encoding.UTF8, "application/json");

    private static string PupilsOf(Guid schoolId) => $"/v1/schools/{schoolId}/pupils";

    private static object ValidPupil(string externalId = "P1") =>
        new { externalId, displayName = "Sanne de Vries", dateOfBirth = "2016-03-01" };

    /// <summary>What the organisation has written: pupils, guardians, groups, guardian links and audit events.</summary>
    private Task<(int Pupils, int Guardians, int Groups, int Links, int AuditEvents)> WrittenAsync(Guid organisationId) =>
        Factory.QueryAsync(async db => (
            await db.Pupils.CountAsync(p => p.OrganisationId == organisationId),
            await db.Guardians.CountAsync(g => g.OrganisationId == organisationId),
            await db.Groups.CountAsync(g => db.Schools.Any(s => s.Id == g.SchoolId && s.OrganisationId == organisationId)),
            await db.GuardianLinks.CountAsync(l => db.Pupils.Any(p => p.Id == l.PupilId && p.OrganisationId == organisationId)),
            await db.AuditEvents.CountAsync(e => e.OrganisationId == organisationId)));

    /// <summary>Sends <paramref name="send"/> and asserts the problem it returns and that nothing was written.</summary>
    private async Task<System.Text.Json.Nodes.JsonObject> AssertRefusedAsync(
        Tenant tenant, Func<Task<HttpResponseMessage>> send, HttpStatusCode status, string type)
    {
        var before = await WrittenAsync(tenant.OrganisationId);
        var problem = await AssertProblemAsync(await send(), status, type);
        Assert.That(await WrittenAsync(tenant.OrganisationId), Is.EqualTo(before), "nothing may be written");
        return problem;
    }

    private static IEnumerable<string> ErrorKeys(System.Text.Json.Nodes.JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    [Test]
    public async Task Malformed_json_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertRefusedAsync(tenant, () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), JsonText("""{"externalId":""")),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "externalId" }), problem.ToJsonString());
    }

    [Test]
    public async Task An_unknown_json_property_is_a_validation_problem_naming_it()
    {
        var tenant = await CreateTenantAsync();
        var body = """{"externalId":"P1","displayName":"Sanne","dateOfBirth":"2016-03-01","nickname":"San"}""";

        var problem = await AssertRefusedAsync(tenant, () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), JsonText(body)),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "nickname" }), problem.ToJsonString());
    }

    [TestCase("""{"externalId":"P1","displayName":"Sanne","dateOfBirth":12}""", "dateOfBirth")]
    [TestCase("""{"externalId":"P1","displayName":"Sanne","dateOfBirth":"2016-02-30"}""", "dateOfBirth")]
    [TestCase("""{"externalId":"P1","displayName":"Sanne","dateOfBirth":"2016-03-01","status":"gone"}""", "status")]
    [TestCase("""{"externalId":"P1","displayName":"Sanne","dateOfBirth":"2016-03-01","status":0}""", "status")]
    [TestCase("""{"externalId":42,"displayName":"Sanne","dateOfBirth":"2016-03-01"}""", "externalId")]
    [TestCase("""{"externalId":"P1","displayName":"Sanne","dateOfBirth":"2016-03-01","groupId":"not-a-guid"}""", "groupId")]
    public async Task A_value_of_the_wrong_type_is_a_validation_problem_naming_the_field(string body, string field)
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertRefusedAsync(tenant, () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), JsonText(body)),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { field }), problem.ToJsonString());
    }

    [Test]
    public async Task A_missing_body_is_a_bad_request()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), null),
            HttpStatusCode.BadRequest, "bad-request");
    }

    [Test]
    public async Task An_empty_json_body_is_a_bad_request()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), JsonText("")),
            HttpStatusCode.BadRequest, "bad-request");
    }

    [Test]
    public async Task A_json_null_body_is_a_bad_request()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), JsonText("null")),
            HttpStatusCode.BadRequest, "bad-request");
    }

    [Test]
    public async Task A_json_array_body_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), JsonText("[]")),
            HttpStatusCode.BadRequest, "validation");
    }

    [Test]
    public async Task A_body_that_is_not_json_is_an_unsupported_media_type()
    {
        var tenant = await CreateTenantAsync();
        var json = """{"externalId":"P1","displayName":"Sanne","dateOfBirth":"2016-03-01"}""";

        await AssertRefusedAsync(tenant,
            () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), new StringContent(json, Encoding.UTF8, "text/plain")),
            HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Test]
    public async Task A_body_over_one_mebibyte_is_too_large()
    {
        var tenant = await CreateTenantAsync();
        var body = $$"""{"externalId":"P1","displayName":"{{new string('x', 2 * 1024 * 1024)}}","dateOfBirth":"2016-03-01"}""";

        await AssertRefusedAsync(tenant, () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), JsonText(body)),
            HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Test]
    public async Task A_body_over_one_mebibyte_without_content_length_is_too_large()
    {
        var tenant = await CreateTenantAsync();
        var pupil = new { externalId = "P1", displayName = new string('x', 2 * 1024 * 1024), dateOfBirth = "2016-03-01" };
        var content = JsonContent.Create(pupil); // streamed: no Content-Length, so the limit must hold while reading

        await AssertRefusedAsync(tenant, () => tenant.Full().PostAsync(PupilsOf(tenant.SchoolId), content),
            HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Test]
    public async Task Missing_required_fields_are_a_validation_problem_per_field()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertRefusedAsync(tenant,
            () => tenant.Full().PostAsJsonAsync(PupilsOf(tenant.SchoolId), new { externalId = "P1" }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EquivalentTo(new[] { "displayName", "dateOfBirth" }), problem.ToJsonString());
    }

    [Test]
    public async Task Fields_that_are_empty_or_too_long_are_a_validation_problem_per_field()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertRefusedAsync(tenant,
            () => tenant.Full().PostAsJsonAsync(PupilsOf(tenant.SchoolId),
                new { externalId = new string('e', 65), displayName = "  ", dateOfBirth = "2016-03-01" }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EquivalentTo(new[] { "externalId", "displayName" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_date_of_birth_in_the_future_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();
        var tomorrow = LocalDay.Today.AddDays(2);

        var problem = await AssertRefusedAsync(tenant,
            () => tenant.Full().PostAsJsonAsync(PupilsOf(tenant.SchoolId),
                new { externalId = "P1", displayName = "Sanne", dateOfBirth = tomorrow }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "dateOfBirth" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_pupil_for_an_unknown_school_or_one_of_another_organisation_is_not_found()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().PostAsJsonAsync(PupilsOf(Guid.NewGuid()), ValidPupil()),
            HttpStatusCode.NotFound, "not-found");
        await AssertRefusedAsync(other, () => tenant.Full().PostAsJsonAsync(PupilsOf(other.SchoolId), ValidPupil()),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_pupil_in_a_group_the_school_lacks_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertRefusedAsync(tenant,
            () => tenant.Full().PostAsJsonAsync(PupilsOf(tenant.SchoolId),
                new { externalId = "P1", displayName = "Sanne", dateOfBirth = "2016-03-01", groupId = Guid.NewGuid() }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "groupId" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_duplicate_pupil_external_id_is_a_conflict()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var first = await client.PostAsJsonAsync(PupilsOf(tenant.SchoolId), ValidPupil("DUP"));
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());

        await AssertRefusedAsync(tenant, () => client.PostAsJsonAsync(PupilsOf(tenant.SchoolId), ValidPupil("DUP")),
            HttpStatusCode.Conflict, "conflict");

        // The same external id in the other school of the organisation is fine.
        var elsewhere = await client.PostAsJsonAsync(PupilsOf(tenant.SchoolIds[1]), ValidPupil("DUP"));
        Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.Created), await elsewhere.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_duplicate_guardian_external_id_is_a_conflict()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var first = await client.PostAsJsonAsync("/v1/guardians", new { externalId = "G-DUP", displayName = "Marieke" });
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());

        await AssertRefusedAsync(tenant,
            () => client.PostAsJsonAsync("/v1/guardians", new { externalId = "G-DUP", displayName = "Someone else" }),
            HttpStatusCode.Conflict, "conflict");
    }

    [Test]
    public async Task Bad_guardian_and_group_bodies_are_validation_problems()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();

        var guardian = await AssertRefusedAsync(tenant,
            () => client.PostAsync("/v1/guardians", JsonText("""{"externalId":"G1","displayName":"M","role":"mother"}""")),
            HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(guardian), Is.EqualTo(new[] { "role" }), guardian.ToJsonString());

        var group = await AssertRefusedAsync(tenant,
            () => client.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/groups",
                new { externalId = "G1", name = "Groep 1", schoolYear = "2026-2028" }),
            HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(group), Is.EqualTo(new[] { "schoolYear" }), group.ToJsonString());

        var roster = await AssertRefusedAsync(tenant,
            () => client.PutAsync($"/v1/schools/{tenant.SchoolId}/roster", JsonText("""{"groups":[],"pupils":[],"guardians":[""")),
            HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(roster), Has.Exactly(1).Items, roster.ToJsonString());
    }

    [Test]
    public async Task Unknown_pupils_and_guardians_are_not_found()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await (await client.PostAsJsonAsync(PupilsOf(tenant.SchoolId), ValidPupil())).ReadAsync<PupilResponse>();

        await AssertRefusedAsync(tenant, () => client.PutAsJsonAsync($"/v1/pupils/{Guid.NewGuid()}", ValidPupil()),
            HttpStatusCode.NotFound, "not-found");
        await AssertRefusedAsync(tenant,
            () => client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{Guid.NewGuid()}", new { hasParentalAuthority = true }),
            HttpStatusCode.NotFound, "not-found");
        await AssertRefusedAsync(tenant, () => client.DeleteAsync($"/v1/pupils/{pupil.Id}/guardians/{Guid.NewGuid()}"),
            HttpStatusCode.NotFound, "not-found");
        await AssertRefusedAsync(tenant,
            () => client.PutAsJsonAsync($"/v1/guardians/{Guid.NewGuid()}", new { externalId = "G1", displayName = "M" }),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task Reading_an_unknown_pupil_is_not_found()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().GetAsync($"/v1/pupils/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task Reading_an_unknown_guardian_is_not_found()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().GetAsync($"/v1/guardians/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not-found");
    }

    // Every check names the query parameter as the client wrote it, whichever layer found the problem.
    [TestCase("limit=0", "limit")]
    [TestCase("limit=201", "limit")]
    [TestCase("limit=-5", "limit")]
    [TestCase("cursor=garbage", "cursor")]
    [TestCase("cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "cursor")]
    public async Task Invalid_paging_is_a_validation_problem(string query, string field)
    {
        var tenant = await CreateTenantAsync();

        foreach (var path in new[] { PupilsOf(tenant.SchoolId), "/v1/guardians", $"/v1/schools/{tenant.SchoolId}/groups" })
        {
            var problem = await AssertRefusedAsync(tenant, () => tenant.Full().GetAsync($"{path}?{query}"),
                HttpStatusCode.BadRequest, "validation");
            Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { field }), $"{path}: {problem.ToJsonString()}");
        }
    }

    [Test]
    public async Task A_limit_that_is_not_a_number_is_a_bad_request()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().GetAsync($"{PupilsOf(tenant.SchoolId)}?limit=ten"),
            HttpStatusCode.BadRequest, "bad-request");
    }

    [Test]
    public async Task Valid_paging_walks_every_pupil_once()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await client.PostAsJsonAsync(PupilsOf(tenant.SchoolId), ValidPupil($"P{i}"))).StatusCode,
                Is.EqualTo(HttpStatusCode.Created));
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await client.GetAsync($"{PupilsOf(tenant.SchoolId)}?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}"))
                .ReadAsync<ConsentApi.Infrastructure.Http.Page<PupilResponse>>();
            seen.AddRange(page.Items.Select(p => p.ExternalId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.That(seen, Is.EquivalentTo(new[] { "P0", "P1", "P2", "P3", "P4" }).And.Unique);
        Assert.That(pages, Is.EqualTo(3));
    }

    [Test]
    public async Task An_unknown_route_under_v1_is_a_not_found_problem()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().GetAsync("/v1/no-such-thing"), HttpStatusCode.NotFound, "not-found");
        await AssertRefusedAsync(tenant, () => tenant.Full().PostAsJsonAsync("/v1/no-such-thing", ValidPupil()),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_pupil_id_that_is_not_a_guid_is_a_not_found_problem()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().GetAsync("/v1/pupils/not-a-guid"), HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_method_the_route_does_not_support_is_a_method_not_allowed_problem()
    {
        var tenant = await CreateTenantAsync();

        await AssertRefusedAsync(tenant, () => tenant.Full().DeleteAsync(PupilsOf(tenant.SchoolId)),
            HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Test]
    public async Task A_guardian_body_without_display_name_names_the_field()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertRefusedAsync(tenant,
            () => tenant.Full().PostAsJsonAsync("/v1/guardians", new { externalId = "G1" }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "displayName" }), problem.ToJsonString());
        Assert.That(await (await tenant.Full().GetAsync("/v1/guardians?externalId=G1")).ReadAsync<ConsentApi.Infrastructure.Http.Page<GuardianResponse>>(),
            Has.Property("Items").Empty);
    }
}
