using System.Net;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.OpenApi;

/// <summary>A real 429 against the shared answer the contract declares for it: its body, its example's type, its headers.</summary>
public sealed class RateLimitedProblemContractTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RateLimiting:PermitsPerMinute"] = "2",
    };

    [Test]
    public async Task A_429_fits_the_shared_answer_with_its_headers()
    {
        // The document is outside the limits (it is not under /v1), so reading it spends nothing.
        var document = JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();
        var schemas = new ContractSchemas(document);
        HttpResponseMessage response;
        do
        {
            response = await Client().GetAsync("/v1/schools");
        }
        while (response.StatusCode == HttpStatusCode.Unauthorized);

        var declared = schemas.Resolve(document["paths"]!["/v1/schools"]!["get"]!["responses"]!["429"]!);
        var media = declared["content"]!["application/problem+json"]!;
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(schemas.Violations(body, media["schema"]!), Is.Empty, body?.ToJsonString());
        Assert.That((string?)body?["type"], Is.EqualTo((string?)media["example"]!["type"]));
        Assert.That(declared["headers"]!.AsObject().Select(h => h.Key), Is.EquivalentTo(new[] { "X-RateLimit-Limit", "X-RateLimit-Remaining", "Retry-After" }));
        foreach (var (name, header) in declared["headers"]!.AsObject())
        {
            var value = JsonNode.Parse(response.Headers.GetValues(name).Single());
            Assert.That(schemas.Violations(value, schemas.Resolve(header!)["schema"]!), Is.Empty, name);
        }
    }
}
