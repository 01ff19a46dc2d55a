using Microsoft.AspNetCore.Hosting;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Features.ApiClients;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ConsentApi.Tests.Features.ApiClients;

public sealed class ApiClientTests : ApiTest
{
    private static IEnumerable<string> ErrorKeys(JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    private static async Task<CreatedApiClientResponse> CreateClientAsync(HttpClient admin, object body)
    {
        var response = await admin.PostAsJsonAsync("/v1/api-clients", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<CreatedApiClientResponse>();
    }

    /// <summary>Every row of every table of the database, as JSON text.</summary>
    private async Task<string> DumpDatabaseAsync()
    {
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        Assert.That(tables, Does.Contain("api_clients"));

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand(
                "SELECT coalesce(string_agg(row_to_json(t)::text, E'\\n'), '') FROM " + new NpgsqlCommandBuilder().QuoteIdentifier(table) + " t",
                connection);
            dump.AppendLine((string)(await select.ExecuteScalarAsync())!);
        }
        return dump.ToString();
    }

    [Test]
    public async Task A_created_client_has_its_key_once_with_the_prefix_and_sorted_scopes()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Admin().PostAsJsonAsync("/v1/api-clients",
            new { name = " ParnasSys koppeling ", scopes = new[] { "roster:read", "consent:write", "roster:read" }, schoolIds = new[] { tenant.SchoolIds[1], tenant.SchoolIds[0] } });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var created = await response.ReadAsync<CreatedApiClientResponse>();
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo($"/v1/api-clients/{created.Client.Id}"));
            Assert.That(created.ApiKey, Does.Match("^cak_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$"));
            Assert.That(created.Client.KeyPrefix, Is.EqualTo(created.ApiKey[..16]));
            Assert.That(created.Client.Name, Is.EqualTo("ParnasSys koppeling"));
            Assert.That(created.Client.Scopes, Is.EqualTo(new[] { "consent:write", "roster:read" }));
            Assert.That(created.Client.SchoolIds, Is.EquivalentTo(tenant.SchoolIds));
            Assert.That(created.Client.RevokedAt, Is.Null);
            Assert.That(created.Client.CreatedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(2)));
        });
        var works = await Client(created.ApiKey).GetAsync($"/v1/schools/{tenant.SchoolIds[1]}/pupils");
        Assert.That(works.StatusCode, Is.EqualTo(HttpStatusCode.OK), await works.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Reading_or_listing_clients_never_shows_a_key()
    {
        var tenant = await CreateTenantAsync();
        var created = await CreateClientAsync(tenant.Admin(), new { name = "Ouderapp", scopes = new[] { "consent:read" } });
        var secret = created.ApiKey[17..];

        var get = await tenant.Admin().GetAsync($"/v1/api-clients/{created.Client.Id}");
        var list = await tenant.Admin().GetAsync("/v1/api-clients?limit=200");
        var getText = await get.Content.ReadAsStringAsync();
        var listText = await list.Content.ReadAsStringAsync();

        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.OK), getText);
        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK), listText);
        var one = JsonNode.Parse(getText)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(one.Select(p => p.Key), Is.EquivalentTo(new[] { "id", "name", "keyPrefix", "scopes", "schoolIds", "createdAt", "revokedAt" }));
            Assert.That((string?)one["keyPrefix"], Is.EqualTo(created.ApiKey[..16]));
            Assert.That(getText, Does.Not.Contain(secret));
            Assert.That(listText, Does.Not.Contain(secret));
            Assert.That(listText, Does.Not.Contain("apiKey"));
        });
        var page = JsonNode.Parse(listText)!.AsObject();
        var listed = page["items"]!.AsArray().Select(i => i!.AsObject()).Single(i => (string?)i["id"] == created.Client.Id.ToString());
        Assert.That(listed.Select(p => p.Key), Is.EquivalentTo(new[] { "id", "name", "keyPrefix", "scopes", "schoolIds", "createdAt", "revokedAt" }));
        Assert.That((string?)listed["keyPrefix"], Is.EqualTo(created.ApiKey[..16]));
    }

    [Test]
    public async Task The_list_holds_every_client_of_the_organisation_and_none_of_another()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var mine = await CreateClientAsync(tenant.Admin(), new { name = "Mijn koppeling", scopes = new[] { "roster:read" } });
        var theirs = await CreateClientAsync(other.Admin(), new { name = "Hun koppeling", scopes = new[] { "roster:read" } });

        var page = await (await tenant.Admin().GetAsync("/v1/api-clients")).ReadAsync<Page<ApiClientResponse>>();

        // The initial admin, the test's full key, and the one just made.
        var expected = await Factory.QueryAsync(db => db.ApiClients.Where(c => c.OrganisationId == tenant.OrganisationId)
            .OrderBy(c => c.Id).Select(c => c.Id).ToListAsync());
        Assert.That(expected, Has.Count.EqualTo(3));
        Assert.That(page.Items.Select(c => c.Id), Is.EqualTo(expected));
        Assert.That(page.Items.Select(c => c.Id), Does.Contain(mine.Client.Id));
        Assert.That(page.Items.Select(c => c.Id), Does.Not.Contain(theirs.Client.Id));
        await AssertProblemAsync(await tenant.Admin().GetAsync($"/v1/api-clients/{theirs.Client.Id}"), HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task The_database_keeps_only_the_sha256_of_the_key()
    {
        var tenant = await CreateTenantAsync();
        var created = await CreateClientAsync(tenant.Admin(), new { name = "Hash check", scopes = new[] { "roster:read" } });

        var stored = await Factory.QueryAsync(db => db.ApiClients.AsNoTracking().SingleAsync(c => c.Id == created.Client.Id));

        Assert.That(stored.KeyHash, Has.Length.EqualTo(32));
        Assert.That(stored.KeyHash, Is.EqualTo(SHA256.HashData(Encoding.UTF8.GetBytes(created.ApiKey))));
        Assert.That(stored.KeyPrefix, Is.EqualTo(created.ApiKey[..16]));
        var dump = await DumpDatabaseAsync();
        Assert.That(dump, Does.Contain(created.Client.Id.ToString()), "the dump must hold the client's row");
        Assert.That(dump, Does.Not.Contain(created.ApiKey[17..]));
        Assert.That(dump, Does.Not.Contain(tenant.FullKey[17..]));
        Assert.That(dump, Does.Not.Contain(tenant.AdminKey[17..]));
    }

    [TestCase("superuser")]
    [TestCase("platform")]
    [TestCase("Admin")]
    public async Task An_unknown_scope_is_a_validation_problem_on_scopes(string scope)
    {
        var tenant = await CreateTenantAsync();
        var before = await Factory.QueryAsync(db => db.ApiClients.CountAsync());

        var problem = await AssertProblemAsync(
            await tenant.Admin().PostAsJsonAsync("/v1/api-clients", new { name = "Fout", scopes = new[] { "roster:read", scope } }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "scopes" }), problem.ToJsonString());
        Assert.That(await Factory.QueryAsync(db => db.ApiClients.CountAsync()), Is.EqualTo(before));
    }

    [Test]
    public async Task No_scopes_at_all_is_a_validation_problem_on_scopes()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertProblemAsync(
            await tenant.Admin().PostAsJsonAsync("/v1/api-clients", new { name = "Leeg", scopes = Array.Empty<string>() }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "scopes" }), problem.ToJsonString());
    }

    [Test]
    public async Task An_unknown_school_or_one_of_another_organisation_is_a_validation_problem_on_schoolIds()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var before = await Factory.QueryAsync(db => db.ApiClients.CountAsync());

        foreach (var schoolId in new[] { Guid.NewGuid(), other.SchoolId })
        {
            var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/api-clients",
                    new { name = "Fout", scopes = new[] { "roster:read" }, schoolIds = new[] { tenant.SchoolId, schoolId } }),
                HttpStatusCode.BadRequest, "validation");
            Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "schoolIds" }), problem.ToJsonString());
        }
        Assert.That(await Factory.QueryAsync(db => db.ApiClients.CountAsync()), Is.EqualTo(before));
    }

    [Test]
    public async Task A_school_limited_admin_creates_only_clients_limited_to_its_own_schools()
    {
        var tenant = await CreateTenantAsync();
        var limitedAdmin = await tenant.ClientWithAsync([Scopes.Admin], [tenant.SchoolIds[0]]);
        var before = await Factory.QueryAsync(db => db.ApiClients.CountAsync());

        await AssertProblemAsync(await limitedAdmin.PostAsJsonAsync("/v1/api-clients", new { name = "Alles", scopes = new[] { "roster:read" } }),
            HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await limitedAdmin.PostAsJsonAsync("/v1/api-clients",
                new { name = "Andere school", scopes = new[] { "roster:read" }, schoolIds = new[] { tenant.SchoolIds[1] } }),
            HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await limitedAdmin.PostAsJsonAsync("/v1/api-clients",
                new { name = "Beide", scopes = new[] { "roster:read" }, schoolIds = tenant.SchoolIds }),
            HttpStatusCode.Forbidden, "forbidden");
        Assert.That(await Factory.QueryAsync(db => db.ApiClients.CountAsync()), Is.EqualTo(before));

        var own = await CreateClientAsync(limitedAdmin,
            new { name = "Eigen school", scopes = new[] { "roster:read" }, schoolIds = new[] { tenant.SchoolIds[0] } });

        Assert.That(own.Client.SchoolIds, Is.EqualTo(new[] { tenant.SchoolIds[0] }));
        var schools = await (await Client(own.ApiKey).GetAsync("/v1/schools")).ReadObjectAsync();
        Assert.That(schools["items"]!.AsArray().Select(s => (string?)s!["id"]), Is.EqualTo(new[] { tenant.SchoolIds[0].ToString() }));
    }

    [Test]
    public async Task Revoking_sets_revokedAt_and_revoking_again_is_harmless()
    {
        var tenant = await CreateTenantAsync();
        var created = await CreateClientAsync(tenant.Admin(), new { name = "Weg ermee", scopes = new[] { "roster:read" } });

        var first = await tenant.Admin().DeleteAsync($"/v1/api-clients/{created.Client.Id}");
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await first.Content.ReadAsStringAsync());
        var revoked = await (await tenant.Admin().GetAsync($"/v1/api-clients/{created.Client.Id}")).ReadAsync<ApiClientResponse>();

        var second = await tenant.Admin().DeleteAsync($"/v1/api-clients/{created.Client.Id}");
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await second.Content.ReadAsStringAsync());
        var again = await (await tenant.Admin().GetAsync($"/v1/api-clients/{created.Client.Id}")).ReadAsync<ApiClientResponse>();

        Assert.That(revoked.RevokedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(2)));
        Assert.That(again.RevokedAt, Is.EqualTo(revoked.RevokedAt), "a second revoke keeps the first moment");
        Assert.That((again.Name, again.KeyPrefix), Is.EqualTo((created.Client.Name, created.Client.KeyPrefix)));
        var listed = await (await tenant.Admin().GetAsync("/v1/api-clients")).ReadAsync<Page<ApiClientResponse>>();
        Assert.That(listed.Items.Single(c => c.Id == created.Client.Id).RevokedAt, Is.EqualTo(revoked.RevokedAt));
    }

    [Test]
    public async Task The_key_of_a_revoked_client_is_rejected()
    {
        var tenant = await CreateTenantAsync();
        var created = await CreateClientAsync(tenant.Admin(), new { name = "Oude koppeling", scopes = new[] { "roster:read" } });
        var client = Client(created.ApiKey);
        Assert.That((await client.GetAsync("/v1/schools")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        (await tenant.Admin().DeleteAsync($"/v1/api-clients/{created.Client.Id}")).EnsureSuccessStatusCode();

        await AssertProblemAsync(await client.GetAsync("/v1/schools"), HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(await Client(created.ApiKey).GetAsync("/v1/guardians"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Test]
    public async Task A_key_in_use_while_it_is_revoked_is_refused_by_every_request_that_starts_after_the_revocation()
    {
        var tenant = await CreateTenantAsync();
        // The race needs a lookup to land while the revocation is written but not yet committed: a few rounds make that
        // near certain when the cache can be refilled from the old row.
        for (var round = 1; round <= 3; round++)
        {
            var created = await CreateClientAsync(tenant.Admin(), new { name = $"Drukke koppeling {round}", scopes = new[] { "roster:read" } });
            var requests = new ConcurrentQueue<(long Started, HttpStatusCode Status)>();
            using var stop = new CancellationTokenSource();
            var users = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var client = Client(created.ApiKey);
                while (!stop.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync("/v1/schools");
                    requests.Enqueue((started, response.StatusCode));
                    // Paced: refused calls count against the caller's address, whose window also guards key lookups. Unpaced,
                    // a fast machine sends tens of thousands in a round and leaves the address no lookups for the minute.
                    await Task.Delay(TimeSpan.FromMilliseconds(2));
                }
            })).ToArray();
            await Task.Delay(TimeSpan.FromMilliseconds(300));

            var revoke = await tenant.Admin().DeleteAsync($"/v1/api-clients/{created.Client.Id}");
            var revoked = Stopwatch.GetTimestamp();
            // Longer than ApiKeys:CacheDuration (one second), so a lookup cached from the unrevoked row would show.
            await Task.Delay(TimeSpan.FromMilliseconds(1500));
            await stop.CancelAsync();
            await Task.WhenAll(users);

            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await revoke.Content.ReadAsStringAsync());
            var before = requests.Where(r => r.Started < revoked).ToList();
            var after = requests.Where(r => r.Started > revoked).ToList();
            Assert.That(before.Count(r => r.Status == HttpStatusCode.OK), Is.GreaterThan(0), $"round {round}: the key was in use");
            Assert.That(after, Has.Count.GreaterThan(20), $"round {round}: the key was used after the revocation");
            Assert.That(after.Where(r => r.Status != HttpStatusCode.Unauthorized).Select(r => r.Status), Is.Empty,
                $"round {round}: of {after.Count} requests that started after the revocation returned, these were not refused");
        }
    }

    [Test]
    public async Task A_key_revoked_through_another_instance_is_refused_there_once_its_cached_lookup_expires()
    {
        var tenant = await CreateTenantAsync();
        var created = await CreateClientAsync(tenant.Admin(), new { name = "Koppeling", scopes = new[] { "roster:read" } });
        await using var otherInstance = Factory.WithWebHostBuilder(b => b.UseSetting("ApiKeys:CacheDuration", "00:00:00.200"));
        var there = otherInstance.CreateClient();
        there.DefaultRequestHeaders.Add("X-Api-Key", created.ApiKey);
        Assert.That((await there.GetAsync("/v1/schools")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the lookup is now cached there");

        (await tenant.Admin().DeleteAsync($"/v1/api-clients/{created.Client.Id}")).EnsureSuccessStatusCode();
        await Task.Delay(TimeSpan.FromMilliseconds(400));

        await AssertProblemAsync(await there.GetAsync("/v1/schools"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Test]
    public async Task An_admin_can_revoke_its_own_key_and_is_locked_out_from_then_on()
    {
        var tenant = await CreateTenantAsync();
        var key = await tenant.CreateKeyAsync([Scopes.Admin]);
        var admin = Client(key);
        var id = await Factory.QueryAsync(db => db.ApiClients.Where(c => c.KeyPrefix == key.Substring(0, 16)).Select(c => c.Id).SingleAsync());

        Assert.That((await admin.DeleteAsync($"/v1/api-clients/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        await AssertProblemAsync(await admin.GetAsync("/v1/api-clients"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Test]
    public async Task A_school_limited_admin_revokes_clients_of_its_school_but_finds_no_unlimited_ones()
    {
        var tenant = await CreateTenantAsync();
        var limitedAdmin = await tenant.ClientWithAsync([Scopes.Admin], [tenant.SchoolIds[0]]);
        var ownSchool = await CreateClientAsync(tenant.Admin(),
            new { name = "School A", scopes = new[] { "roster:read" }, schoolIds = new[] { tenant.SchoolIds[0] } });
        var unlimited = await CreateClientAsync(tenant.Admin(), new { name = "Alles", scopes = new[] { "roster:read" } });

        await AssertProblemAsync(await limitedAdmin.DeleteAsync($"/v1/api-clients/{unlimited.Client.Id}"), HttpStatusCode.NotFound, "not-found");
        Assert.That((await limitedAdmin.DeleteAsync($"/v1/api-clients/{ownSchool.Client.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        var revokedAt = await Factory.QueryAsync(db => db.ApiClients.Where(c => c.Id == ownSchool.Client.Id || c.Id == unlimited.Client.Id)
            .ToDictionaryAsync(c => c.Id, c => c.RevokedAt));
        Assert.That(revokedAt[ownSchool.Client.Id], Is.Not.Null);
        Assert.That(revokedAt[unlimited.Client.Id], Is.Null);
    }

    [Test]
    public async Task A_school_limited_admin_sees_only_the_clients_of_its_own_schools()
    {
        var tenant = await CreateTenantAsync(schools: 3);
        var limitedAdmin = await tenant.ClientWithAsync([Scopes.Admin], [tenant.SchoolIds[0], tenant.SchoolIds[1]]);
        var own = await CreateClientAsync(tenant.Admin(),
            new { name = "School A", scopes = new[] { "roster:read" }, schoolIds = new[] { tenant.SchoolIds[0] } });
        var otherSchool = await CreateClientAsync(tenant.Admin(),
            new { name = "School C", scopes = new[] { "roster:read" }, schoolIds = new[] { tenant.SchoolIds[2] } });
        var straddling = await CreateClientAsync(tenant.Admin(),
            new { name = "School A en C", scopes = new[] { "roster:read" }, schoolIds = new[] { tenant.SchoolIds[0], tenant.SchoolIds[2] } });
        var unlimited = await CreateClientAsync(tenant.Admin(), new { name = "Alles", scopes = new[] { "roster:read" } });

        var listed = (await (await limitedAdmin.GetAsync("/v1/api-clients?limit=200")).ReadObjectAsync())["items"]!.AsArray()
            .Select(c => (Guid)c!["id"]!).ToList();

        Assert.That(listed, Does.Contain(own.Client.Id));
        foreach (var hidden in new[] { otherSchool, straddling, unlimited })
        {
            Assert.That(listed, Does.Not.Contain(hidden.Client.Id), hidden.Client.Name);
            await AssertProblemAsync(await limitedAdmin.GetAsync($"/v1/api-clients/{hidden.Client.Id}"), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await limitedAdmin.DeleteAsync($"/v1/api-clients/{hidden.Client.Id}"), HttpStatusCode.NotFound, "not-found");
        }
        Assert.That((await limitedAdmin.GetAsync($"/v1/api-clients/{own.Client.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var all = (await (await tenant.Admin().GetAsync("/v1/api-clients?limit=200")).ReadObjectAsync())["items"]!.AsArray().Count;
        Assert.That(all, Is.GreaterThan(listed.Count), "the organisation's admin still sees every client");
    }
}
