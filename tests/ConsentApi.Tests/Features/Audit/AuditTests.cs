using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Features.ApiClients;
using ConsentApi.Features.Audit;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Organisations;
using ConsentApi.Features.Pupils;
using ConsentApi.Features.Schools;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Audit;

public sealed class AuditTests : ApiTest
{
    private static IEnumerable<string> ErrorKeys(JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    private Task<Guid> ClientIdOfAsync(string key)
    {
        var prefix = key[..16];
        return Factory.QueryAsync(db => db.ApiClients.Where(c => c.KeyPrefix == prefix).Select(c => c.Id).SingleAsync());
    }

    private Task<List<AuditEvent>> EventsAsync(Guid organisationId) =>
        Factory.QueryAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.OrganisationId == organisationId).OrderBy(e => e.Sequence).ToListAsync());

    private Task<int> AllEventsAsync() => Factory.QueryAsync(db => db.AuditEvents.CountAsync());

    private static async Task<List<AuditEventResponse>> ListAsync(HttpClient admin, string query = "")
    {
        var response = await admin.GetAsync($"/v1/audit-events?limit=200{query}");
        var page = await response.ReadAsync<Page<AuditEventResponse>>();
        Assert.That(page.NextCursor, Is.Null);
        return [.. page.Items];
    }

    private static string Instant(DateTimeOffset moment) =>
        Uri.EscapeDataString(moment.ToString("yyyy-MM-ddTHH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture));

    /// <summary>Sends <paramref name="request"/> with an X-Request-Id and returns the one audit event it wrote.</summary>
    private async Task<(HttpResponseMessage Response, AuditEvent Event)> RunAsync(
        Tenant tenant, HttpClient client, HttpRequestMessage request, string requestId)
    {
        request.Headers.Add("X-Request-Id", requestId);
        var before = await EventsAsync(tenant.OrganisationId);
        var response = await client.SendAsync(request);
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        var after = await EventsAsync(tenant.OrganisationId);
        var added = after.ExceptBy(before.Select(e => e.Id), e => e.Id).ToList();
        Assert.That(added, Has.Count.EqualTo(1), $"{request.Method} {request.RequestUri} must write exactly one audit event");
        return (response, added[0]);
    }

    private static HttpRequestMessage Json(HttpMethod method, string path, object? body = null) =>
        new(method, path) { Content = body is null ? null : JsonContent.Create(body) };

    private static void AssertEvent(AuditEvent actual, string action, string resourceType, Guid resourceId, Guid? clientId, string requestId) =>
        Assert.Multiple(() =>
        {
            Assert.That(actual.Action, Is.EqualTo(action));
            Assert.That(actual.ResourceType, Is.EqualTo(resourceType), action);
            Assert.That(actual.ResourceId, Is.EqualTo(resourceId), action);
            Assert.That(actual.ClientId, Is.EqualTo(clientId), action);
            Assert.That(actual.RequestId, Is.EqualTo(requestId), action);
            Assert.That(actual.OccurredAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(2)), action);
        });

    [Test]
    public async Task Every_command_writes_one_audit_event_naming_action_resource_client_and_request_id()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var admin = tenant.Admin();
        var fullId = await ClientIdOfAsync(tenant.FullKey);
        var adminId = await ClientIdOfAsync(tenant.AdminKey);

        var (response, e) = await RunAsync(tenant, admin, Json(HttpMethod.Post, "/v1/schools", new { name = "OBS Audit", brinCode = "77AA" }), "req-create-school");
        var school = await response.ReadAsync<SchoolResponse>();
        AssertEvent(e, "CreateSchool", "school", school.Id, adminId, "req-create-school");

        (_, e) = await RunAsync(tenant, admin, Json(HttpMethod.Put, $"/v1/schools/{school.Id}", new { name = "OBS Audit 2", brinCode = "77AA" }), "req-update-school");
        AssertEvent(e, "UpdateSchool", "school", school.Id, adminId, "req-update-school");

        (response, e) = await RunAsync(tenant, full, Json(HttpMethod.Post, $"/v1/schools/{school.Id}/groups",
            new { externalId = "G1", name = "Groep 1", schoolYear = "2026-2027" }), "req-create-group");
        var group = await response.ReadAsync<GroupResponse>();
        AssertEvent(e, "CreateGroup", "group", group.Id, fullId, "req-create-group");

        (_, e) = await RunAsync(tenant, full, Json(HttpMethod.Put, $"/v1/schools/{school.Id}/groups/{group.Id}",
            new { externalId = "G1", name = "Groep 1b", schoolYear = "2026-2027" }), "req-update-group");
        AssertEvent(e, "UpdateGroup", "group", group.Id, fullId, "req-update-group");

        (response, e) = await RunAsync(tenant, full, Json(HttpMethod.Post, $"/v1/schools/{school.Id}/pupils",
            new { externalId = "P1", displayName = "Sanne", dateOfBirth = "2016-03-01" }), "req-create-pupil");
        var pupil = await response.ReadAsync<PupilResponse>();
        AssertEvent(e, "CreatePupil", "pupil", pupil.Id, fullId, "req-create-pupil");

        (_, e) = await RunAsync(tenant, full, Json(HttpMethod.Put, $"/v1/pupils/{pupil.Id}",
            new { externalId = "P1", displayName = "Sanne de Vries", dateOfBirth = "2016-03-01" }), "req-update-pupil");
        AssertEvent(e, "UpdatePupil", "pupil", pupil.Id, fullId, "req-update-pupil");

        (response, e) = await RunAsync(tenant, full, Json(HttpMethod.Post, "/v1/guardians", new { externalId = "O1", displayName = "Marieke" }), "req-create-guardian");
        var guardian = await response.ReadAsync<GuardianResponse>();
        AssertEvent(e, "CreateGuardian", "guardian", guardian.Id, fullId, "req-create-guardian");

        (_, e) = await RunAsync(tenant, full, Json(HttpMethod.Put, $"/v1/guardians/{guardian.Id}", new { externalId = "O1", displayName = "Marieke de Vries" }), "req-update-guardian");
        AssertEvent(e, "UpdateGuardian", "guardian", guardian.Id, fullId, "req-update-guardian");

        (_, e) = await RunAsync(tenant, full, Json(HttpMethod.Put, $"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}", new { hasParentalAuthority = true }), "req-link");
        AssertEvent(e, "LinkGuardian", "pupil", pupil.Id, fullId, "req-link");

        (_, e) = await RunAsync(tenant, full, Json(HttpMethod.Delete, $"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}"), "req-unlink");
        AssertEvent(e, "UnlinkGuardian", "pupil", pupil.Id, fullId, "req-unlink");

        (_, e) = await RunAsync(tenant, full, Json(HttpMethod.Put, $"/v1/schools/{school.Id}/roster",
            new { groups = Array.Empty<object>(), pupils = Array.Empty<object>(), guardians = Array.Empty<object>() }), "req-sync");
        AssertEvent(e, "SyncRoster", "school", school.Id, fullId, "req-sync");

        (response, e) = await RunAsync(tenant, admin, Json(HttpMethod.Post, "/v1/api-clients", new { name = "Nieuw", scopes = new[] { "roster:read" } }), "req-create-client");
        var client = await response.ReadAsync<CreatedApiClientResponse>();
        AssertEvent(e, "CreateApiClient", "api-client", client.Client.Id, adminId, "req-create-client");

        (_, e) = await RunAsync(tenant, admin, Json(HttpMethod.Delete, $"/v1/api-clients/{client.Client.Id}"), "req-revoke-client");
        AssertEvent(e, "RevokeApiClient", "api-client", client.Client.Id, adminId, "req-revoke-client");
    }

    [Test]
    public async Task The_events_read_through_the_api_are_the_stored_ones()
    {
        var tenant = await CreateTenantAsync();
        var fullId = await ClientIdOfAsync(tenant.FullKey);
        using var request = Json(HttpMethod.Post, "/v1/guardians", new { externalId = "O1", displayName = "Marieke" });
        var (response, stored) = await RunAsync(tenant, tenant.Full(), request, "req-read-back");
        var guardian = await response.ReadAsync<GuardianResponse>();

        var listed = await ListAsync(tenant.Admin(), $"&resourceId={guardian.Id}");

        Assert.That(listed, Has.Count.EqualTo(1));
        Assert.That(listed[0], Is.EqualTo(new AuditEventResponse(stored.Id, fullId, "CreateGuardian", "guardian", guardian.Id,
            "req-read-back", stored.OccurredAt)));
    }

    [Test]
    public async Task Creating_an_organisation_is_audited_on_that_organisation_without_a_client()
    {
        var name = Unique("Stichting Audit");
        var created = await (await Platform().PostAsJsonAsync("/v1/organisations", new { name })).ReadAsync<CreatedOrganisationResponse>();

        var events = await ListAsync(Client(created.AdminClient.ApiKey));

        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That((events[0].Action, events[0].ResourceType, events[0].ResourceId, events[0].ClientId),
            Is.EqualTo(("CreateOrganisation", "organisation", (Guid?)created.Organisation.Id, (Guid?)null)));
    }

    [Test]
    public async Task Without_an_X_Request_Id_the_request_id_is_the_32_hex_trace_id()
    {
        var tenant = await CreateTenantAsync();
        var before = await EventsAsync(tenant.OrganisationId);

        (await tenant.Full().PostAsJsonAsync("/v1/guardians", new { externalId = "O1", displayName = "Marieke" })).EnsureSuccessStatusCode();
        (await tenant.Full().PostAsJsonAsync("/v1/guardians", new { externalId = "O2", displayName = "Peter" })).EnsureSuccessStatusCode();

        var added = (await EventsAsync(tenant.OrganisationId)).ExceptBy(before.Select(e => e.Id), e => e.Id).ToList();
        Assert.That(added.Select(e => e.RequestId).ToList(), Has.Count.EqualTo(2).And.All.Match("^[0-9a-f]{32}$"));
        Assert.That(added[0].RequestId, Is.Not.EqualTo(added[1].RequestId));
        Assert.That(added[0].RequestId, Is.Not.EqualTo(new string('0', 32)));
    }

    [TestCase("has space")]
    [TestCase("tab\there")]
    public async Task An_X_Request_Id_that_is_not_a_plain_token_is_replaced_by_the_trace_id(string requestId)
    {
        var tenant = await CreateTenantAsync();
        using var request = Json(HttpMethod.Post, "/v1/guardians", new { externalId = "O1", displayName = "Marieke" });
        request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);
        var before = await EventsAsync(tenant.OrganisationId);

        (await tenant.Full().SendAsync(request)).EnsureSuccessStatusCode();

        var added = (await EventsAsync(tenant.OrganisationId)).ExceptBy(before.Select(e => e.Id), e => e.Id).Single();
        Assert.That(added.RequestId, Does.Match("^[0-9a-f]{32}$"));
    }

    [Test]
    public async Task An_X_Request_Id_over_128_characters_is_replaced_by_the_trace_id_and_one_of_128_is_kept()
    {
        var tenant = await CreateTenantAsync();
        var before = await EventsAsync(tenant.OrganisationId);
        var longest = new string('r', 128);

        using var tooLong = Json(HttpMethod.Post, "/v1/guardians", new { externalId = "O1", displayName = "Marieke" });
        tooLong.Headers.Add("X-Request-Id", new string('r', 129));
        (await tenant.Full().SendAsync(tooLong)).EnsureSuccessStatusCode();
        using var fits = Json(HttpMethod.Post, "/v1/guardians", new { externalId = "O2", displayName = "Peter" });
        fits.Headers.Add("X-Request-Id", longest);
        (await tenant.Full().SendAsync(fits)).EnsureSuccessStatusCode();

        var added = (await EventsAsync(tenant.OrganisationId)).ExceptBy(before.Select(e => e.Id), e => e.Id).ToList();
        Assert.That(added, Has.Count.EqualTo(2));
        Assert.That(added[0].RequestId, Does.Match("^[0-9a-f]{32}$"));
        Assert.That(added[1].RequestId, Is.EqualTo(longest));
    }

    [Test]
    public async Task A_refused_command_writes_no_audit_event()
    {
        var tenant = await CreateTenantAsync();
        (await tenant.Full().PostAsJsonAsync("/v1/guardians", new { externalId = "O1", displayName = "Marieke" })).EnsureSuccessStatusCode();
        var before = await AllEventsAsync();

        await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/schools", new { name = "Dubbel", brinCode = "10AB" }),
            HttpStatusCode.Conflict, "conflict");
        await AssertProblemAsync(await tenant.Full().PostAsJsonAsync("/v1/guardians", new { externalId = "O1", displayName = "Dubbel" }),
            HttpStatusCode.Conflict, "conflict");
        await AssertProblemAsync(await tenant.Full().PutAsJsonAsync($"/v1/pupils/{Guid.NewGuid()}",
            new { externalId = "P1", displayName = "Niemand", dateOfBirth = "2016-03-01" }), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/api-clients", new { name = "Fout", scopes = new[] { "root" } }),
            HttpStatusCode.BadRequest, "validation");
        await AssertProblemAsync(await Platform().PostAsJsonAsync("/v1/organisations", new { name = "X" }),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(await AllEventsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_command_that_fails_on_a_unique_violation_in_a_race_writes_no_audit_event()
    {
        var name = Unique("Stichting Race");
        var before = await AllEventsAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Platform().PostAsJsonAsync("/v1/organisations", new { name })));

        var created = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        Assert.That(created, Is.EqualTo(1), string.Join(", ", responses.Select(r => r.StatusCode)));
        Assert.That(await AllEventsAsync(), Is.EqualTo(before + 1));
        Assert.That(await Factory.QueryAsync(db => db.AuditEvents.CountAsync(e => e.Action == "CreateOrganisation"
            && db.Organisations.Any(o => o.Id == e.ResourceId && o.Name == name))), Is.EqualTo(1));
    }

    [Test]
    public async Task The_list_filters_by_client_action_resource_and_time()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var writerKey = await tenant.CreateKeyAsync([Scopes.RosterWrite]);
        var writer = Client(writerKey);
        var writerId = await ClientIdOfAsync(writerKey);
        var fullId = await ClientIdOfAsync(tenant.FullKey);

        var g1 = await (await writer.PostAsJsonAsync("/v1/guardians", new { externalId = "O1", displayName = "Een" })).ReadAsync<GuardianResponse>();
        var p1 = await (await writer.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/pupils",
            new { externalId = "P1", displayName = "Sanne", dateOfBirth = "2016-03-01" })).ReadAsync<PupilResponse>();
        var g2 = await (await tenant.Full().PostAsJsonAsync("/v1/guardians", new { externalId = "O2", displayName = "Twee" })).ReadAsync<GuardianResponse>();
        (await tenant.Full().PutAsJsonAsync($"/v1/guardians/{g1.Id}", new { externalId = "O1", displayName = "Een!" })).EnsureSuccessStatusCode();

        var all = await ListAsync(admin);
        // CreateOrganisation, 2 x CreateSchool, CreateApiClient (full key), CreateApiClient (writer), then the four above.
        Assert.That(all.Select(e => e.Action), Is.EqualTo(new[]
        {
            "CreateOrganisation", "CreateSchool", "CreateSchool", "CreateApiClient", "CreateApiClient",
            "CreateGuardian", "CreatePupil", "CreateGuardian", "UpdateGuardian",
        }));

        var byWriter = await ListAsync(admin, $"&clientId={writerId}");
        var byFull = await ListAsync(admin, $"&clientId={fullId}");
        var byAction = await ListAsync(admin, "&action=CreateGuardian");
        var byResource = await ListAsync(admin, $"&resourceId={g1.Id}");
        var byWriterAndAction = await ListAsync(admin, $"&clientId={writerId}&action=CreateGuardian");
        var byUnknownAction = await ListAsync(admin, "&action=createguardian");

        Assert.Multiple(() =>
        {
            Assert.That(byWriter.Select(e => (e.Action, e.ResourceId)), Is.EqualTo(new[] { ("CreateGuardian", (Guid?)g1.Id), ("CreatePupil", p1.Id) }));
            Assert.That(byFull.Select(e => (e.Action, e.ResourceId)), Is.EqualTo(new[] { ("CreateGuardian", (Guid?)g2.Id), ("UpdateGuardian", g1.Id) }));
            Assert.That(byAction.Select(e => e.ResourceId), Is.EqualTo(new Guid?[] { g1.Id, g2.Id }));
            Assert.That(byResource.Select(e => e.Action), Is.EqualTo(new[] { "CreateGuardian", "UpdateGuardian" }));
            Assert.That(byWriterAndAction.Select(e => e.ResourceId), Is.EqualTo(new Guid?[] { g1.Id }));
            Assert.That(byUnknownAction, Is.Empty);
        });

        // from is inclusive, to exclusive.
        var pupilEvent = all[6];
        var secondGuardianEvent = all[7];
        var window = await ListAsync(admin, $"&from={Instant(pupilEvent.OccurredAt)}&to={Instant(secondGuardianEvent.OccurredAt)}");
        var fromOn = await ListAsync(admin, $"&from={Instant(pupilEvent.OccurredAt)}");
        var toBefore = await ListAsync(admin, $"&to={Instant(pupilEvent.OccurredAt)}");
        var sameMoment = await ListAsync(admin, $"&from={Instant(pupilEvent.OccurredAt)}&to={Instant(pupilEvent.OccurredAt)}");

        Assert.Multiple(() =>
        {
            Assert.That(window.Select(e => e.Id), Is.EqualTo(new[] { pupilEvent.Id }));
            Assert.That(fromOn.Select(e => e.Id), Is.EqualTo(all.Skip(6).Select(e => e.Id)));
            Assert.That(toBefore.Select(e => e.Id), Is.EqualTo(all.Take(6).Select(e => e.Id)));
            Assert.That(sameMoment, Is.Empty);
        });
    }

    [Test]
    public async Task The_time_filters_accept_a_moment_with_a_non_utc_offset()
    {
        var tenant = await CreateTenantAsync();
        var all = await ListAsync(tenant.Admin());
        var second = all[1];
        var amsterdam = second.OccurredAt.ToOffset(TimeSpan.FromHours(2));

        var response = await tenant.Admin().GetAsync($"/v1/audit-events?from={Instant(amsterdam)}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var page = await response.ReadAsync<Page<AuditEventResponse>>();
        Assert.That(page.Items.Select(e => e.Id), Is.EqualTo(all.Skip(1).Select(e => e.Id)));
    }

    [Test]
    public async Task From_after_to_is_a_validation_problem_on_from()
    {
        var tenant = await CreateTenantAsync();
        var now = DateTimeOffset.UtcNow;

        var problem = await AssertProblemAsync(
            await tenant.Admin().GetAsync($"/v1/audit-events?from={Instant(now)}&to={Instant(now.AddMinutes(-1))}"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "from" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_school_limited_admin_cannot_read_the_audit_trail()
    {
        var tenant = await CreateTenantAsync();
        var limited = await tenant.ClientWithAsync([Scopes.Admin], [tenant.SchoolId]);

        await AssertProblemAsync(await limited.GetAsync("/v1/audit-events"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Test]
    public async Task Another_organisations_events_are_never_listed()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var otherGuardian = await (await other.Full().PostAsJsonAsync("/v1/guardians", new { externalId = "O1", displayName = "Ander" }))
            .ReadAsync<GuardianResponse>();
        var otherFullId = await ClientIdOfAsync(other.FullKey);
        var ownEvents = await EventsAsync(tenant.OrganisationId);

        var all = await ListAsync(tenant.Admin());
        var byOtherClient = await ListAsync(tenant.Admin(), $"&clientId={otherFullId}");
        var byOtherResource = await ListAsync(tenant.Admin(), $"&resourceId={otherGuardian.Id}");
        var byOtherSchool = await ListAsync(tenant.Admin(), $"&resourceId={other.SchoolId}");

        Assert.That(all.Select(e => e.Id), Is.EqualTo(ownEvents.Select(e => e.Id)));
        Assert.That(all, Has.Count.EqualTo(4));
        Assert.That(byOtherClient, Is.Empty);
        Assert.That(byOtherResource, Is.Empty);
        Assert.That(byOtherSchool, Is.Empty);
    }

    [Test]
    public async Task Queries_write_no_audit_events()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var pupil = await (await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/pupils",
            new { externalId = "P1", displayName = "Sanne", dateOfBirth = "2016-03-01" })).ReadAsync<PupilResponse>();
        var guardian = await (await full.PostAsJsonAsync("/v1/guardians", new { externalId = "O1", displayName = "Marieke" }))
            .ReadAsync<GuardianResponse>();
        var group = await (await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/groups",
            new { externalId = "G1", name = "Groep 1", schoolYear = "2026-2027" })).ReadAsync<GroupResponse>();
        var before = await AllEventsAsync();

        foreach (var path in new[]
                 {
                     "/v1/schools", $"/v1/schools/{tenant.SchoolId}", $"/v1/schools/{tenant.SchoolId}/groups",
                     $"/v1/schools/{tenant.SchoolId}/groups/{group.Id}", $"/v1/schools/{tenant.SchoolId}/pupils",
                     $"/v1/pupils/{pupil.Id}", "/v1/guardians", $"/v1/guardians/{guardian.Id}", "/v1/api-clients",
                     "/v1/audit-events", $"/v1/organisations/{tenant.OrganisationId}",
                 })
        {
            var response = await full.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path}: {await response.Content.ReadAsStringAsync()}");
        }
        (await Platform().GetAsync("/v1/organisations")).EnsureSuccessStatusCode();
        (await Client().GetAsync("/health/ready")).EnsureSuccessStatusCode();

        Assert.That(await AllEventsAsync(), Is.EqualTo(before));
    }
}
