using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Features.Schools;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Schools;

public sealed class SchoolTests : ApiTest
{
    private static IEnumerable<string> ErrorKeys(JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    private static async Task<SchoolResponse> CreateSchoolAsync(HttpClient admin, string name, string brinCode)
    {
        var response = await admin.PostAsJsonAsync("/v1/schools", new { name, brinCode });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<SchoolResponse>();
    }

    [Test]
    public async Task An_admin_creates_a_school_with_a_Location_and_reads_it_back()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Admin().PostAsJsonAsync("/v1/schools", new { name = "  OBS De Regenboog ", brinCode = "20CD" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var created = await response.ReadAsync<SchoolResponse>();
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo($"/v1/schools/{created.Id}"));
            Assert.That(created.Name, Is.EqualTo("OBS De Regenboog"));
            Assert.That(created.BrinCode, Is.EqualTo("20CD"));
            Assert.That(created.CreatedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(2)));
        });

        var read = await (await tenant.Full().GetAsync($"/v1/schools/{created.Id}")).ReadAsync<SchoolResponse>();
        Assert.That(read with { CreatedAt = default }, Is.EqualTo(created with { CreatedAt = default }));
        Assert.That(read.CreatedAt, Is.EqualTo(created.CreatedAt).Within(TimeSpan.FromMilliseconds(1)));
        var stored = await Factory.QueryAsync(db => db.Schools.AsNoTracking().SingleAsync(s => s.Id == created.Id));
        Assert.That(stored.OrganisationId, Is.EqualTo(tenant.OrganisationId));
    }

    [Test]
    public async Task The_list_holds_every_school_of_the_organisation_and_none_of_another()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var third = await CreateSchoolAsync(tenant.Admin(), "Basisschool Het Anker", "30EF01");

        var page = await (await tenant.Full().GetAsync("/v1/schools")).ReadAsync<Page<SchoolResponse>>();

        Assert.That(page.Items.Select(s => s.Id), Is.EqualTo(tenant.SchoolIds.Append(third.Id).InIdOrder()));
        Assert.That(page.Items.Select(s => s.BrinCode), Is.EquivalentTo(new[] { "10AB", "11AB", "30EF01" }));
        Assert.That(page.Items.Select(s => s.Id), Has.None.AnyOf(other.SchoolIds.Cast<object>().ToArray()));
        Assert.That(page.NextCursor, Is.Null);
    }

    [Test]
    public async Task An_update_replaces_name_and_brin_code_and_reads_back()
    {
        var tenant = await CreateTenantAsync();
        var created = await CreateSchoolAsync(tenant.Admin(), "OBS Oud", "40GH");

        var response = await tenant.Admin().PutAsJsonAsync($"/v1/schools/{created.Id}", new { name = "OBS Nieuw ", brinCode = "40GH02" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var updated = await response.ReadAsync<SchoolResponse>();
        Assert.Multiple(() =>
        {
            Assert.That(updated.Id, Is.EqualTo(created.Id));
            Assert.That(updated.Name, Is.EqualTo("OBS Nieuw"));
            Assert.That(updated.BrinCode, Is.EqualTo("40GH02"));
            Assert.That(updated.CreatedAt, Is.EqualTo(created.CreatedAt).Within(TimeSpan.FromMilliseconds(1)));
        });
        var read = await (await tenant.Full().GetAsync($"/v1/schools/{created.Id}")).ReadAsync<SchoolResponse>();
        Assert.That((read.Name, read.BrinCode), Is.EqualTo(("OBS Nieuw", "40GH02")));
    }

    [Test]
    public async Task An_update_that_keeps_the_brin_code_is_no_conflict_with_itself()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Admin().PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}", new { name = "Zelfde BRIN", brinCode = "10AB" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((await response.ReadAsync<SchoolResponse>()).Name, Is.EqualTo("Zelfde BRIN"));
    }

    [Test]
    public async Task A_duplicate_brin_code_in_the_organisation_is_a_conflict_on_create_and_update()
    {
        var tenant = await CreateTenantAsync();
        var count = () => Factory.QueryAsync(db => db.Schools.CountAsync(s => s.OrganisationId == tenant.OrganisationId));

        await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/schools", new { name = "Dubbel", brinCode = "10AB" }),
            HttpStatusCode.Conflict, "conflict");
        Assert.That(await count(), Is.EqualTo(2));

        // Moving the second school onto the first one's BRIN code.
        await AssertProblemAsync(
            await tenant.Admin().PutAsJsonAsync($"/v1/schools/{tenant.SchoolIds[1]}", new { name = "Dubbel", brinCode = "10AB" }),
            HttpStatusCode.Conflict, "conflict");
        var second = await (await tenant.Full().GetAsync($"/v1/schools/{tenant.SchoolIds[1]}")).ReadAsync<SchoolResponse>();
        Assert.That((second.Name, second.BrinCode), Is.EqualTo(("School 1", "11AB")));
    }

    [Test]
    public async Task The_same_brin_code_in_another_organisation_is_fine()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        await CreateSchoolAsync(tenant.Admin(), "OBS Een", "50JK");

        var elsewhere = await CreateSchoolAsync(other.Admin(), "OBS Twee", "50JK");

        Assert.That(elsewhere.BrinCode, Is.EqualTo("50JK"));
    }

    [TestCase("12abc")]
    [TestCase("1234")]
    [TestCase("12ab")]
    [TestCase("12AB1")]
    [TestCase("12ABC3")]
    [TestCase("")]
    public async Task An_invalid_brin_code_is_a_validation_problem_on_brinCode(string brinCode)
    {
        var tenant = await CreateTenantAsync();

        var create = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/schools", new { name = "OBS Fout", brinCode }),
            HttpStatusCode.BadRequest, "validation");
        var update = await AssertProblemAsync(
            await tenant.Admin().PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}", new { name = "OBS Fout", brinCode }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(create), Is.EqualTo(new[] { "brinCode" }), create.ToJsonString());
        Assert.That(ErrorKeys(update), Is.EqualTo(new[] { "brinCode" }), update.ToJsonString());
        Assert.That(await Factory.QueryAsync(db => db.Schools.Where(s => s.OrganisationId == tenant.OrganisationId)
            .Select(s => s.BrinCode).ToListAsync()), Is.EquivalentTo(new[] { "10AB", "11AB" }));
    }

    [Test]
    public async Task A_client_limited_to_one_school_lists_and_reads_only_that_school()
    {
        var tenant = await CreateTenantAsync();
        var limited = await tenant.ClientWithAsync([Scopes.RosterRead], [tenant.SchoolIds[0]]);

        var page = await (await limited.GetAsync("/v1/schools")).ReadAsync<Page<SchoolResponse>>();

        Assert.That(page.Items.Select(s => s.Id), Is.EqualTo(new[] { tenant.SchoolIds[0] }));
        Assert.That((await limited.GetAsync($"/v1/schools/{tenant.SchoolIds[0]}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertProblemAsync(await limited.GetAsync($"/v1/schools/{tenant.SchoolIds[1]}"), HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task Schools_page_by_limit_and_cursor()
    {
        var tenant = await CreateTenantAsync();
        var third = await CreateSchoolAsync(tenant.Admin(), "OBS Drie", "60LM");

        var first = await (await tenant.Full().GetAsync("/v1/schools?limit=2")).ReadAsync<Page<SchoolResponse>>();
        var second = await (await tenant.Full().GetAsync($"/v1/schools?limit=2&cursor={first.NextCursor}")).ReadAsync<Page<SchoolResponse>>();

        var all = tenant.SchoolIds.Append(third.Id).InIdOrder().ToList();
        Assert.That(first.Items.Select(s => s.Id), Is.EqualTo(all[..2]));
        Assert.That(first.NextCursor, Is.Not.Null);
        Assert.That(second.Items.Select(s => s.Id), Is.EqualTo(all[2..]));
        Assert.That(second.NextCursor, Is.Null);
    }
}
