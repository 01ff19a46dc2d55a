using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Channels;

/// <summary>
/// The channels material is published on: the five defaults every organisation starts with, channels of its own, renaming
/// (the key stays) and retiring (history stays, no new form items). 401/403/404 per endpoint are in PermissionTests.
/// </summary>
public sealed class ChannelTests : ApiTest
{
    private static object NewChannel(string key = "regional-press", string nameNl = "Regionale pers", string? nameEn = "Regional press",
        string audience = "public") => new { key, nameNl, nameEn, audience };

    private static IEnumerable<string> ErrorKeys(JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    /// <summary>A channel as text: "key|nameNl|nameEn|audience|retired?".</summary>
    private static string Describe(JsonNode channel) =>
        $"{channel["key"]}|{channel["nameNl"]}|{channel["nameEn"]}|{channel["audience"]}|{(channel["retiredAt"] is null ? "active" : "retired")}";

    private static async Task<List<string>> ListAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync($"/v1/channels{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.ReadObjectAsync())["items"]!.AsArray().Select(c => Describe(c!)).ToList();
    }

    private Task<int> ChannelCountAsync(Guid organisationId) =>
        Factory.QueryAsync(db => db.Channels.CountAsync(c => c.OrganisationId == organisationId));

    private static async Task<JsonObject> CreateAsync(HttpClient client, object channel)
    {
        var response = await client.PostAsJsonAsync("/v1/channels", channel);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    /// <summary>Creates a form on the organisation and publishes a version asking <paramref name="items"/>; returns the version id.</summary>
    private static async Task<Guid> PublishFormAsync(HttpClient admin, params (string MediaType, string Channel)[] items)
    {
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal" })).ReadObjectAsync();
        var version = await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Wij vragen uw toestemming voor het publiceren van beeldmateriaal van uw kind.",
            validity = "until-withdrawn",
            items = items.Select(i => new { mediaType = i.MediaType, channel = i.Channel }).ToArray(),
        });
        Assert.That(version.StatusCode, Is.EqualTo(HttpStatusCode.Created), await version.Content.ReadAsStringAsync());
        var published = await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/1/publish", null);
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), await published.Content.ReadAsStringAsync());
        return (Guid)(await published.ReadObjectAsync())["id"]!;
    }

    [Test]
    public async Task A_new_organisation_has_exactly_the_five_default_channels()
    {
        var tenant = await CreateTenantAsync();

        Assert.That(await ListAsync(tenant.Full()), Is.EqualTo(new[]
        {
            "newsletter|Nieuwsbrief|Newsletter|closed|active",
            "parent-app|Ouderapp|Parents' app|closed|active",
            "school-guide|Schoolgids|School guide|public|active",
            "social-media|Sociale media|Social media|public|active",
            "website|Website|Website|public|active",
        }));
        Assert.That(await ChannelCountAsync(tenant.OrganisationId), Is.EqualTo(5));
    }

    [Test]
    public async Task One_channel_is_read_by_its_key()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Full().GetAsync("/v1/channels/parent-app");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Describe(await response.ReadObjectAsync()), Is.EqualTo("parent-app|Ouderapp|Parents' app|closed|active"));
    }

    [Test]
    public async Task A_custom_channel_is_created_with_a_location_and_listed_in_key_order()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Admin().PostAsJsonAsync("/v1/channels", NewChannel());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/v1/channels/regional-press"));
        var created = await response.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That(Describe(created), Is.EqualTo("regional-press|Regionale pers|Regional press|public|active"));
            Assert.That(Guid.TryParse((string?)created["id"], out _), Is.True, created.ToJsonString());
        });
        Assert.That(await ListAsync(tenant.Full()), Is.EqualTo(new[]
        {
            "newsletter|Nieuwsbrief|Newsletter|closed|active",
            "parent-app|Ouderapp|Parents' app|closed|active",
            "regional-press|Regionale pers|Regional press|public|active",
            "school-guide|Schoolgids|School guide|public|active",
            "social-media|Sociale media|Social media|public|active",
            "website|Website|Website|public|active",
        }));
        var get = await tenant.Full().GetAsync(response.Headers.Location);
        Assert.That(Describe(await get.ReadObjectAsync()), Is.EqualTo("regional-press|Regionale pers|Regional press|public|active"));
    }

    [Test]
    public async Task A_custom_channel_key_belongs_to_its_organisation_only()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        await CreateAsync(tenant.Admin(), NewChannel());

        Assert.That(await ListAsync(other.Full()), Has.None.StartsWith("regional-press|"));
        await CreateAsync(other.Admin(), NewChannel(nameNl: "Pers in de regio"));
        Assert.That(await ListAsync(tenant.Full()), Does.Contain("regional-press|Regionale pers|Regional press|public|active"));
    }

    [Test]
    public async Task A_duplicate_key_is_a_conflict()
    {
        var tenant = await CreateTenantAsync();
        await CreateAsync(tenant.Admin(), NewChannel());

        await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/channels", NewChannel(nameNl: "Andere naam")),
            HttpStatusCode.Conflict, "conflict");
        await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/channels", NewChannel(key: "website", nameNl: "Site")),
            HttpStatusCode.Conflict, "conflict");

        Assert.That(await ChannelCountAsync(tenant.OrganisationId), Is.EqualTo(6));
        Assert.That(await ListAsync(tenant.Full()), Does.Contain("regional-press|Regionale pers|Regional press|public|active")
            .And.Contains("website|Website|Website|public|active"));
    }

    [TestCase("Regional Press")]
    [TestCase("a")]
    [TestCase("regional_press")]
    [TestCase("-regional")]
    [TestCase("regional--press")]
    public async Task A_bad_key_is_a_validation_problem_on_key(string key)
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/channels", NewChannel(key: key)),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "key" }), problem.ToJsonString());
        Assert.That(await ChannelCountAsync(tenant.OrganisationId), Is.EqualTo(5));
    }

    [Test]
    public async Task Renaming_replaces_names_and_audience_and_keeps_the_key()
    {
        var tenant = await CreateTenantAsync();
        var created = await CreateAsync(tenant.Admin(), NewChannel());

        var response = await tenant.Admin().PutAsJsonAsync("/v1/channels/regional-press",
            new { nameNl = "Lokale kranten", nameEn = "Local newspapers", audience = "closed" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var renamed = await response.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That(Describe(renamed), Is.EqualTo("regional-press|Lokale kranten|Local newspapers|closed|active"));
            Assert.That((string?)renamed["id"], Is.EqualTo((string?)created["id"]));
        });
        Assert.That(Describe(await (await tenant.Full().GetAsync("/v1/channels/regional-press")).ReadObjectAsync()),
            Is.EqualTo("regional-press|Lokale kranten|Local newspapers|closed|active"));
        var stored = await Factory.QueryAsync(db => db.Channels.AsNoTracking()
            .SingleAsync(c => c.OrganisationId == tenant.OrganisationId && c.Id == (Guid)created["id"]!));
        Assert.That($"{stored.Key}|{stored.NameNl}|{stored.NameEn}|{stored.Audience}",
            Is.EqualTo("regional-press|Lokale kranten|Local newspapers|Closed"));
    }

    [Test]
    public async Task Renaming_without_an_english_name_clears_it()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Admin().PutAsJsonAsync("/v1/channels/newsletter", new { nameNl = "Weekbrief", audience = "closed" });

        Assert.That(Describe(await response.ReadObjectAsync()), Is.EqualTo("newsletter|Weekbrief||closed|active"));
    }

    [Test]
    public async Task Renaming_an_unknown_channel_is_not_found()
    {
        var tenant = await CreateTenantAsync();

        await AssertProblemAsync(await tenant.Admin().PutAsJsonAsync("/v1/channels/school-radio",
            new { nameNl = "Schoolradio", audience = "closed" }), HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_retired_channel_is_hidden_from_the_list_unless_retired_ones_are_asked_for()
    {
        var tenant = await CreateTenantAsync();
        var before = DateTimeOffset.UtcNow;

        var response = await tenant.Admin().PostAsync("/v1/channels/newsletter/retire", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var retired = await response.ReadObjectAsync();
        var retiredAt = DateTimeOffset.Parse((string)retired["retiredAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(retiredAt, Is.InRange(before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5)));
        Assert.That(await ListAsync(tenant.Full()), Is.EqualTo(new[]
        {
            "parent-app|Ouderapp|Parents' app|closed|active",
            "school-guide|Schoolgids|School guide|public|active",
            "social-media|Sociale media|Social media|public|active",
            "website|Website|Website|public|active",
        }));
        Assert.That(await ListAsync(tenant.Full(), "?includeRetired=true"), Is.EqualTo(new[]
        {
            "newsletter|Nieuwsbrief|Newsletter|closed|retired",
            "parent-app|Ouderapp|Parents' app|closed|active",
            "school-guide|Schoolgids|School guide|public|active",
            "social-media|Sociale media|Social media|public|active",
            "website|Website|Website|public|active",
        }));
        Assert.That(await ListAsync(tenant.Full(), "?includeRetired=false"), Has.Count.EqualTo(4));
        Assert.That(Describe(await (await tenant.Full().GetAsync("/v1/channels/newsletter")).ReadObjectAsync()),
            Is.EqualTo("newsletter|Nieuwsbrief|Newsletter|closed|retired"));
    }

    [Test]
    public async Task Retiring_twice_keeps_the_first_moment()
    {
        var tenant = await CreateTenantAsync();
        var first = await (await tenant.Admin().PostAsync("/v1/channels/website/retire", null)).ReadObjectAsync();

        var second = await tenant.Admin().PostAsync("/v1/channels/website/retire", null);

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)(await second.ReadObjectAsync())["retiredAt"], Is.EqualTo((string?)first["retiredAt"]).And.Not.Null);
    }

    [Test]
    public async Task A_retired_channel_cannot_be_asked_in_a_new_form_version()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        await CreateAsync(admin, NewChannel());
        (await admin.PostAsync("/v1/channels/regional-press/retire", null)).EnsureSuccessStatusCode();
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming pers" })).ReadObjectAsync();

        var problem = await AssertProblemAsync(await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Wij vragen uw toestemming voor foto's in de regionale pers.",
            validity = "until-withdrawn",
            items = new[] { new { mediaType = "photo", channel = "regional-press" }, new { mediaType = "photo", channel = "website" } },
        }), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "items[0].channel" }), problem.ToJsonString());
        Assert.That(await Factory.QueryAsync(db => db.ConsentFormVersions.CountAsync(v => v.FormId == (Guid)form["id"]!)), Is.Zero);
    }

    [Test]
    public async Task Decisions_on_a_retired_channel_stay_in_the_history_and_checks_on_it_answer_that_its_grants_ended()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var full = tenant.Full();
        await CreateAsync(admin, NewChannel());
        var versionId = await PublishFormAsync(admin, ("photo", "regional-press"));
        var pupil = await (await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/pupils",
            new { externalId = "P-1", displayName = "Lotte Mulder", dateOfBirth = "2016-05-01" })).ReadObjectAsync();
        var guardian = await (await full.PostAsJsonAsync("/v1/guardians", new { externalId = "O-1", displayName = "Anke Mulder" })).ReadObjectAsync();
        (await full.PutAsJsonAsync($"/v1/pupils/{pupil["id"]}/guardians/{guardian["id"]}", new { hasParentalAuthority = true }))
            .EnsureSuccessStatusCode();
        var decided = await full.PostAsJsonAsync($"/v1/pupils/{pupil["id"]}/decisions", new
        {
            formVersionId = versionId, decidedBy = "guardian", guardianId = guardian["id"]!.GetValue<string>(), method = "paper",
            items = new[] { new { mediaType = "photo", channel = "regional-press", outcome = "granted" } },
        });
        Assert.That(decided.StatusCode, Is.EqualTo(HttpStatusCode.Created), await decided.Content.ReadAsStringAsync());
        var decisionId = (string?)(await decided.ReadObjectAsync())["decisions"]![0]!["id"];

        (await admin.PostAsync("/v1/channels/regional-press/retire", null)).EnsureSuccessStatusCode();

        var check = await (await full.PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds = new[] { pupil["id"]!.GetValue<string>() }, mediaType = "photo", channel = "regional-press" })).ReadObjectAsync();
        Assert.That($"{check["allowed"]} {check["pupils"]![0]!["state"]} {check["pupils"]![0]!["reason"]}",
            Is.EqualTo("false expired channel-retired"), check.ToJsonString());
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == (Guid)pupil["id"]!)), Is.EqualTo(1));
        var historyResponse = await full.GetAsync($"/v1/pupils/{pupil["id"]}/consents/history");
        Assert.That(historyResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK), await historyResponse.Content.ReadAsStringAsync());
        var history = await historyResponse.ReadObjectAsync();
        Assert.That(history["items"]!.AsArray().Select(d => $"{d!["id"]} {d["mediaType"]}:{d["channel"]} {d["outcome"]}"),
            Is.EqualTo(new[] { $"{decisionId} photo:regional-press granted" }));
    }

    [Test]
    public async Task A_client_limited_to_a_school_cannot_create_rename_or_retire_channels()
    {
        var tenant = await CreateTenantAsync();
        var limited = await tenant.ClientWithAsync([.. Scopes.Assignable], [tenant.SchoolId]);
        var before = await ListAsync(tenant.Full(), "?includeRetired=true");

        await AssertProblemAsync(await limited.PostAsJsonAsync("/v1/channels", NewChannel()), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await limited.PutAsJsonAsync("/v1/channels/website",
            new { nameNl = "Schoolsite", audience = "public" }), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await limited.PostAsync("/v1/channels/website/retire", null), HttpStatusCode.Forbidden, "forbidden");

        Assert.That(await ListAsync(tenant.Full(), "?includeRetired=true"), Is.EqualTo(before));
        Assert.That(await ListAsync(limited), Has.Count.EqualTo(5), "a limited client still reads the channels");
    }
}
