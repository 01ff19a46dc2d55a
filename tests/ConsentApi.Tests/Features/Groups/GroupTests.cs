using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Features.Groups;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Groups;

public sealed class GroupTests : ApiTest
{
    private static string GroupsOf(Guid schoolId) => $"/v1/schools/{schoolId}/groups";

    private static IEnumerable<string> ErrorKeys(JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    private static async Task<GroupResponse> CreateGroupAsync(HttpClient client, Guid schoolId, string externalId,
        string name = "Groep 5a", string schoolYear = "2026-2027")
    {
        var response = await client.PostAsJsonAsync(GroupsOf(schoolId), new { externalId, name, schoolYear });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<GroupResponse>();
    }

    [Test]
    public async Task A_group_is_created_with_a_Location_and_reads_back()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Full().PostAsJsonAsync(GroupsOf(tenant.SchoolId),
            new { externalId = "G5A", name = " Groep 5a ", schoolYear = "2026-2027" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var created = await response.ReadAsync<GroupResponse>();
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo($"/v1/schools/{tenant.SchoolId}/groups/{created.Id}"));
        Assert.That(created, Is.EqualTo(new GroupResponse(created.Id, tenant.SchoolId, "G5A", "Groep 5a", "2026-2027")));

        var read = await (await tenant.Full().GetAsync($"{GroupsOf(tenant.SchoolId)}/{created.Id}")).ReadAsync<GroupResponse>();
        Assert.That(read, Is.EqualTo(created));
    }

    [Test]
    public async Task An_update_replaces_external_id_name_and_school_year()
    {
        var tenant = await CreateTenantAsync();
        var created = await CreateGroupAsync(tenant.Full(), tenant.SchoolId, "G5A");

        var response = await tenant.Full().PutAsJsonAsync($"{GroupsOf(tenant.SchoolId)}/{created.Id}",
            new { externalId = "G6A", name = "Groep 6a", schoolYear = "2027-2028" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var expected = new GroupResponse(created.Id, tenant.SchoolId, "G6A", "Groep 6a", "2027-2028");
        Assert.That(await response.ReadAsync<GroupResponse>(), Is.EqualTo(expected));
        Assert.That(await (await tenant.Full().GetAsync($"{GroupsOf(tenant.SchoolId)}/{created.Id}")).ReadAsync<GroupResponse>(),
            Is.EqualTo(expected));
    }

    [Test]
    public async Task The_list_holds_the_schools_groups_and_filters_by_school_year()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var old = await CreateGroupAsync(client, tenant.SchoolId, "G4A", "Groep 4a", "2025-2026");
        var a = await CreateGroupAsync(client, tenant.SchoolId, "G5A", "Groep 5a", "2026-2027");
        var b = await CreateGroupAsync(client, tenant.SchoolId, "G5B", "Groep 5b", "2026-2027");
        var elsewhere = await CreateGroupAsync(client, tenant.SchoolIds[1], "G5A", "Groep 5a", "2026-2027");

        var all = await (await client.GetAsync(GroupsOf(tenant.SchoolId))).ReadAsync<Page<GroupResponse>>();
        var current = await (await client.GetAsync($"{GroupsOf(tenant.SchoolId)}?schoolYear=2026-2027")).ReadAsync<Page<GroupResponse>>();
        var previous = await (await client.GetAsync($"{GroupsOf(tenant.SchoolId)}?schoolYear=2025-2026")).ReadAsync<Page<GroupResponse>>();
        var none = await (await client.GetAsync($"{GroupsOf(tenant.SchoolId)}?schoolYear=2030-2031")).ReadAsync<Page<GroupResponse>>();
        var other = await (await client.GetAsync(GroupsOf(tenant.SchoolIds[1]))).ReadAsync<Page<GroupResponse>>();

        Assert.Multiple(() =>
        {
            Assert.That(all.Items, Is.EqualTo(new[] { old, a, b }.InIdOrder(g => g.Id)));
            Assert.That(current.Items, Is.EqualTo(new[] { a, b }.InIdOrder(g => g.Id)));
            Assert.That(previous.Items, Is.EqualTo(new[] { old }));
            Assert.That(none.Items, Is.Empty);
            Assert.That(other.Items, Is.EqualTo(new[] { elsewhere }));
            Assert.That(new[] { all.NextCursor, current.NextCursor, previous.NextCursor, other.NextCursor }, Is.All.Null);
        });
    }

    [Test]
    public async Task A_school_year_filter_that_is_not_a_school_year_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertProblemAsync(await tenant.Full().GetAsync($"{GroupsOf(tenant.SchoolId)}?schoolYear=2026"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "schoolYear" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_duplicate_external_id_in_the_school_is_a_conflict_but_fine_in_another_school()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var first = await CreateGroupAsync(client, tenant.SchoolId, "G-DUP");
        var second = await CreateGroupAsync(client, tenant.SchoolId, "G-OTHER");

        await AssertProblemAsync(await client.PostAsJsonAsync(GroupsOf(tenant.SchoolId),
            new { externalId = "G-DUP", name = "Nog een", schoolYear = "2026-2027" }), HttpStatusCode.Conflict, "conflict");
        await AssertProblemAsync(await client.PutAsJsonAsync($"{GroupsOf(tenant.SchoolId)}/{second.Id}",
            new { externalId = "G-DUP", name = "Nog een", schoolYear = "2026-2027" }), HttpStatusCode.Conflict, "conflict");
        var elsewhere = await CreateGroupAsync(client, tenant.SchoolIds[1], "G-DUP");

        Assert.That(elsewhere.SchoolId, Is.EqualTo(tenant.SchoolIds[1]));
        Assert.That(await Factory.QueryAsync(db => db.Groups.Where(g => g.SchoolId == tenant.SchoolId)
                .Select(g => g.ExternalId).ToListAsync()),
            Is.EquivalentTo(new[] { first.ExternalId, "G-OTHER" }));
    }

    [Test]
    public async Task A_group_is_not_found_under_another_school()
    {
        var tenant = await CreateTenantAsync();
        var group = await CreateGroupAsync(tenant.Full(), tenant.SchoolId, "G5A");

        await AssertProblemAsync(await tenant.Full().GetAsync($"{GroupsOf(tenant.SchoolIds[1])}/{group.Id}"),
            HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await tenant.Full().PutAsJsonAsync($"{GroupsOf(tenant.SchoolIds[1])}/{group.Id}",
            new { externalId = "G5A", name = "Verhuisd", schoolYear = "2026-2027" }), HttpStatusCode.NotFound, "not-found");

        var stored = await Factory.QueryAsync(db => db.Groups.AsNoTracking().SingleAsync(g => g.Id == group.Id));
        Assert.That((stored.SchoolId, stored.Name), Is.EqualTo((tenant.SchoolId, "Groep 5a")));
    }

    [TestCase("2026-2028")]
    [TestCase("1999-2000")]
    [TestCase("2026/2027")]
    public async Task An_update_to_an_invalid_school_year_is_a_validation_problem(string schoolYear)
    {
        var tenant = await CreateTenantAsync();
        var group = await CreateGroupAsync(tenant.Full(), tenant.SchoolId, "G5A");

        var problem = await AssertProblemAsync(await tenant.Full().PutAsJsonAsync($"{GroupsOf(tenant.SchoolId)}/{group.Id}",
            new { externalId = "G5A", name = "Groep 5a", schoolYear }), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "schoolYear" }), problem.ToJsonString());
        Assert.That(await Factory.QueryAsync(db => db.Groups.Where(g => g.Id == group.Id).Select(g => g.SchoolYear).SingleAsync()),
            Is.EqualTo("2026-2027"));
    }
}
