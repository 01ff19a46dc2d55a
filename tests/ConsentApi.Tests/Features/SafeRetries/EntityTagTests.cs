using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.SafeRetries;

/// <summary>
/// <c>ETag</c> on mutable resources and <c>If-Match</c> on their changes: a stale tag is a 412 that changes nothing, and
/// of two changes sent with one tag exactly one wins; <c>If-None-Match</c> is a 304 where the answer is one row.
/// </summary>
public sealed class EntityTagTests : ApiTest
{
    // Webhook subscriptions to a loopback address, never called: the dispatcher does not run in tests.
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    private static readonly DateOnly BirthDate = new(2016, 3, 1);

    private static object PupilBody(string externalId, string name) =>
        new { externalId, displayName = name, dateOfBirth = BirthDate };

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null,
        string? ifMatch = null, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        return client.SendAsync(request);
    }

    private static async Task<string> TagOfAsync(HttpResponseMessage response)
    {
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        var tag = response.Headers.ETag;
        Assert.That(tag, Is.Not.Null, $"the answer to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} carries an ETag");
        Assert.That(tag!.IsWeak, Is.False, "the tag is strong");
        return tag.ToString();
    }

    private async Task<(Tenant Tenant, Guid PupilId, string ExternalId)> PupilAsync()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var externalId = $"P-{Guid.NewGuid():N}"[..20];
        var pupilId = await CreatePupilAsync(tenant.Full(), tenant.SchoolId, "Sem de Vries", BirthDate, externalId);
        return (tenant, pupilId, externalId);
    }

    private Task<string> PupilNameAsync(Guid pupilId) =>
        Factory.QueryAsync(db => db.Pupils.Where(p => p.Id == pupilId).Select(p => p.DisplayName).SingleAsync());

    [Test]
    public async Task A_pupils_etag_changes_with_each_change_and_a_change_answers_with_the_new_one()
    {
        var (tenant, pupilId, externalId) = await PupilAsync();
        var client = tenant.Full();
        var first = await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}"));
        Assert.That(await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}")), Is.EqualTo(first), "unchanged, the same tag");

        var update = await SendAsync(client, HttpMethod.Put, $"/v1/pupils/{pupilId}", PupilBody(externalId, "Sem Jansen"), ifMatch: first);
        var second = await TagOfAsync(update);

        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That(await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}")), Is.EqualTo(second));
        Assert.That(await PupilNameAsync(pupilId), Is.EqualTo("Sem Jansen"));
    }

    [Test]
    public async Task A_change_with_a_stale_if_match_is_refused_with_412_and_changes_nothing()
    {
        var (tenant, pupilId, externalId) = await PupilAsync();
        var client = tenant.Full();
        var stale = await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}"));
        var current = await TagOfAsync(await SendAsync(client, HttpMethod.Put, $"/v1/pupils/{pupilId}", PupilBody(externalId, "Sem Jansen")));
        var audit = await Factory.QueryAsync(db => db.AuditEvents.CountAsync(a => a.OrganisationId == tenant.OrganisationId));

        var refused = await SendAsync(client, HttpMethod.Put, $"/v1/pupils/{pupilId}", PupilBody(externalId, "Sem Bakker"), ifMatch: stale);

        await AssertProblemAsync(refused, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.That(await PupilNameAsync(pupilId), Is.EqualTo("Sem Jansen"));
        Assert.That(await Factory.QueryAsync(db => db.AuditEvents.CountAsync(a => a.OrganisationId == tenant.OrganisationId)), Is.EqualTo(audit));
        Assert.That(await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}")), Is.EqualTo(current));
    }

    [Test]
    public async Task A_stale_if_match_gets_a_412_with_the_etag_a_get_returns_now_and_retrying_with_it_succeeds()
    {
        var (tenant, pupilId, externalId) = await PupilAsync();
        var client = tenant.Full();
        var stale = await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}"));
        await TagOfAsync(await SendAsync(client, HttpMethod.Put, $"/v1/pupils/{pupilId}", PupilBody(externalId, "Sem Jansen")));

        var refused = await SendAsync(client, HttpMethod.Put, $"/v1/pupils/{pupilId}", PupilBody(externalId, "Sem Bakker"), ifMatch: stale);

        var problem = await AssertProblemAsync(refused, HttpStatusCode.PreconditionFailed, "precondition-failed");
        var current = refused.Headers.ETag;
        Assert.That(current, Is.Not.Null, "the 412 carries the current ETag");
        Assert.That(current!.IsWeak, Is.False);
        Assert.That(current.ToString(), Is.EqualTo(await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}"))), "the tag a GET returns now");
        Assert.That((string?)problem["currentETag"], Is.EqualTo(current.ToString()));
        Assert.That((string?)problem["detail"], Does.Contain(current.ToString()));
        Assert.That(await PupilNameAsync(pupilId), Is.EqualTo("Sem Jansen"), "the 412 changed nothing");

        var retried = await SendAsync(client, HttpMethod.Put, $"/v1/pupils/{pupilId}", PupilBody(externalId, "Sem Bakker"), ifMatch: current.ToString());

        Assert.That(await TagOfAsync(retried), Is.Not.EqualTo(current.ToString()));
        Assert.That(await PupilNameAsync(pupilId), Is.EqualTo("Sem Bakker"));
    }

    [Test]
    public async Task An_if_match_on_a_resource_that_does_not_exist_is_a_412_without_an_etag()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var client = tenant.Full();
        var pupilId = await CreatePupilAsync(client, tenant.SchoolId, "Sem de Vries");
        var guardianId = await CreateGuardianAsync(client, "Anna de Vries");

        // Linking creates the link: with If-Match it must already exist at that version.
        var refused = await SendAsync(client, HttpMethod.Put, $"/v1/pupils/{pupilId}/guardians/{guardianId}",
            new { hasParentalAuthority = true }, ifMatch: "*");

        var problem = await AssertProblemAsync(refused, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.That(refused.Headers.ETag, Is.Null);
        Assert.That(problem.ContainsKey("currentETag"), Is.False);
        Assert.That(await Factory.QueryAsync(db => db.GuardianLinks.AnyAsync(l => l.PupilId == pupilId)), Is.False, "no link was made");
    }

    [TestCase("*", HttpStatusCode.OK)]
    [TestCase("\"1\", {current}", HttpStatusCode.OK)]
    [TestCase("W/{current}", HttpStatusCode.PreconditionFailed)]
    [TestCase("not-a-tag", HttpStatusCode.PreconditionFailed)]
    public async Task If_match_takes_a_list_or_any_and_compares_strongly(string ifMatch, HttpStatusCode expected)
    {
        var (tenant, pupilId, externalId) = await PupilAsync();
        var current = await TagOfAsync(await tenant.Full().GetAsync($"/v1/pupils/{pupilId}"));

        var response = await SendAsync(tenant.Full(), HttpMethod.Put, $"/v1/pupils/{pupilId}", PupilBody(externalId, "Sem Jansen"),
            ifMatch: ifMatch.Replace("{current}", current));

        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        Assert.That(await PupilNameAsync(pupilId), Is.EqualTo(expected == HttpStatusCode.OK ? "Sem Jansen" : "Sem de Vries"));
    }

    [Test]
    public async Task Of_concurrent_changes_with_the_same_if_match_exactly_one_wins()
    {
        var (tenant, pupilId, externalId) = await PupilAsync();
        var client = tenant.Full();
        var tag = await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            SendAsync(client, HttpMethod.Put, $"/v1/pupils/{pupilId}", PupilBody(externalId, $"Naam {i}"), ifMatch: tag)));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.That(statuses.Count(s => s == 200), Is.EqualTo(1), string.Join(", ", statuses));
        Assert.That(statuses.Count(s => s == 412), Is.EqualTo(9), string.Join(", ", statuses));
        var won = responses.Single(r => r.StatusCode == HttpStatusCode.OK);
        var winner = (string?)(await won.ReadObjectAsync())["displayName"];
        Assert.That(await PupilNameAsync(pupilId), Is.EqualTo(winner));
        Assert.That(responses.Where(r => r.StatusCode == HttpStatusCode.PreconditionFailed).Select(r => r.Headers.ETag?.ToString()),
            Is.All.EqualTo(won.Headers.ETag?.ToString()), "every loser learns the winner's version");
    }

    [Test]
    public async Task A_schools_own_rename_of_a_guardian_known_elsewhere_changes_the_guardians_etag()
    {
        var tenant = await CreateTenantAsync(schools: 2);
        string[] scopes = ["roster:read", "roster:write"];
        var first = await tenant.ClientWithAsync(scopes, [tenant.SchoolIds[0]]);
        var colleague = await tenant.ClientWithAsync(scopes, [tenant.SchoolIds[0]]);
        var otherSchool = await tenant.ClientWithAsync(scopes, [tenant.SchoolIds[1]]);
        var guardianId = await CreateGuardianAsync(first, "Anna de Vries", "O-shared");
        Assert.That(await CreateGuardianAsync(otherSchool, "A. de Vries", "O-shared"), Is.EqualTo(guardianId), "one guardian, known at both schools");
        var path = $"/v1/guardians/{guardianId}";
        var tag = await TagOfAsync(await first.GetAsync(path));

        var renamed = await SendAsync(first, HttpMethod.Put, path, new { externalId = "O-shared", displayName = "Anna Jansen" }, ifMatch: tag);
        Assert.That(await TagOfAsync(renamed), Is.Not.EqualTo(tag));
        var lost = await SendAsync(colleague, HttpMethod.Put, path, new { externalId = "O-shared", displayName = "Anna Bakker" }, ifMatch: tag);

        await AssertProblemAsync(lost, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.That((string?)(await GetAsync(colleague, path))["displayName"], Is.EqualTo("Anna Jansen"));
        Assert.That((string?)(await GetAsync(otherSchool, path))["displayName"], Is.EqualTo("A. de Vries"), "the other school keeps its name");
    }

    [Test]
    public async Task Another_tenants_if_match_is_a_404_not_a_412()
    {
        var (_, pupilId, externalId) = await PupilAsync();
        var other = await CreateTenantAsync(schools: 1);

        var response = await SendAsync(other.Full(), HttpMethod.Put, $"/v1/pupils/{pupilId}", PupilBody(externalId, "Iemand"), ifMatch: "\"1\"");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
        Assert.That(response.Headers.ETag, Is.Null);
    }

    [Test]
    public async Task An_unchanged_roster_resync_keeps_the_pupils_etag()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var client = tenant.Full();
        object Roster(string name) => new
        {
            groups = new[] { new { externalId = "G1", name = "Groep 5b", schoolYear = "2026-2027" } },
            pupils = new[] { new { externalId = "P1", displayName = name, dateOfBirth = "2016-03-01", groupExternalId = "G1", guardians = new[] { new { externalId = "A", hasParentalAuthority = true } } } },
            guardians = new[] { new { externalId = "A", displayName = "Ouder A" } },
        };
        Assert.That((await client.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster("Leerling P1"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var pupilId = await Factory.QueryAsync(db => db.Pupils.Where(p => p.SchoolId == tenant.SchoolId && p.ExternalId == "P1").Select(p => p.Id).SingleAsync());
        var before = await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}"));

        Assert.That((await client.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster("Leerling P1"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}")), Is.EqualTo(before), "an unchanged re-sync keeps the tag");

        Assert.That((await client.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster("Leerling P1 Jansen"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}")), Is.Not.EqualTo(before), "a changed pupil gets a new tag");
    }

    [Test]
    public async Task If_none_match_answers_304_while_a_school_is_unchanged()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var client = tenant.Full();
        var path = $"/v1/schools/{tenant.SchoolId}";
        var tag = await TagOfAsync(await client.GetAsync(path));

        var unchanged = await SendAsync(client, HttpMethod.Get, path, ifNoneMatch: tag);
        Assert.That(unchanged.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await unchanged.Content.ReadAsStringAsync(), Is.Empty);
        Assert.That(unchanged.Headers.ETag?.ToString(), Is.EqualTo(tag));

        var updated = await SendAsync(client, HttpMethod.Put, path, new { name = "De Regenboog", brinCode = "10AB" }, ifMatch: tag);
        var newTag = await TagOfAsync(updated);
        var changed = await SendAsync(client, HttpMethod.Get, path, ifNoneMatch: tag);
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(changed.Headers.ETag?.ToString(), Is.EqualTo(newTag));
        Assert.That((string?)(await changed.ReadObjectAsync())["name"], Is.EqualTo("De Regenboog"));

        // Another tenant learns nothing from a tag: the school is not found.
        var other = await CreateTenantAsync(schools: 1);
        Assert.That((await SendAsync(other.Full(), HttpMethod.Get, path, ifNoneMatch: newTag)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Every_change_of_a_tagged_resource_refuses_a_stale_if_match()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var client = tenant.Full();
        var admin = tenant.Admin();
        var group = await (await client.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/groups",
            new { externalId = "G-5b", name = "Groep 5b", schoolYear = "2026-2027" })).ReadObjectAsync();
        var guardianId = await CreateGuardianAsync(client, "Anna de Vries", "O-anna");
        var webhook = await (await admin.PostAsJsonAsync("/v1/webhooks",
            new { url = "http://127.0.0.1:9/consent", eventTypes = new[] { "consent.changed" } })).ReadObjectAsync();
        var apiClient = await (await admin.PostAsJsonAsync("/v1/api-clients", new { name = "Ouderapp", scopes = new[] { "consent:read" } })).ReadObjectAsync();
        (await admin.PostAsJsonAsync("/v1/channels", new { key = "regional-press", nameNl = "Regionale pers", audience = "public" })).EnsureSuccessStatusCode();
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming" })).ReadObjectAsync();
        var draft = new { textNl = FormText, validity = "until-withdrawn", items = new[] { new { mediaType = "photo", channel = "website" } } };
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", draft)).EnsureSuccessStatusCode();
        var published = await PublishFormAsync(admin, ["photo:website"]);
        var campaign = await (await admin.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/campaigns", new
        {
            schoolYear = "2026-2027", formVersionId = (Guid)published["id"]!, opensOn = Today, closesOn = Today.AddDays(30),
        })).ReadObjectAsync();
        var pupilId = await CreatePupilAsync(client, tenant.SchoolId, "Sem de Vries");
        await LinkAsync(client, pupilId, guardianId);
        var link = $"/v1/pupils/{pupilId}/guardians/{guardianId}";
        var version = $"/v1/consent-forms/{form["id"]}/versions/1";
        var changes = new (string Read, HttpMethod Method, string Path, object? Body)[]
        {
            ($"/v1/schools/{tenant.SchoolId}", HttpMethod.Put, $"/v1/schools/{tenant.SchoolId}", new { name = "Nieuw", brinCode = "10AB" }),
            ($"/v1/schools/{tenant.SchoolId}/groups/{group["id"]}", HttpMethod.Put, $"/v1/schools/{tenant.SchoolId}/groups/{group["id"]}",
                new { externalId = "G-5b", name = "Groep 5c", schoolYear = "2026-2027" }),
            ($"/v1/guardians/{guardianId}", HttpMethod.Put, $"/v1/guardians/{guardianId}", new { externalId = "O-anna", displayName = "Anna Jansen" }),
            ($"/v1/organisations/{tenant.OrganisationId}", HttpMethod.Put, $"/v1/organisations/{tenant.OrganisationId}/consent-policy",
                new { grantRequires = "all-guardians", schoolYearEndMonth = 7, schoolYearEndDay = 31 }),
            ($"/v1/webhooks/{((JsonObject?)webhook["webhook"] ?? webhook)["id"]}", HttpMethod.Delete,
                $"/v1/webhooks/{((JsonObject?)webhook["webhook"] ?? webhook)["id"]}", null),
            ($"/v1/api-clients/{((JsonObject?)apiClient["client"])!["id"]}", HttpMethod.Delete, $"/v1/api-clients/{((JsonObject?)apiClient["client"])!["id"]}", null),
            ("/v1/channels/regional-press", HttpMethod.Put, "/v1/channels/regional-press",
                new { nameNl = "Regionale kranten", audience = "public" }),
            ("/v1/channels/regional-press", HttpMethod.Post, "/v1/channels/regional-press/retire", null),
            (version, HttpMethod.Put, version, draft with { textNl = FormText + " Ook op de website." }),
            (version, HttpMethod.Post, $"{version}/publish", null),
            ($"/v1/campaigns/{campaign["id"]}", HttpMethod.Post, $"/v1/campaigns/{campaign["id"]}/close", null),
            (link, HttpMethod.Put, link, new { hasParentalAuthority = false }),
            (link, HttpMethod.Delete, link, null),
        };

        foreach (var (read, method, path, body) in changes)
        {
            await AssertStaleTagRefusedAsync(client, read, method, path, body);
        }
    }

    [Test]
    public async Task A_publications_removal_and_a_takedowns_completion_refuse_a_stale_if_match()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var client = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(client, ["photo:website"]))["id"]!;
        var pupilId = await CreatePupilAsync(client, tenant.SchoolId, "Sem de Vries");
        var guardianId = await CreateGuardianAsync(client, "Anna de Vries");
        await LinkAsync(client, pupilId, guardianId);
        await DecideAsync(client, pupilId, versionId, guardianId, "granted", ["photo:website"]);
        var kept = await RegisterAsync(client, tenant.SchoolId, "website", "photo", [pupilId]);
        var removed = await RegisterAsync(client, tenant.SchoolId, "website", "photo", [pupilId]);
        await AssertStaleTagRefusedAsync(client, $"/v1/publications/{removed["id"]}", HttpMethod.Post,
            $"/v1/publications/{removed["id"]}/remove", new { note = "Van de site gehaald" }, field: "status");

        await DecideAsync(client, pupilId, versionId, guardianId, "refused", ["photo:website"]);
        var takedown = (await OpenTakedownsAsync(client)).Single(t => (string?)t!["publicationId"] == (string?)kept["id"])!;
        await AssertStaleTagRefusedAsync(client, $"/v1/takedowns/{takedown["id"]}", HttpMethod.Post,
            $"/v1/takedowns/{takedown["id"]}/complete", new { completedBy = "Webbeheer" });
    }

    /// <summary>A change with a tag that is not the current one is a 412 that leaves the GET as it was; with the current one it succeeds.</summary>
    /// <remarks>A publication's answer holds a check made on every read, so for it only <paramref name="field"/> is compared.</remarks>
    private static async Task AssertStaleTagRefusedAsync(HttpClient client, string read, HttpMethod method, string path, object? body,
        string? field = null)
    {
        const string stale = "\"1\"";
        var before = await client.GetAsync(read);
        var beforeBody = await before.Content.ReadAsStringAsync();
        var tag = await TagOfAsync(before);
        Assert.That(tag, Is.Not.EqualTo(stale), read);

        var refused = await SendAsync(client, method, path, body, ifMatch: stale);
        var problem = await AssertProblemAsync(refused, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.That(refused.Headers.ETag?.ToString(), Is.EqualTo(tag), $"{method} {path}: the 412 names the current version");
        Assert.That((string?)problem["currentETag"], Is.EqualTo(tag), $"{method} {path}: so does its body");
        var after = await client.GetAsync(read);
        var afterBody = await after.Content.ReadAsStringAsync();
        Assert.That(field is null ? afterBody : JsonNode.Parse(afterBody)![field]?.ToJsonString(),
            Is.EqualTo(field is null ? beforeBody : JsonNode.Parse(beforeBody)![field]?.ToJsonString()), $"{method} {path} changed nothing");
        Assert.That(after.Headers.ETag?.ToString(), Is.EqualTo(tag));

        var done = await SendAsync(client, method, path, body, ifMatch: tag);
        Assert.That(done.IsSuccessStatusCode, Is.True, $"{method} {path}: {await done.Content.ReadAsStringAsync()}");
        if (method != HttpMethod.Delete)
        {
            Assert.That(await TagOfAsync(done), Is.Not.EqualTo(tag), $"{method} {path} answers with the new tag");
        }
    }
}
