using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Pupils;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Pupils;

public sealed class PupilTests : ApiTest
{
    private static readonly DateOnly BirthDate = new(2016, 3, 1);

    private static DateOnly TodayUtc => LocalDay.Today;

    private static string PupilsOf(Guid schoolId) => $"/v1/schools/{schoolId}/pupils";

    private static IEnumerable<string> ErrorKeys(JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    private static async Task<GroupResponse> CreateGroupAsync(HttpClient client, Guid schoolId, string externalId)
    {
        var response = await client.PostAsJsonAsync($"/v1/schools/{schoolId}/groups",
            new { externalId, name = $"Groep {externalId}", schoolYear = "2026-2027" });
        return await response.ReadAsync<GroupResponse>();
    }

    private static async Task<PupilResponse> CreatePupilAsync(HttpClient client, Guid schoolId, object pupil)
    {
        var response = await client.PostAsJsonAsync(PupilsOf(schoolId), pupil);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<PupilResponse>();
    }

    private static Task<PupilResponse> CreatePupilAsync(HttpClient client, Guid schoolId, string externalId, Guid? groupId = null) =>
        CreatePupilAsync(client, schoolId, new { externalId, displayName = $"Leerling {externalId}", dateOfBirth = BirthDate, groupId });

    private static async Task<GuardianResponse> CreateGuardianAsync(HttpClient client, string externalId)
    {
        var response = await client.PostAsJsonAsync("/v1/guardians", new { externalId, displayName = $"Ouder {externalId}" });
        return await response.ReadAsync<GuardianResponse>();
    }

    private static async Task<PupilResponse> UpdateAsync(HttpClient client, Guid pupilId, object pupil)
    {
        var response = await client.PutAsJsonAsync($"/v1/pupils/{pupilId}", pupil);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<PupilResponse>();
    }

    private static async Task<PupilDetailResponse> GetPupilAsync(HttpClient client, Guid pupilId) =>
        await (await client.GetAsync($"/v1/pupils/{pupilId}")).ReadAsync<PupilDetailResponse>();

    private static async Task<GuardianDetailResponse> GetGuardianAsync(HttpClient client, Guid guardianId) =>
        await (await client.GetAsync($"/v1/guardians/{guardianId}")).ReadAsync<GuardianDetailResponse>();

    private static async Task<List<PupilResponse>> ListAsync(HttpClient client, Guid schoolId, string query = "")
    {
        var page = await (await client.GetAsync($"{PupilsOf(schoolId)}{query}")).ReadAsync<Page<PupilResponse>>();
        Assert.That(page.NextCursor, Is.Null);
        return [.. page.Items];
    }

    private static PupilResponse Summary(PupilDetailResponse p) =>
        new(p.Id, p.SchoolId, p.ExternalId, p.DisplayName, p.DateOfBirth, p.GroupId, p.Status, p.LeftOn);

    [Test]
    public async Task A_pupil_is_created_with_a_Location_and_reads_back_without_guardians()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var group = await CreateGroupAsync(client, tenant.SchoolId, "G5A");

        var response = await client.PostAsJsonAsync(PupilsOf(tenant.SchoolId),
            new { externalId = "P1", displayName = " Sanne de Vries ", dateOfBirth = "2016-03-01", groupId = group.Id });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var created = await response.ReadAsync<PupilResponse>();
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo($"/v1/pupils/{created.Id}"));
        Assert.That(created, Is.EqualTo(new PupilResponse(created.Id, tenant.SchoolId, "P1", "Sanne de Vries", BirthDate, group.Id,
            PupilStatus.Active, null)));

        var read = await GetPupilAsync(client, created.Id);
        Assert.That(Summary(read), Is.EqualTo(created));
        Assert.That(read.Guardians, Is.Empty);
        var json = await (await client.GetAsync($"/v1/pupils/{created.Id}")).ReadObjectAsync();
        Assert.That(((string?)json["status"], json["leftOn"]), Is.EqualTo(("active", (JsonNode?)null)));
    }

    [Test]
    public async Task An_update_replaces_details_and_group_and_reads_back()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var g5 = await CreateGroupAsync(client, tenant.SchoolId, "G5A");
        var g6 = await CreateGroupAsync(client, tenant.SchoolId, "G6A");
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1", g5.Id);

        var updated = await UpdateAsync(client, pupil.Id,
            new { externalId = "P1-NEW", displayName = "Sanne Jansen", dateOfBirth = "2015-12-31", groupId = g6.Id });

        var expected = new PupilResponse(pupil.Id, tenant.SchoolId, "P1-NEW", "Sanne Jansen", new DateOnly(2015, 12, 31), g6.Id,
            PupilStatus.Active, null);
        Assert.That(updated, Is.EqualTo(expected));
        Assert.That(Summary(await GetPupilAsync(client, pupil.Id)), Is.EqualTo(expected));

        var ungrouped = await UpdateAsync(client, pupil.Id,
            new { externalId = "P1-NEW", displayName = "Sanne Jansen", dateOfBirth = "2015-12-31" });
        Assert.That(ungrouped.GroupId, Is.Null);
    }

    [Test]
    public async Task The_list_filters_by_group_status_and_external_id()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var g5 = await CreateGroupAsync(client, tenant.SchoolId, "G5A");
        var g6 = await CreateGroupAsync(client, tenant.SchoolId, "G6A");
        var p1 = await CreatePupilAsync(client, tenant.SchoolId, "P1", g5.Id);
        var p2 = await CreatePupilAsync(client, tenant.SchoolId, "P2", g5.Id);
        var p3 = await CreatePupilAsync(client, tenant.SchoolId, "P3", g6.Id);
        var p4 = await CreatePupilAsync(client, tenant.SchoolId, "P4");
        var elsewhere = await CreatePupilAsync(client, tenant.SchoolIds[1], "P1");
        p2 = await UpdateAsync(client, p2.Id,
            new { externalId = "P2", displayName = "Leerling P2", dateOfBirth = BirthDate, groupId = g5.Id, status = "left" });

        var all = await ListAsync(client, tenant.SchoolId);
        var inG5 = await ListAsync(client, tenant.SchoolId, $"?groupId={g5.Id}");
        var inG6 = await ListAsync(client, tenant.SchoolId, $"?groupId={g6.Id}");
        var active = await ListAsync(client, tenant.SchoolId, "?status=active");
        var left = await ListAsync(client, tenant.SchoolId, "?status=left");
        var activeInG5 = await ListAsync(client, tenant.SchoolId, $"?groupId={g5.Id}&status=active");
        var byExternalId = await ListAsync(client, tenant.SchoolId, "?externalId=P3");
        var unknownExternalId = await ListAsync(client, tenant.SchoolId, "?externalId=P9");
        var otherSchool = await ListAsync(client, tenant.SchoolIds[1], "?externalId=P1");

        Assert.Multiple(() =>
        {
            Assert.That(all, Is.EqualTo(new[] { p1, p2, p3, p4 }.InIdOrder(p => p.Id)));
            Assert.That(inG5, Is.EqualTo(new[] { p1, p2 }.InIdOrder(p => p.Id)));
            Assert.That(inG6, Is.EqualTo(new[] { p3 }));
            Assert.That(active, Is.EqualTo(new[] { p1, p3, p4 }.InIdOrder(p => p.Id)));
            Assert.That(left, Is.EqualTo(new[] { p2 }));
            Assert.That(activeInG5, Is.EqualTo(new[] { p1 }));
            Assert.That(byExternalId, Is.EqualTo(new[] { p3 }));
            Assert.That(unknownExternalId, Is.Empty);
            Assert.That(otherSchool, Is.EqualTo(new[] { elsewhere }));
        });
    }

    [Test]
    public async Task An_unknown_status_filter_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertProblemAsync(await tenant.Full().GetAsync($"{PupilsOf(tenant.SchoolId)}?status=gone"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "status" }), problem.ToJsonString());
    }

    [Test]
    public async Task Leaving_without_a_day_sets_left_on_to_today_and_returning_clears_it()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1");

        var before = TodayUtc;
        var left = await UpdateAsync(client, pupil.Id,
            new { externalId = "P1", displayName = "Leerling P1", dateOfBirth = BirthDate, status = "left" });
        var after = TodayUtc;

        Assert.That(left.Status, Is.EqualTo(PupilStatus.Left));
        Assert.That(left.LeftOn, Is.EqualTo(before).Or.EqualTo(after));
        var read = await GetPupilAsync(client, pupil.Id);
        Assert.That((read.Status, read.LeftOn), Is.EqualTo((PupilStatus.Left, left.LeftOn)));

        var back = await UpdateAsync(client, pupil.Id,
            new { externalId = "P1", displayName = "Leerling P1", dateOfBirth = BirthDate, status = "active" });

        Assert.That((back.Status, back.LeftOn), Is.EqualTo((PupilStatus.Active, (DateOnly?)null)));
        var stored = await Factory.QueryAsync(db => db.Pupils.AsNoTracking().SingleAsync(p => p.Id == pupil.Id));
        Assert.That((stored.Status, stored.LeftOn), Is.EqualTo((PupilStatus.Active, (DateOnly?)null)));
    }

    [Test]
    public async Task Leaving_on_a_given_day_records_that_day_and_a_later_update_without_a_day_keeps_it()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1");
        var day = TodayUtc.AddDays(-10);

        var left = await UpdateAsync(client, pupil.Id,
            new { externalId = "P1", displayName = "Leerling P1", dateOfBirth = BirthDate, status = "left", leftOn = day });
        Assert.That((left.Status, left.LeftOn), Is.EqualTo((PupilStatus.Left, (DateOnly?)day)));

        var renamed = await UpdateAsync(client, pupil.Id,
            new { externalId = "P1", displayName = "Andere naam", dateOfBirth = BirthDate, status = "left" });
        Assert.That((renamed.Status, renamed.LeftOn, renamed.DisplayName), Is.EqualTo((PupilStatus.Left, (DateOnly?)day, "Andere naam")));
    }

    [Test]
    public async Task Omitting_the_status_in_an_update_makes_a_left_pupil_active_again()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, new
        {
            externalId = "P1", displayName = "Leerling P1", dateOfBirth = BirthDate, status = "left", leftOn = TodayUtc.AddDays(-3),
        });
        Assert.That((pupil.Status, pupil.LeftOn), Is.EqualTo((PupilStatus.Left, (DateOnly?)TodayUtc.AddDays(-3))));

        var updated = await UpdateAsync(client, pupil.Id, new { externalId = "P1", displayName = "Leerling P1", dateOfBirth = BirthDate });

        Assert.That((updated.Status, updated.LeftOn), Is.EqualTo((PupilStatus.Active, (DateOnly?)null)));
    }

    [Test]
    public async Task A_left_on_day_with_status_active_or_without_status_is_a_validation_problem_on_leftOn()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1");
        var day = TodayUtc.AddDays(-1);

        var withActive = await AssertProblemAsync(await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}",
                new { externalId = "P1", displayName = "Leerling P1", dateOfBirth = BirthDate, status = "active", leftOn = day }),
            HttpStatusCode.BadRequest, "validation");
        var withoutStatus = await AssertProblemAsync(await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}",
                new { externalId = "P1", displayName = "Leerling P1", dateOfBirth = BirthDate, leftOn = day }),
            HttpStatusCode.BadRequest, "validation");
        var onCreate = await AssertProblemAsync(await client.PostAsJsonAsync(PupilsOf(tenant.SchoolId),
                new { externalId = "P2", displayName = "Leerling P2", dateOfBirth = BirthDate, status = "active", leftOn = day }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(withActive), Is.EqualTo(new[] { "leftOn" }), withActive.ToJsonString());
        Assert.That(ErrorKeys(withoutStatus), Is.EqualTo(new[] { "leftOn" }), withoutStatus.ToJsonString());
        Assert.That(ErrorKeys(onCreate), Is.EqualTo(new[] { "leftOn" }), onCreate.ToJsonString());
        Assert.That(await ListAsync(client, tenant.SchoolId), Is.EqualTo(new[] { pupil }));
    }

    [Test]
    public async Task A_left_on_day_in_the_future_is_a_validation_problem_on_leftOn()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1");

        var problem = await AssertProblemAsync(await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}",
                new { externalId = "P1", displayName = "Leerling P1", dateOfBirth = BirthDate, status = "left", leftOn = TodayUtc.AddDays(2) }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "leftOn" }), problem.ToJsonString());
        Assert.That((await GetPupilAsync(client, pupil.Id)).Status, Is.EqualTo(PupilStatus.Active));
    }

    [Test]
    public async Task A_group_of_another_school_is_a_validation_problem_on_groupId()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var own = await CreateGroupAsync(client, tenant.SchoolId, "G5A");
        var foreign = await CreateGroupAsync(client, tenant.SchoolIds[1], "G5A");
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1", own.Id);

        var onCreate = await AssertProblemAsync(await client.PostAsJsonAsync(PupilsOf(tenant.SchoolId),
                new { externalId = "P2", displayName = "Leerling P2", dateOfBirth = BirthDate, groupId = foreign.Id }),
            HttpStatusCode.BadRequest, "validation");
        var onUpdate = await AssertProblemAsync(await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}",
                new { externalId = "P1", displayName = "Leerling P1", dateOfBirth = BirthDate, groupId = foreign.Id }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(onCreate), Is.EqualTo(new[] { "groupId" }), onCreate.ToJsonString());
        Assert.That(ErrorKeys(onUpdate), Is.EqualTo(new[] { "groupId" }), onUpdate.ToJsonString());
        Assert.That((await GetPupilAsync(client, pupil.Id)).GroupId, Is.EqualTo(own.Id));
        Assert.That(await ListAsync(client, tenant.SchoolId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_date_of_birth_in_the_future_or_over_thirty_years_back_is_a_validation_problem_on_update()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1");

        foreach (var dateOfBirth in new[] { TodayUtc.AddDays(2), TodayUtc.AddYears(-31) })
        {
            var problem = await AssertProblemAsync(await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}",
                    new { externalId = "P1", displayName = "Leerling P1", dateOfBirth }),
                HttpStatusCode.BadRequest, "validation");
            Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "dateOfBirth" }), problem.ToJsonString());
        }
        Assert.That((await GetPupilAsync(client, pupil.Id)).DateOfBirth, Is.EqualTo(BirthDate));
    }

    [Test]
    public async Task An_update_to_the_external_id_of_another_pupil_of_the_school_is_a_conflict()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        await CreatePupilAsync(client, tenant.SchoolId, "P1");
        var p2 = await CreatePupilAsync(client, tenant.SchoolId, "P2");

        await AssertProblemAsync(await client.PutAsJsonAsync($"/v1/pupils/{p2.Id}",
                new { externalId = "P1", displayName = "Leerling P2", dateOfBirth = BirthDate }),
            HttpStatusCode.Conflict, "conflict");

        Assert.That((await GetPupilAsync(client, p2.Id)).ExternalId, Is.EqualTo("P2"));
    }

    [Test]
    public async Task Linking_a_guardian_shows_on_the_pupil_and_the_guardian_and_unlinking_removes_it()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1");
        var guardian = await CreateGuardianAsync(client, "O1");

        var link = await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}", new { hasParentalAuthority = true });

        Assert.That(link.StatusCode, Is.EqualTo(HttpStatusCode.OK), await link.Content.ReadAsStringAsync());
        Assert.That(await link.ReadAsync<PupilGuardianResponse>(),
            Is.EqualTo(new PupilGuardianResponse(guardian.Id, "O1", "Ouder O1", true)));
        Assert.That((await GetPupilAsync(client, pupil.Id)).Guardians,
            Is.EqualTo(new[] { new PupilGuardianResponse(guardian.Id, "O1", "Ouder O1", true) }));
        Assert.That((await GetGuardianAsync(client, guardian.Id)).Pupils,
            Is.EqualTo(new[] { new GuardianPupilResponse(pupil.Id, tenant.SchoolId, "Leerling P1", true) }));

        // Linking again changes the authority of the one link.
        var relink = await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}", new { hasParentalAuthority = false });
        Assert.That(await relink.ReadAsync<PupilGuardianResponse>(),
            Is.EqualTo(new PupilGuardianResponse(guardian.Id, "O1", "Ouder O1", false)));
        Assert.That((await GetPupilAsync(client, pupil.Id)).Guardians,
            Is.EqualTo(new[] { new PupilGuardianResponse(guardian.Id, "O1", "Ouder O1", false) }));
        Assert.That((await GetGuardianAsync(client, guardian.Id)).Pupils,
            Is.EqualTo(new[] { new GuardianPupilResponse(pupil.Id, tenant.SchoolId, "Leerling P1", false) }));

        var unlink = await client.DeleteAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}");

        Assert.That(unlink.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await unlink.Content.ReadAsStringAsync());
        Assert.That((await GetPupilAsync(client, pupil.Id)).Guardians, Is.Empty);
        Assert.That((await GetGuardianAsync(client, guardian.Id)).Pupils, Is.Empty);
        await AssertProblemAsync(await client.DeleteAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}"),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_pupils_guardians_are_listed_in_id_order()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1");
        var o1 = await CreateGuardianAsync(client, "O1");
        var o2 = await CreateGuardianAsync(client, "O2");
        var o3 = await CreateGuardianAsync(client, "O3");

        var inIdOrder = new[] { o1, o2, o3 }.InIdOrder(g => g.Id).ToList();

        // Linked last to first, so that listing in link order would show.
        foreach (var guardian in Enumerable.Reverse(inIdOrder))
        {
            (await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}", new { hasParentalAuthority = true }))
                .EnsureSuccessStatusCode();
        }

        Assert.That((await GetPupilAsync(client, pupil.Id)).Guardians.Select(g => g.GuardianId), Is.EqualTo(inIdOrder.Select(g => g.Id)));
    }

    [Test]
    public async Task An_eleventh_guardian_link_is_a_conflict_but_changing_an_existing_link_is_not()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1");
        var guardians = new List<GuardianResponse>();
        for (var i = 1; i <= 11; i++)
        {
            guardians.Add(await CreateGuardianAsync(client, $"O{i}"));
        }
        foreach (var guardian in guardians.Take(10))
        {
            var linked = await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}", new { hasParentalAuthority = true });
            Assert.That(linked.StatusCode, Is.EqualTo(HttpStatusCode.OK), await linked.Content.ReadAsStringAsync());
        }

        await AssertProblemAsync(
            await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardians[10].Id}", new { hasParentalAuthority = true }),
            HttpStatusCode.Conflict, "conflict");
        var change = await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardians[0].Id}", new { hasParentalAuthority = false });

        Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.OK), await change.Content.ReadAsStringAsync());
        var read = await GetPupilAsync(client, pupil.Id);
        Assert.That(read.Guardians.Select(g => g.GuardianId), Is.EqualTo(guardians.Take(10).Select(g => g.Id).InIdOrder()));
        Assert.That(read.Guardians.Count(g => !g.HasParentalAuthority), Is.EqualTo(1));
        Assert.That(await Factory.QueryAsync(db => db.GuardianLinks.CountAsync(l => l.PupilId == pupil.Id)), Is.EqualTo(10));
    }

    [Test]
    public async Task A_guardian_of_another_organisation_cannot_be_linked()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var pupil = await CreatePupilAsync(tenant.Full(), tenant.SchoolId, "P1");
        var foreign = await CreateGuardianAsync(other.Full(), "O1");

        await AssertProblemAsync(
            await tenant.Full().PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{foreign.Id}", new { hasParentalAuthority = true }),
            HttpStatusCode.NotFound, "not-found");

        Assert.That(await Factory.QueryAsync(db => db.GuardianLinks.CountAsync(l => l.GuardianId == foreign.Id)), Is.Zero);
    }

    [Test]
    public async Task A_link_without_hasParentalAuthority_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var pupil = await CreatePupilAsync(client, tenant.SchoolId, "P1");
        var guardian = await CreateGuardianAsync(client, "O1");

        var problem = await AssertProblemAsync(await client.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}", new { }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "hasParentalAuthority" }), problem.ToJsonString());
        Assert.That((await GetPupilAsync(client, pupil.Id)).Guardians, Is.Empty);
    }
}
