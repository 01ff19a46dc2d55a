using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain;
using ConsentApi.Features.Organisations;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Organisations;

public sealed class OrganisationTests : ApiTest
{
    private static readonly TimeSpan Recently = TimeSpan.FromMinutes(2);

    /// <summary>Same organisation; createdAt compared to the microsecond PostgreSQL keeps (see the test on createdAt below).</summary>
    private static void AssertSame(OrganisationResponse actual, OrganisationResponse expected)
    {
        Assert.That((actual.Id, actual.Name), Is.EqualTo((expected.Id, expected.Name)));
        Assert.That(actual.CreatedAt, Is.EqualTo(expected.CreatedAt).Within(TimeSpan.FromMicroseconds(1)));
    }

    private async Task<CreatedOrganisationResponse> CreateOrganisationAsync(string name)
    {
        var response = await Platform().PostAsJsonAsync("/v1/organisations", new { name });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<CreatedOrganisationResponse>();
    }

    [Test]
    public async Task Platform_creates_an_organisation_with_a_Location_and_an_admin_client_holding_only_the_admin_scope()
    {
        var name = Unique("Stichting Create");

        var response = await Platform().PostAsJsonAsync("/v1/organisations", new { name });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var created = await response.ReadAsync<CreatedOrganisationResponse>();
        var admin = created.AdminClient;
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo($"/v1/organisations/{created.Organisation.Id}"));
            Assert.That(created.Organisation.Id, Is.Not.EqualTo(Guid.Empty));
            Assert.That(created.Organisation.Name, Is.EqualTo(name));
            Assert.That(created.Organisation.CreatedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(Recently));
            Assert.That(admin.Client.Scopes, Is.EqualTo(new[] { "admin" }));
            Assert.That(admin.Client.SchoolIds, Is.Empty);
            Assert.That(admin.Client.RevokedAt, Is.Null);
            Assert.That(admin.ApiKey, Does.Match("^cak_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$"));
            Assert.That(admin.Client.KeyPrefix, Is.EqualTo(admin.ApiKey[..16]));
        });

        var stored = await Factory.QueryAsync(db => db.ApiClients.AsNoTracking()
            .Where(c => c.OrganisationId == created.Organisation.Id).ToListAsync());
        Assert.That(stored.Select(c => (c.Id, string.Join(",", c.Scopes))), Is.EqualTo(new[] { (admin.Client.Id, "admin") }));
    }

    [Test]
    public async Task The_admin_key_of_a_new_organisation_reads_that_organisation()
    {
        var created = await CreateOrganisationAsync(Unique("Stichting Key"));

        var response = await Client(created.AdminClient.ApiKey).GetAsync($"/v1/organisations/{created.Organisation.Id}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        AssertSame(await response.ReadAsync<OrganisationResponse>(), created.Organisation);
    }

    [Test]
    public async Task The_admin_key_of_a_new_organisation_cannot_do_roster_work()
    {
        var created = await CreateOrganisationAsync(Unique("Stichting Scope"));

        var response = await Client(created.AdminClient.ApiKey).GetAsync("/v1/guardians");

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Test]
    public async Task A_duplicate_name_is_a_conflict_and_creates_nothing()
    {
        var name = Unique("Stichting Dup");
        await CreateOrganisationAsync(name);
        var before = await Factory.QueryAsync(async db => (await db.Organisations.CountAsync(), await db.ApiClients.CountAsync(),
            await db.AuditEvents.CountAsync()));

        await AssertProblemAsync(await Platform().PostAsJsonAsync("/v1/organisations", new { name }),
            HttpStatusCode.Conflict, "conflict");
        // The name is compared after trimming.
        await AssertProblemAsync(await Platform().PostAsJsonAsync("/v1/organisations", new { name = $"  {name} " }),
            HttpStatusCode.Conflict, "conflict");

        var after = await Factory.QueryAsync(async db => (await db.Organisations.CountAsync(), await db.ApiClients.CountAsync(),
            await db.AuditEvents.CountAsync()));
        Assert.That(after, Is.EqualTo(before));
    }

    [Test]
    public async Task Concurrent_creates_with_one_name_give_one_organisation_and_conflicts_for_the_rest()
    {
        var name = Unique("Stichting Race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 6)
            .Select(_ => Platform().PostAsJsonAsync("/v1/organisations", new { name })));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.That(statuses.Count(s => s == HttpStatusCode.Created), Is.EqualTo(1), string.Join(", ", statuses));
        Assert.That(statuses.Count(s => s == HttpStatusCode.Conflict), Is.EqualTo(5), string.Join(", ", statuses));
        Assert.That(await Factory.QueryAsync(db => db.Organisations.CountAsync(o => o.Name == name)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_name_shorter_than_two_characters_is_a_validation_problem()
    {
        var problem = await AssertProblemAsync(await Platform().PostAsJsonAsync("/v1/organisations", new { name = "X" }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "name" }), problem.ToJsonString());
    }

    [Test]
    public async Task The_platform_reads_any_organisation()
    {
        var created = await CreateOrganisationAsync(Unique("Stichting Platform"));

        var read = await (await Platform().GetAsync($"/v1/organisations/{created.Organisation.Id}")).ReadAsync<OrganisationResponse>();

        AssertSame(read, created.Organisation);
    }

    [Test]
    public async Task An_admin_reads_its_own_organisation_but_not_another()
    {
        var own = await CreateOrganisationAsync(Unique("Stichting Own"));
        var other = await CreateOrganisationAsync(Unique("Stichting Other"));
        var admin = Client(own.AdminClient.ApiKey);

        var read = await (await admin.GetAsync($"/v1/organisations/{own.Organisation.Id}")).ReadAsync<OrganisationResponse>();
        AssertSame(read, own.Organisation);

        await AssertProblemAsync(await admin.GetAsync($"/v1/organisations/{other.Organisation.Id}"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await admin.GetAsync($"/v1/organisations/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task The_createdAt_in_the_create_response_is_the_one_stored_and_read_back()
    {
        // Five organisations, so that a clock tick that happens to fall on a whole microsecond cannot hide a mismatch.
        var created = new List<OrganisationResponse>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await CreateOrganisationAsync(Unique("Stichting Time"))).Organisation);
        }
        var ids = created.Select(o => o.Id).ToList();

        var storedById = await Factory.QueryAsync(db => db.Organisations.Where(o => ids.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.CreatedAt));
        var stored = ids.Select(id => storedById[id]);
        var read = new List<DateTimeOffset>();
        foreach (var id in ids)
        {
            read.Add((await (await Platform().GetAsync($"/v1/organisations/{id}")).ReadAsync<OrganisationResponse>()).CreatedAt);
        }

        // PostgreSQL keeps microseconds; a response that reports 100-nanosecond ticks reports a moment that was never stored.
        Assert.That(created.Select(o => o.CreatedAt), Is.EqualTo(stored));
        Assert.That(created.Select(o => o.CreatedAt), Is.EqualTo(read));
    }

    [Test]
    public async Task An_admin_cannot_list_organisations()
    {
        var created = await CreateOrganisationAsync(Unique("Stichting List"));

        await AssertProblemAsync(await Client(created.AdminClient.ApiKey).GetAsync("/v1/organisations"),
            HttpStatusCode.Forbidden, "forbidden");
    }
}

/// <summary>Paging over organisations, on a database holding only the organisations this fixture creates.</summary>
public sealed class OrganisationPagingTests : ApiTest
{
    private readonly List<OrganisationResponse> _created = [];

    private static List<(Guid Id, string Name)> Keys(IEnumerable<OrganisationResponse> organisations) =>
        organisations.Select(o => (o.Id, o.Name)).ToList();

    [OneTimeSetUp]
    public async Task CreateThreeOrganisationsAsync()
    {
        foreach (var name in new[] { "Stichting Paging A", "Stichting Paging B", "Stichting Paging C" })
        {
            var response = await Platform().PostAsJsonAsync("/v1/organisations", new { name });
            _created.Add((await response.ReadAsync<CreatedOrganisationResponse>()).Organisation);
        }
    }

    [Test]
    public async Task Platform_lists_organisations_two_at_a_time_in_creation_order()
    {
        var first = await (await Platform().GetAsync("/v1/organisations?limit=2")).ReadAsync<Page<OrganisationResponse>>();

        Assert.That(Keys(first.Items), Is.EqualTo(Keys(_created.Take(2))));
        Assert.That(first.NextCursor, Is.EqualTo(Paging.CursorFor(_created[1].Id)));

        var second = await (await Platform().GetAsync($"/v1/organisations?limit=2&cursor={first.NextCursor}"))
            .ReadAsync<Page<OrganisationResponse>>();

        Assert.That(Keys(second.Items), Is.EqualTo(Keys(_created.Skip(2))));
        Assert.That(second.NextCursor, Is.Null);
    }

    [Test]
    public async Task A_page_that_holds_exactly_the_rest_has_no_next_cursor()
    {
        var page = await (await Platform().GetAsync("/v1/organisations?limit=3")).ReadAsync<Page<OrganisationResponse>>();

        Assert.That(Keys(page.Items), Is.EqualTo(Keys(_created)));
        Assert.That(page.NextCursor, Is.Null);
    }

    [Test]
    public async Task Without_a_limit_every_organisation_is_on_one_page()
    {
        var page = await (await Platform().GetAsync("/v1/organisations")).ReadAsync<Page<OrganisationResponse>>();

        Assert.That(Keys(page.Items), Is.EqualTo(Keys(_created)));
        Assert.That(page.NextCursor, Is.Null);
    }

    [Test]
    public async Task A_cursor_past_the_last_organisation_gives_an_empty_page()
    {
        var page = await (await Platform().GetAsync($"/v1/organisations?cursor={Paging.CursorFor(_created[2].Id)}"))
            .ReadAsync<Page<OrganisationResponse>>();

        Assert.That(page.Items, Is.Empty);
        Assert.That(page.NextCursor, Is.Null);
    }
}
