using System.Net;
using System.Net.Http.Json;
using System.Text;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features;

/// <summary>
/// An enum value is read only as the contract spells it: `parent-app`, never the C# name `ParentApp`, another case or a
/// number. A request with anything else is a 400 naming the field and changes nothing. (No route value is an enum.)
/// </summary>
public sealed class StrictEnumTests : ApiTest
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Decision(Guid version, Guid guardian, string method, string language = "\"nl\"") => $$"""
        {"formVersionId":"{{version}}","decidedBy":"guardian","guardianId":"{{guardian}}","method":{{method}},"language":{{language}},
         "items":[{"mediaType":"photo","channel":"website","outcome":"granted"}]}
        """;

    private async Task<(HttpClient Full, Guid Version, Guid Pupil, Guid Guardian)> FamilyAsync()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website"]))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var guardian = await CreateGuardianAsync(full, "Marieke de Vries");
        await LinkAsync(full, pupil, guardian);
        return (full, version, pupil, guardian);
    }

    [TestCase("\"ParentApp\"")]
    [TestCase("\"parentApp\"")]
    [TestCase("\"Parent-App\"")]
    [TestCase("\"PARENT-APP\"")]
    [TestCase("\"parent_app\"")]
    [TestCase("0")]
    [TestCase("\"0\"")]
    public async Task A_body_enum_not_spelled_as_the_contract_lists_is_refused_naming_the_field(string method)
    {
        var (full, version, pupil, guardian) = await FamilyAsync();

        var response = await full.PostAsync($"/v1/pupils/{pupil}/decisions", Json(Decision(version, guardian, method)));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "method" }), problem.ToJsonString());
        Assert.That(problem.ToJsonString(), Does.Contain("parent-app"), "the message lists the values the contract allows");
        Assert.That(await ItemsAsync(full, $"/v1/pupils/{pupil}/consents/history"), Is.Empty, "nothing was recorded");
    }

    [TestCase("\"EN\"")]
    [TestCase("\"En\"")]
    [TestCase("\"english\"")]
    [TestCase("1")]
    public async Task A_body_string_from_a_fixed_set_not_spelled_as_listed_is_refused(string language)
    {
        var (full, version, pupil, guardian) = await FamilyAsync();

        var response = await full.PostAsync($"/v1/pupils/{pupil}/decisions", Json(Decision(version, guardian, "\"paper\"", language)));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "language" }), problem.ToJsonString());
        Assert.That(await ItemsAsync(full, $"/v1/pupils/{pupil}/consents/history"), Is.Empty, "nothing was recorded");
    }

    [Test]
    public async Task The_values_as_the_contract_lists_them_are_read()
    {
        var (full, version, pupil, guardian) = await FamilyAsync();

        var response = await full.PostAsync($"/v1/pupils/{pupil}/decisions", Json(Decision(version, guardian, "\"parent-app\"")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var history = await ItemsAsync(full, $"/v1/pupils/{pupil}/consents/history");
        Assert.That(history.Select(d => (string?)d!["method"]), Is.EqualTo(new[] { "parent-app" }));
    }

    [TestCase("/v1/takedowns?status=", "Open")]
    [TestCase("/v1/takedowns?status=", "OPEN")]
    [TestCase("/v1/takedowns?status=", "0")]
    [TestCase("/v1/publications?status=", "Online")]
    [TestCase("/v1/publications?status=", "1")]
    public async Task A_query_enum_not_spelled_as_the_contract_lists_is_refused_naming_the_parameter(string path, string value)
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertProblemAsync(await tenant.Full().GetAsync(path + value), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "status" }), problem.ToJsonString());
    }

    [TestCase("/v1/takedowns?status=open")]
    [TestCase("/v1/takedowns?status=done")]
    [TestCase("/v1/publications?status=online")]
    public async Task A_query_enum_as_the_contract_lists_it_is_read(string path)
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Full().GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_pupil_list_filtered_by_a_status_in_another_case_is_refused()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertProblemAsync(await tenant.Full().GetAsync($"/v1/schools/{tenant.SchoolId}/pupils?status=Active"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "status" }), problem.ToJsonString());
    }

    [TestCase("Admin")]
    [TestCase("ROSTER:READ")]
    [TestCase("roster-read")]
    public async Task A_scope_not_spelled_as_the_contract_lists_is_refused_and_no_client_is_created(string scope)
    {
        var tenant = await CreateTenantAsync();
        var before = (await ItemsAsync(tenant.Admin(), "/v1/api-clients")).Count;

        var response = await tenant.Admin().PostAsJsonAsync("/v1/api-clients", new { name = "Koppeling", scopes = new[] { scope }, schoolIds = Array.Empty<Guid>() });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "scopes" }), problem.ToJsonString());
        Assert.That(await ItemsAsync(tenant.Admin(), "/v1/api-clients"), Has.Count.EqualTo(before));
    }

    [TestCase("Consent.Changed")]
    [TestCase("ConsentChanged")]
    [TestCase("consent-changed")]
    public async Task A_webhook_event_type_not_spelled_as_the_contract_lists_is_refused_and_nothing_is_subscribed(string eventType)
    {
        var tenant = await CreateTenantAsync();

        // A loopback address: should the event type get through, the URL check refuses it without any network traffic.
        var response = await tenant.Admin().PostAsJsonAsync("/v1/webhooks",
            new { url = "https://127.0.0.1/hooks/consent", eventTypes = new[] { eventType } });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "eventTypes" }), problem.ToJsonString());
        Assert.That(await ItemsAsync(tenant.Admin(), "/v1/webhooks"), Is.Empty);
    }
}
