using System.Net;
using System.Net.Http.Json;
using System.Text;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features;

/// <summary>
/// Control characters (other than tab, CR and LF) in a query value, a route value or any JSON string are a 400 naming
/// the field, before anything reaches the database: PostgreSQL refuses U+0000 in text, and a refused parameter once left
/// a pooled connection broken for the next request, another organisation's.
/// </summary>
public sealed class ControlCharacterTests : ApiTest
{
    private static StringContent JsonText(string json) => new(json, Encoding.UTF8, "application/json");

    public static IEnumerable<TestCaseData> Hostile()
    {
        foreach (var character in new[] { "\\u0000", "\\u0007", "\\u001b", "\\u007f", "\\u0085" })
        {
            yield return new TestCaseData("POST", "/v1/guardians", $$"""{"externalId":"OV1","displayName":"Marieke{{character}}"}""", "displayName")
                .SetName($"A guardian's name with {character} is refused");
            yield return new TestCaseData("POST", "/v1/schools", $$"""{"name":"De Regenboog{{character}}","brinCode":"12AB"}""", "name")
                .SetName($"A school's name with {character} is refused");
            yield return new TestCaseData("POST", "/v1/publication-checks",
                    $$"""{"pupilIds":["01930f4e-8b18-7e0b-8f1a-2b3c4d5e6f7a"],"mediaType":"photo","channel":"web{{character}}site"}""", "channel")
                .SetName($"A check's channel with {character} is refused");
        }
        yield return new TestCaseData("GET", "/v1/guardians?externalId=%00", null, "externalId").SetName("A NUL in a query value is refused");
        yield return new TestCaseData("GET", "/v1/guardians?externalId=OV%07", null, "externalId").SetName("A bell in a query value is refused");
        // A NUL in the path itself never gets this far: the server refuses the request line.
        yield return new TestCaseData("GET", "/v1/parent-app/guardians/OV%071/children", null, "guardianExternalId")
            .SetName("A bell in a route value is refused");
    }

    [TestCaseSource(nameof(Hostile))]
    public async Task Refused_with_the_field_named_and_the_next_request_of_another_organisation_succeeds(
        string method, string path, string? body, string field)
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var client = tenant.Full();
        var otherClient = other.Full();
        var before = await ItemsAsync(otherClient, "/v1/schools");

        // Often enough that the other organisation's requests meet every pooled connection the hostile ones used.
        for (var round = 0; round < 10; round++)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : JsonText(body) };
            var problem = await AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.BadRequest, "validation");
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), problem.ToJsonString());

            var next = await otherClient.GetAsync("/v1/schools");
            Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK), await next.Content.ReadAsStringAsync());
        }
        Assert.That(await ItemsAsync(otherClient, "/v1/schools"), Has.Count.EqualTo(before.Count));
        Assert.That(await ItemsAsync(client, "/v1/guardians"), Is.Empty, "nothing was written");
    }

    [Test]
    public async Task Tab_carriage_return_and_line_feed_are_text()
    {
        var tenant = await CreateTenantAsync();

        var created = await tenant.Full().PostAsync("/v1/guardians", JsonText("""{"externalId":"OV1","displayName":"Marieke\tde Vries"}"""));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var form = await (await tenant.Admin().PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming" })).ReadObjectAsync();
        var version = await tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Beste ouders,\r\n\r\nMogen wij foto's van uw kind plaatsen?\nMet vriendelijke groet",
            validity = "until-withdrawn",
            items = new[] { new { mediaType = "photo", channel = "website" } },
        });
        Assert.That(version.StatusCode, Is.EqualTo(HttpStatusCode.Created), await version.Content.ReadAsStringAsync());
    }
}
