using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Pupils;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Guardians;

public sealed class GuardianTests : ApiTest
{
    private static async Task<GuardianResponse> CreateGuardianAsync(HttpClient client, string externalId, string? displayName = null)
    {
        var response = await client.PostAsJsonAsync("/v1/guardians", new { externalId, displayName = displayName ?? $"Ouder {externalId}" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<GuardianResponse>();
    }

    private static async Task<PupilResponse> CreatePupilAsync(HttpClient client, Guid schoolId, string externalId)
    {
        var response = await client.PostAsJsonAsync($"/v1/schools/{schoolId}/pupils",
            new { externalId, displayName = $"Leerling {externalId}", dateOfBirth = "2016-03-01" });
        return await response.ReadAsync<PupilResponse>();
    }

    private static async Task LinkAsync(HttpClient client, Guid pupilId, Guid guardianId, bool hasParentalAuthority = true)
    {
        var response = await client.PutAsJsonAsync($"/v1/pupils/{pupilId}/guardians/{guardianId}", new { hasParentalAuthority });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static async Task<List<GuardianResponse>> ListAsync(HttpClient client, string query = "")
    {
        var page = await (await client.GetAsync($"/v1/guardians{query}")).ReadAsync<Page<GuardianResponse>>();
        Assert.That(page.NextCursor, Is.Null);
        return [.. page.Items];
    }

    [Test]
    public async Task A_guardian_is_created_with_a_Location_and_reads_back_without_pupils()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Full().PostAsJsonAsync("/v1/guardians", new { externalId = "O1", displayName = " Marieke de Vries " });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var created = await response.ReadAsync<GuardianResponse>();
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo($"/v1/guardians/{created.Id}"));
        Assert.That(created, Is.EqualTo(new GuardianResponse(created.Id, "O1", "Marieke de Vries")));

        var read = await (await tenant.Full().GetAsync($"/v1/guardians/{created.Id}")).ReadAsync<GuardianDetailResponse>();
        Assert.That((read.Id, read.ExternalId, read.DisplayName), Is.EqualTo((created.Id, "O1", "Marieke de Vries")));
        Assert.That(read.Pupils, Is.Empty);
        var stored = await Factory.QueryAsync(db => db.Guardians.AsNoTracking().SingleAsync(g => g.Id == created.Id));
        Assert.That(stored.OrganisationId, Is.EqualTo(tenant.OrganisationId));
    }

    [Test]
    public async Task An_update_replaces_external_id_and_name_and_reads_back()
    {
        var tenant = await CreateTenantAsync();
        var created = await CreateGuardianAsync(tenant.Full(), "O1");

        var response = await tenant.Full().PutAsJsonAsync($"/v1/guardians/{created.Id}", new { externalId = "O1-NEW", displayName = "Peter Jansen" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await response.ReadAsync<GuardianResponse>(), Is.EqualTo(new GuardianResponse(created.Id, "O1-NEW", "Peter Jansen")));
        var read = await (await tenant.Full().GetAsync($"/v1/guardians/{created.Id}")).ReadAsync<GuardianDetailResponse>();
        Assert.That((read.ExternalId, read.DisplayName), Is.EqualTo(("O1-NEW", "Peter Jansen")));
        Assert.That(await ListAsync(tenant.Full(), "?externalId=O1"), Is.Empty);
    }

    [Test]
    public async Task The_list_holds_the_organisations_guardians_and_filters_by_external_id()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var o1 = await CreateGuardianAsync(tenant.Full(), "O1");
        var o2 = await CreateGuardianAsync(tenant.Full(), "O2");
        await CreateGuardianAsync(other.Full(), "O1");

        var all = await ListAsync(tenant.Full());
        var byO2 = await ListAsync(tenant.Full(), "?externalId=O2");
        var byO1 = await ListAsync(tenant.Full(), "?externalId=O1");
        var byLowerCase = await ListAsync(tenant.Full(), "?externalId=o1");
        var byUnknown = await ListAsync(tenant.Full(), "?externalId=O3");

        Assert.Multiple(() =>
        {
            Assert.That(all, Is.EqualTo(new[] { o1, o2 }.InIdOrder(g => g.Id)));
            Assert.That(byO2, Is.EqualTo(new[] { o2 }));
            Assert.That(byO1, Is.EqualTo(new[] { o1 }));
            Assert.That(byLowerCase, Is.Empty);
            Assert.That(byUnknown, Is.Empty);
        });
    }

    [Test]
    public async Task An_update_to_the_external_id_of_another_guardian_is_a_conflict()
    {
        var tenant = await CreateTenantAsync();
        await CreateGuardianAsync(tenant.Full(), "O1");
        var o2 = await CreateGuardianAsync(tenant.Full(), "O2");

        await AssertProblemAsync(await tenant.Full().PutAsJsonAsync($"/v1/guardians/{o2.Id}", new { externalId = "O1", displayName = "Dubbel" }),
            HttpStatusCode.Conflict, "conflict");

        var read = await (await tenant.Full().GetAsync($"/v1/guardians/{o2.Id}")).ReadAsync<GuardianDetailResponse>();
        Assert.That((read.ExternalId, read.DisplayName), Is.EqualTo(("O2", "Ouder O2")));
    }

    [Test]
    public async Task The_same_external_id_in_another_organisation_is_fine()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        await CreateGuardianAsync(tenant.Full(), "O-SAME");

        var elsewhere = await CreateGuardianAsync(other.Full(), "O-SAME");

        Assert.That(elsewhere.ExternalId, Is.EqualTo("O-SAME"));
    }

    [Test]
    public async Task A_school_limited_client_sees_a_guardian_only_once_linked_to_a_pupil_of_its_school()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var limited = await tenant.ClientWithAsync([Scopes.RosterRead, Scopes.RosterWrite], [tenant.SchoolIds[0]]);
        var guardian = await CreateGuardianAsync(full, "O1");
        var pupilA = await CreatePupilAsync(full, tenant.SchoolIds[0], "PA");
        var pupilB = await CreatePupilAsync(full, tenant.SchoolIds[1], "PB");

        await AssertProblemAsync(await limited.GetAsync($"/v1/guardians/{guardian.Id}"), HttpStatusCode.NotFound, "not-found");
        Assert.That(await ListAsync(limited, "?externalId=O1"), Is.Empty);
        await AssertProblemAsync(await limited.PutAsJsonAsync($"/v1/guardians/{guardian.Id}", new { externalId = "O1", displayName = "Verstopt" }),
            HttpStatusCode.NotFound, "not-found");

        // Linked to a pupil of the other school only: still invisible.
        await LinkAsync(full, pupilB.Id, guardian.Id, hasParentalAuthority: false);
        await AssertProblemAsync(await limited.GetAsync($"/v1/guardians/{guardian.Id}"), HttpStatusCode.NotFound, "not-found");
        Assert.That(await ListAsync(limited), Is.Empty);

        await LinkAsync(full, pupilA.Id, guardian.Id);

        var seen = await limited.GetAsync($"/v1/guardians/{guardian.Id}");
        Assert.That(seen.StatusCode, Is.EqualTo(HttpStatusCode.OK), await seen.Content.ReadAsStringAsync());
        var detail = await seen.ReadAsync<GuardianDetailResponse>();
        Assert.That(detail.Pupils, Is.EqualTo(new[] { new GuardianPupilResponse(pupilA.Id, tenant.SchoolIds[0], "Leerling PA", true) }));
        Assert.That(await ListAsync(limited), Is.EqualTo(new[] { guardian }));

        // The unlimited client sees both pupils.
        var everything = await (await full.GetAsync($"/v1/guardians/{guardian.Id}")).ReadAsync<GuardianDetailResponse>();
        Assert.That(everything.Pupils, Is.EquivalentTo(new[]
        {
            new GuardianPupilResponse(pupilA.Id, tenant.SchoolIds[0], "Leerling PA", true),
            new GuardianPupilResponse(pupilB.Id, tenant.SchoolIds[1], "Leerling PB", false),
        }));
        Assert.That(everything.Pupils.Select(p => p.PupilId), Is.Ordered);
    }

    [Test]
    public async Task A_guardian_unlinked_from_the_last_pupil_of_its_school_stays_known_to_that_school()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var limited = await tenant.ClientWithAsync([Scopes.RosterRead], [tenant.SchoolIds[0]]);
        var guardian = await CreateGuardianAsync(full, "O1");
        var pupil = await CreatePupilAsync(full, tenant.SchoolIds[0], "PA");
        await LinkAsync(full, pupil.Id, guardian.Id);
        Assert.That((await limited.GetAsync($"/v1/guardians/{guardian.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        (await full.DeleteAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}")).EnsureSuccessStatusCode();

        // The school's history names the guardian (their decisions stay): the school keeps knowing them, without pupils.
        var detail = await (await limited.GetAsync($"/v1/guardians/{guardian.Id}")).ReadAsync<GuardianDetailResponse>();
        Assert.That(detail.Pupils, Is.Empty);
    }

    [Test]
    public async Task A_school_limited_client_can_add_a_guardian_and_link_it_to_a_pupil_of_its_school()
    {
        var tenant = await CreateTenantAsync();
        var limited = await tenant.ClientWithAsync([Scopes.RosterRead, Scopes.RosterWrite], [tenant.SchoolIds[0]]);
        var pupil = await CreatePupilAsync(tenant.Full(), tenant.SchoolIds[0], "PA");

        var guardian = await CreateGuardianAsync(limited, "O1");
        var unlinked = await (await limited.GetAsync($"/v1/guardians/{guardian.Id}")).ReadAsync<GuardianDetailResponse>();
        Assert.That(unlinked.Pupils, Is.Empty);
        await LinkAsync(limited, pupil.Id, guardian.Id);

        var detail = await (await limited.GetAsync($"/v1/guardians/{guardian.Id}")).ReadAsync<GuardianDetailResponse>();
        Assert.That(detail.Pupils.Select(p => p.PupilId), Is.EqualTo(new[] { pupil.Id }));
    }

    [Test]
    public async Task A_guardian_of_another_organisation_is_not_found()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var foreign = await CreateGuardianAsync(other.Full(), "O1");

        await AssertProblemAsync(await tenant.Full().GetAsync($"/v1/guardians/{foreign.Id}"), HttpStatusCode.NotFound, "not-found");
        Assert.That(await ListAsync(tenant.Full(), "?externalId=O1"), Is.Empty);
    }
}
