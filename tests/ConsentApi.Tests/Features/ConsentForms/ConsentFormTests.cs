using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.ConsentForms;

/// <summary>
/// Consent forms and their versions: drafts are edited, published versions are immutable and carry the SHA-256 of their
/// content, a later version supersedes the earlier one, and the content is validated against the organisation's channels.
/// </summary>
public sealed class ConsentFormTests : ApiTest
{
    private const string Text = "Wij vragen uw toestemming voor het publiceren van foto's en film van uw kind.";
    private const string TextEn = "We ask your consent to publish photos and film of your child.";

    private static object Version(string textNl = Text, string? textEn = TextEn, string validity = "until-withdrawn",
        string? schoolYear = null, params (string MediaType, string Channel)[] items) => new
    {
        textNl,
        textEn,
        validity,
        schoolYear,
        items = (items.Length == 0 ? [("photo", "social-media"), ("film", "website")] : items)
            .Select(i => new { mediaType = i.MediaType, channel = i.Channel }).ToArray(),
    };

    private static IEnumerable<string> ErrorKeys(JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    private static string Items(JsonNode version) =>
        string.Join(",", version["items"]!.AsArray().Select(i => $"{i!["mediaType"]}:{i["channel"]}"));

    private static DateTimeOffset Moment(JsonNode? node) => DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture);

    private static async Task<JsonObject> CreateFormAsync(HttpClient client, string name = "Toestemming beeldmateriaal", Guid? schoolId = null)
    {
        var response = await client.PostAsJsonAsync("/v1/consent-forms", new { name, schoolId });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    private static async Task<JsonObject> CreateVersionAsync(HttpClient client, JsonNode form, object version)
    {
        var response = await client.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", version);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    private static async Task<JsonObject> PublishAsync(HttpClient client, JsonNode form, int number)
    {
        var response = await client.PostAsync($"/v1/consent-forms/{form["id"]}/versions/{number}/publish", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    private static async Task<string> PublishedHashAsync(HttpClient client, object version)
    {
        var form = await CreateFormAsync(client, "Formulier");
        await CreateVersionAsync(client, form, version);
        return (string)(await PublishAsync(client, form, 1))["contentHash"]!;
    }

    private Task<int> VersionCountAsync(Guid organisationId) => Factory.QueryAsync(db =>
        db.ConsentFormVersions.CountAsync(v => db.ConsentForms.Any(f => f.Id == v.FormId && f.OrganisationId == organisationId)));

    [Test]
    public async Task An_organisation_wide_form_is_created_without_a_school()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Admin().PostAsJsonAsync("/v1/consent-forms", new { name = "  Toestemming beeldmateriaal " });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var form = await response.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/v1/consent-forms/{form["id"]}"));
            Assert.That((string?)form["name"], Is.EqualTo("Toestemming beeldmateriaal"));
            Assert.That(form["schoolId"], Is.Null);
            Assert.That(form["versions"]!.AsArray(), Is.Empty);
        });
        var stored = await Factory.QueryAsync(db => db.ConsentForms.AsNoTracking().SingleAsync(f => f.Id == (Guid)form["id"]!));
        Assert.That((stored.OrganisationId, stored.SchoolId), Is.EqualTo((tenant.OrganisationId, (Guid?)null)));
    }

    [Test]
    public async Task A_school_form_is_created_for_that_school()
    {
        var tenant = await CreateTenantAsync();

        var form = await CreateFormAsync(tenant.Admin(), "Toestemming De Regenboog", tenant.SchoolIds[1]);

        Assert.That((Guid?)form["schoolId"], Is.EqualTo(tenant.SchoolIds[1]));
        var read = await (await tenant.Full().GetAsync($"/v1/consent-forms/{form["id"]}")).ReadObjectAsync();
        Assert.That(((string?)read["name"], (Guid?)read["schoolId"]), Is.EqualTo(("Toestemming De Regenboog", (Guid?)tenant.SchoolIds[1])));
    }

    [Test]
    public async Task A_form_for_a_school_of_another_organisation_is_not_found()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();

        await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync("/v1/consent-forms", new { name = "Formulier", schoolId = other.SchoolId }),
            HttpStatusCode.NotFound, "not-found");
        Assert.That(await Factory.QueryAsync(db => db.ConsentForms.CountAsync(f => f.OrganisationId == tenant.OrganisationId)), Is.Zero);
    }

    [Test]
    public async Task The_first_version_is_a_draft_numbered_1_without_a_content_hash()
    {
        var tenant = await CreateTenantAsync();
        var form = await CreateFormAsync(tenant.Admin());

        var response = await tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions",
            Version(items: [("photo", "website"), ("audio", "newsletter"), ("photo", "social-media"), ("film", "website")]));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var version = await response.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/v1/consent-forms/{form["id"]}/versions/1"));
            Assert.That((int?)version["number"], Is.EqualTo(1));
            Assert.That((string?)version["status"], Is.EqualTo("draft"));
            Assert.That(version["contentHash"], Is.Null);
            Assert.That(version["publishedAt"], Is.Null);
            Assert.That(version["supersededAt"], Is.Null);
            Assert.That((Guid?)version["formId"], Is.EqualTo((Guid?)form["id"]));
            Assert.That((string?)version["textNl"], Is.EqualTo(Text));
            Assert.That((string?)version["textEn"], Is.EqualTo(TextEn));
            Assert.That((string?)version["validity"], Is.EqualTo("until-withdrawn"));
            Assert.That(version["schoolYear"], Is.Null);
            // Items come back in reading order: photo, film, audio; channels by key.
            Assert.That(Items(version), Is.EqualTo("photo:social-media,photo:website,film:website,audio:newsletter"));
        });
    }

    [Test]
    public async Task A_draft_is_edited_in_place()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var form = await CreateFormAsync(admin);
        var draft = await CreateVersionAsync(admin, form, Version());

        var response = await admin.PutAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions/1", Version(
            textNl: "Mag de school foto's van uw kind publiceren in het schooljaar 2026-2027?", textEn: null,
            validity: "school-year", schoolYear: "2026-2027", items: [("photo", "social-media"), ("audio", "parent-app")]));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var edited = await response.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That((string?)edited["id"], Is.EqualTo((string?)draft["id"]));
            Assert.That((string?)edited["status"], Is.EqualTo("draft"));
            Assert.That((string?)edited["textNl"], Is.EqualTo("Mag de school foto's van uw kind publiceren in het schooljaar 2026-2027?"));
            Assert.That(edited["textEn"], Is.Null);
            Assert.That(((string?)edited["validity"], (string?)edited["schoolYear"]), Is.EqualTo(("school-year", "2026-2027")));
            Assert.That(Items(edited), Is.EqualTo("photo:social-media,audio:parent-app"));
        });
        var read = await (await tenant.Full().GetAsync($"/v1/consent-forms/{form["id"]}/versions/1")).ReadObjectAsync();
        Assert.That(read.ToJsonString(), Is.EqualTo(edited.ToJsonString()));
        Assert.That(await Factory.QueryAsync(db => db.ConsentFormItems.CountAsync(i => i.VersionId == (Guid)draft["id"]!)), Is.EqualTo(2));
    }

    [Test]
    public async Task Publishing_fixes_the_status_the_moment_and_a_sha256_content_hash()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var form = await CreateFormAsync(admin);
        await CreateVersionAsync(admin, form, Version());
        var before = DateTimeOffset.UtcNow;

        var published = await PublishAsync(admin, form, 1);

        Assert.Multiple(() =>
        {
            Assert.That((string?)published["status"], Is.EqualTo("published"));
            Assert.That((string?)published["contentHash"], Does.Match("^sha256:[0-9a-f]{64}$"));
            Assert.That(Moment(published["publishedAt"]), Is.InRange(before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5)));
            Assert.That(published["supersededAt"], Is.Null);
        });
        var summary = (await (await tenant.Full().GetAsync($"/v1/consent-forms/{form["id"]}")).ReadObjectAsync())["versions"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)summary["status"], Is.EqualTo("published"));
            Assert.That((string?)summary["contentHash"], Is.EqualTo((string?)published["contentHash"]));
            Assert.That((string?)summary["publishedAt"], Is.EqualTo((string?)published["publishedAt"]));
        });
    }

    [Test]
    public async Task A_published_version_can_no_longer_be_edited()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var form = await CreateFormAsync(admin);
        await CreateVersionAsync(admin, form, Version());
        var published = await PublishAsync(admin, form, 1);

        await AssertProblemAsync(await admin.PutAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions/1",
            Version(textNl: "Een andere tekst na publicatie, die niet mag.")), HttpStatusCode.Conflict, "conflict");

        var read = await (await tenant.Full().GetAsync($"/v1/consent-forms/{form["id"]}/versions/1")).ReadObjectAsync();
        Assert.That(read.ToJsonString(), Is.EqualTo(published.ToJsonString()));
    }

    [Test]
    public async Task Publishing_a_version_again_is_a_conflict()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var form = await CreateFormAsync(admin);
        await CreateVersionAsync(admin, form, Version());
        var published = await PublishAsync(admin, form, 1);

        await AssertProblemAsync(await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/1/publish", null),
            HttpStatusCode.Conflict, "conflict");

        var read = await (await tenant.Full().GetAsync($"/v1/consent-forms/{form["id"]}/versions/1")).ReadObjectAsync();
        Assert.That((string?)read["publishedAt"], Is.EqualTo((string?)published["publishedAt"]));
    }

    [Test]
    public async Task Publishing_or_editing_an_unknown_version_is_not_found()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var form = await CreateFormAsync(admin);
        await CreateVersionAsync(admin, form, Version());

        await AssertProblemAsync(await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/2/publish", null),
            HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await admin.PutAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions/2", Version()),
            HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await admin.PostAsJsonAsync($"/v1/consent-forms/{Guid.CreateVersion7()}/versions", Version()),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task Publishing_version_2_supersedes_version_1()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var form = await CreateFormAsync(admin);
        await CreateVersionAsync(admin, form, Version());
        var first = await PublishAsync(admin, form, 1);
        var draft = await CreateVersionAsync(admin, form, Version(textNl: "Versie 2: wij vragen uw toestemming opnieuw."));
        Assert.That((int?)draft["number"], Is.EqualTo(2));

        var second = await PublishAsync(admin, form, 2);

        var versions = (await (await tenant.Full().GetAsync($"/v1/consent-forms/{form["id"]}")).ReadObjectAsync())["versions"]!.AsArray();
        Assert.That(versions.Select(v => $"{v!["number"]} {v["status"]}"), Is.EqualTo(new[] { "1 published", "2 published" }));
        Assert.Multiple(() =>
        {
            Assert.That((string?)versions[0]!["supersededAt"], Is.EqualTo((string?)second["publishedAt"]).And.Not.Null);
            Assert.That(versions[1]!["supersededAt"], Is.Null);
            Assert.That((string?)versions[0]!["contentHash"], Is.EqualTo((string?)first["contentHash"]));
            Assert.That((string?)second["contentHash"], Is.Not.EqualTo((string?)first["contentHash"]));
        });
        var v1 = await (await tenant.Full().GetAsync($"/v1/consent-forms/{form["id"]}/versions/1")).ReadObjectAsync();
        Assert.That((string?)v1["supersededAt"], Is.EqualTo((string?)second["publishedAt"]));
    }

    [Test]
    public async Task Identical_content_gets_the_same_hash_and_different_text_a_different_hash()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();

        var hash1 = await PublishedHashAsync(admin, Version());
        var sameContentOtherItemOrder = await PublishedHashAsync(admin, Version(items: [("film", "website"), ("photo", "social-media")]));
        var otherText = await PublishedHashAsync(admin, Version(textNl: Text + " Dank u wel."));
        var otherEnglish = await PublishedHashAsync(admin, Version(textEn: null));
        var otherItems = await PublishedHashAsync(admin, Version(items: [("photo", "social-media")]));
        var otherValidity = await PublishedHashAsync(admin, Version(validity: "school-year", schoolYear: "2026-2027"));

        Assert.That(sameContentOtherItemOrder, Is.EqualTo(hash1));
        Assert.That(new[] { hash1, otherText, otherEnglish, otherItems, otherValidity }, Is.Unique);
    }

    [Test]
    public async Task The_same_content_hashes_the_same_in_another_organisation()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();

        Assert.That(await PublishedHashAsync(other.Admin(), Version()), Is.EqualTo(await PublishedHashAsync(tenant.Admin(), Version())));
    }

    [Test]
    public async Task School_year_validity_without_a_school_year_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();
        var form = await CreateFormAsync(tenant.Admin());

        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions",
            Version(validity: "school-year")), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "schoolYear" }), problem.ToJsonString());
        Assert.That(await VersionCountAsync(tenant.OrganisationId), Is.Zero);
    }

    [TestCase("2026-2028")]
    [TestCase("2027-2026")]
    [TestCase("26-27")]
    public async Task School_year_validity_with_a_malformed_school_year_is_a_validation_problem(string schoolYear)
    {
        var tenant = await CreateTenantAsync();
        var form = await CreateFormAsync(tenant.Admin());

        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions",
            Version(validity: "school-year", schoolYear: schoolYear)), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "schoolYear" }), problem.ToJsonString());
        Assert.That(await VersionCountAsync(tenant.OrganisationId), Is.Zero);
    }

    [Test]
    public async Task Until_withdrawn_validity_with_a_school_year_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();
        var form = await CreateFormAsync(tenant.Admin());

        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions",
            Version(validity: "until-withdrawn", schoolYear: "2026-2027")), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "schoolYear" }), problem.ToJsonString());
        Assert.That(await VersionCountAsync(tenant.OrganisationId), Is.Zero);
    }

    [Test]
    public async Task A_duplicate_item_is_a_validation_problem_on_its_position()
    {
        var tenant = await CreateTenantAsync();
        var form = await CreateFormAsync(tenant.Admin());

        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions",
            Version(items: [("photo", "website"), ("photo", "website")])), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "items[1]" }), problem.ToJsonString());
        Assert.That(await VersionCountAsync(tenant.OrganisationId), Is.Zero);
    }

    [Test]
    public async Task An_unknown_channel_is_a_validation_problem_on_the_items_channel()
    {
        var tenant = await CreateTenantAsync();
        var form = await CreateFormAsync(tenant.Admin());

        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions",
            Version(items: [("photo", "regional-press"), ("photo", "website")])), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "items[0].channel" }), problem.ToJsonString());
        Assert.That(await VersionCountAsync(tenant.OrganisationId), Is.Zero);
    }

    [Test]
    public async Task A_channel_of_another_organisation_is_unknown()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        (await other.Admin().PostAsJsonAsync("/v1/channels", new { key = "regional-press", nameNl = "Regionale pers", audience = "public" }))
            .EnsureSuccessStatusCode();
        var form = await CreateFormAsync(tenant.Admin());

        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions",
            Version(items: [("photo", "website"), ("film", "regional-press")])), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "items[1].channel" }), problem.ToJsonString());
    }

    [Test]
    public async Task No_items_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();
        var form = await CreateFormAsync(tenant.Admin());

        var problem = await AssertProblemAsync(await tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions",
            new { textNl = Text, validity = "until-withdrawn", items = Array.Empty<object>() }), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "items" }), problem.ToJsonString());
        Assert.That(await VersionCountAsync(tenant.OrganisationId), Is.Zero);
    }

    [Test]
    public async Task Editing_a_draft_is_validated_like_creating_one()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var form = await CreateFormAsync(admin);
        var draft = await CreateVersionAsync(admin, form, Version());

        var problem = await AssertProblemAsync(await admin.PutAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions/1",
            Version(items: [("photo", "website"), ("audio", "school-radio")])), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "items[1].channel" }), problem.ToJsonString());
        var read = await (await tenant.Full().GetAsync($"/v1/consent-forms/{form["id"]}/versions/1")).ReadObjectAsync();
        Assert.That(read.ToJsonString(), Is.EqualTo(draft.ToJsonString()));
    }

    [Test]
    public async Task A_client_limited_to_a_school_sees_the_organisations_forms_and_its_schools_forms_only()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var orgWide = await CreateFormAsync(admin, "Bestuur");
        var ownSchool = await CreateFormAsync(admin, "Eigen school", tenant.SchoolIds[0]);
        var otherSchool = await CreateFormAsync(admin, "Andere school", tenant.SchoolIds[1]);
        var limited = await tenant.ClientWithAsync([Scopes.ConsentRead], [tenant.SchoolIds[0]]);

        var list = await (await limited.GetAsync("/v1/consent-forms")).ReadObjectAsync();

        Assert.That(list["items"]!.AsArray().Select(f => (string?)f!["name"]), Is.EquivalentTo(new[] { "Bestuur", "Eigen school" }));
        Assert.That((await limited.GetAsync($"/v1/consent-forms/{orgWide["id"]}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await limited.GetAsync($"/v1/consent-forms/{ownSchool["id"]}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertProblemAsync(await limited.GetAsync($"/v1/consent-forms/{otherSchool["id"]}"), HttpStatusCode.NotFound, "not-found");
        var all = await (await tenant.Full().GetAsync("/v1/consent-forms")).ReadObjectAsync();
        Assert.That(all["items"]!.AsArray().Select(f => (string?)f!["name"]), Is.EquivalentTo(new[] { "Bestuur", "Eigen school", "Andere school" }));
        var bySchool = await (await tenant.Full().GetAsync($"/v1/consent-forms?schoolId={tenant.SchoolIds[1]}")).ReadObjectAsync();
        Assert.That(bySchool["items"]!.AsArray().Select(f => (string?)f!["name"]), Is.EqualTo(new[] { "Andere school" }));
    }

    [Test]
    public async Task A_client_limited_to_a_school_cannot_change_the_organisations_forms()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var orgWide = await CreateFormAsync(admin, "Bestuur");
        var limited = await tenant.ClientWithAsync([Scopes.Admin, Scopes.ConsentRead], [tenant.SchoolIds[0]]);

        await AssertProblemAsync(await limited.PostAsJsonAsync($"/v1/consent-forms/{orgWide["id"]}/versions", Version()),
            HttpStatusCode.Forbidden, "forbidden");
        var ownForm = await CreateFormAsync(limited, "Eigen school", tenant.SchoolIds[0]);
        await CreateVersionAsync(limited, ownForm, Version());

        Assert.That(await VersionCountAsync(tenant.OrganisationId), Is.EqualTo(1));
    }

    [Test]
    public async Task Forms_are_paged_by_cursor()
    {
        var tenant = await CreateTenantAsync();
        var forms = new List<(Guid Id, string Name)>();
        for (var i = 1; i <= 3; i++)
        {
            var form = await CreateFormAsync(tenant.Admin(), $"Formulier {i}");
            forms.Add(((Guid)form["id"]!, $"Formulier {i}"));
        }
        var inOrder = forms.InIdOrder(f => f.Id).Select(f => f.Name).ToList();

        var first = await (await tenant.Full().GetAsync("/v1/consent-forms?limit=2")).ReadObjectAsync();
        var second = await (await tenant.Full().GetAsync($"/v1/consent-forms?limit=2&cursor={first["nextCursor"]}")).ReadObjectAsync();

        Assert.That(first["items"]!.AsArray().Select(f => (string?)f!["name"]), Is.EqualTo(inOrder[..2]));
        Assert.That(second["items"]!.AsArray().Select(f => (string?)f!["name"]), Is.EqualTo(inOrder[2..]));
        Assert.That(second["nextCursor"], Is.Null);
    }
}
