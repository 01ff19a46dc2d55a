using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features;

/// <summary>
/// JSON as the contract says and nothing looser: numbers unquoted, moments in RFC 3339 with an offset (in bodies and in
/// the query), bodies sent as application/json in UTF-8. Anything else is a 4xx that changes nothing, never a guess.
/// </summary>
public sealed class StrictInputTests : ApiTest
{
    private static StringContent Json(string json, string contentType = "application/json") =>
        new(json, Encoding.UTF8) { Headers = { ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType) } };

    private static IEnumerable<string> ErrorKeys(JsonObject problem) => problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    [Test]
    public async Task A_quoted_number_is_refused_naming_the_field()
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Admin().PutAsync($"/v1/organisations/{tenant.OrganisationId}/consent-policy",
            Json("""{"grantRequires":"all-guardians","schoolYearEndMonth":"7","schoolYearEndDay":31}"""));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "schoolYearEndMonth" }), problem.ToJsonString());
        var organisation = await GetAsync(tenant.Admin(), $"/v1/organisations/{tenant.OrganisationId}");
        Assert.That(organisation.ToJsonString(), Does.Contain("any-guardian"), "nothing changed");
    }

    [TestCase("1.5")]
    [TestCase("2026-09-01")]
    [TestCase("2026-09-01T08:30:00")]
    [TestCase("tomorrow")]
    public async Task A_query_moment_that_is_not_RFC_3339_with_an_offset_is_refused(string at)
    {
        var tenant = await CreateTenantAsync();
        var pupil = await CreatePupilAsync(tenant.Full(), tenant.SchoolId, "Sanne de Vries");

        var problem = await AssertProblemAsync(await tenant.Full().GetAsync($"/v1/pupils/{pupil}/consents?at={Uri.EscapeDataString(at)}"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "at" }), problem.ToJsonString());
    }

    [TestCase("2026-09-01T08:30:00Z")]
    [TestCase("2026-09-01T10:30:00+02:00")]
    [TestCase("2026-09-01T08:30:00.123456Z")]
    public async Task A_query_moment_in_RFC_3339_is_read(string at)
    {
        var tenant = await CreateTenantAsync();
        var pupil = await CreatePupilAsync(tenant.Full(), tenant.SchoolId, "Sanne de Vries");

        var matrix = await GetAsync(tenant.Full(), $"/v1/pupils/{pupil}/consents?at={Uri.EscapeDataString(at)}");

        Assert.That(Moment(matrix["at"]), Is.EqualTo(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase("\"2026-09-01\"")]
    [TestCase("\"2026-09-01T08:30:00\"")]
    [TestCase("1788220800")]
    public async Task A_body_moment_that_is_not_RFC_3339_with_an_offset_is_refused(string givenAt)
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website"]))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var guardian = await CreateGuardianAsync(full, "Marieke de Vries");
        await LinkAsync(full, pupil, guardian);

        var response = await full.PostAsync($"/v1/pupils/{pupil}/decisions", Json($$"""
            {"formVersionId":"{{version}}","decidedBy":"guardian","guardianId":"{{guardian}}","method":"paper","givenAt":{{givenAt}},
             "items":[{"mediaType":"photo","channel":"website","outcome":"granted"}]}
            """));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "givenAt" }), problem.ToJsonString());
        Assert.That(await ItemsAsync(full, $"/v1/pupils/{pupil}/consents/history"), Is.Empty, "nothing was recorded");
    }

    [TestCase("application/json; charset=bogus")]
    [TestCase("application/json; charset=latin1")]
    [TestCase("application/merge-patch+json")]
    [TestCase("application/vnd.api+json")]
    [TestCase("text/plain")]
    public async Task A_body_that_is_not_application_json_in_UTF_8_is_415_and_writes_nothing(string contentType)
    {
        var tenant = await CreateTenantAsync();

        await AssertProblemAsync(await tenant.Full().PostAsync("/v1/guardians", Json("""{"externalId":"OV1","displayName":"Marieke"}""", contentType)),
            HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

        Assert.That(await ItemsAsync(tenant.Full(), "/v1/guardians"), Is.Empty);
    }

    [TestCase("application/json")]
    [TestCase("application/json; charset=utf-8")]
    [TestCase("Application/JSON; Charset=UTF-8")]
    public async Task A_body_in_application_json_is_read(string contentType)
    {
        var tenant = await CreateTenantAsync();

        var response = await tenant.Full().PostAsync("/v1/guardians", Json("""{"externalId":"OV1","displayName":"Marieke"}""", contentType));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Every_moment_in_the_query_of_the_contract_is_held_to_RFC_3339()
    {
        var document = JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var moments = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => operation.Value!["parameters"]?.AsArray() ?? []))
            .SelectMany(parameters => parameters)
            .Where(p => (string?)p!["in"] == "query" && (string?)p["schema"]?["format"] == "date-time")
            .Select(p => (string)p!["name"]!)
            .ToHashSet();

        Assert.That(moments, Is.Not.Empty);
        Assert.That(moments.Where(name => !Rfc3339.QueryParameters.Contains(name)), Is.Empty,
            "a query moment the request rules do not check");
    }
}
