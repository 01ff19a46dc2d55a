using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.OpenApi;

public sealed class OpenApiDocumentTests : ApiTest
{
    private static string CommittedPath([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../../../openapi/consent-api.v1.json"));

    private async Task<JsonObject> ServedAsync() =>
        JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();

    [Test]
    public async Task Committed_document_matches_the_served_one()
    {
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath()));
        var served = await ServedAsync();
        Assert.That(JsonNode.DeepEquals(committed, served), Is.True,
            "openapi/consent-api.v1.json differs from what the app serves: run ./scripts/generate-openapi.sh and commit the result.");
    }

    [Test]
    public async Task Every_operation_has_an_id_summary_description_and_tag()
    {
        var paths = (await ServedAsync())["paths"]!.AsObject();
        var operations = paths.SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value!.AsObject()))).ToList();
        Assert.That(operations, Has.Count.GreaterThan(20));
        Assert.Multiple(() =>
        {
            foreach (var (path, method, operation) in operations)
            {
                Assert.That((string?)operation["operationId"], Is.Not.Null.And.Not.Empty, $"{method} {path}: operationId");
                Assert.That((string?)operation["summary"], Is.Not.Null.And.Not.Empty, $"{method} {path}: summary");
                Assert.That((string?)operation["description"], Is.Not.Null.And.Not.Empty, $"{method} {path}: description");
                Assert.That(operation["tags"]?.AsArray(), Is.Not.Null.And.Not.Empty, $"{method} {path}: tags");
                Assert.That(operation["responses"]!.AsObject().Select(r => r.Key), Does.Contain("500"), $"{method} {path}: 500");
            }
        });
    }

    [Test]
    public async Task Every_v1_operation_requires_the_api_key_and_documents_401_and_403()
    {
        var document = await ServedAsync();
        Assert.That((string?)document["components"]!["securitySchemes"]!["ApiKey"]!["name"], Is.EqualTo("X-Api-Key"));
        var v1 = document["paths"]!.AsObject().Where(p => p.Key.StartsWith("/v1/", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value!.AsObject())));
        Assert.Multiple(() =>
        {
            foreach (var (path, method, operation) in v1)
            {
                var security = operation["security"]?.AsArray();
                Assert.That(security?.Any(s => s!.AsObject().ContainsKey("ApiKey")), Is.True, $"{method} {path}: security");
                var responses = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
                Assert.That(responses, Does.Contain("401").And.Contain("403").And.Contain("429"), $"{method} {path}");
                Assert.That((string?)operation["description"], Does.Contain("Requires scope"), $"{method} {path}");
            }
        });
    }

    [Test]
    public async Task Every_tag_an_operation_uses_is_declared_with_a_description()
    {
        var document = await ServedAsync();
        var declared = document["tags"]!.AsArray().ToDictionary(t => (string)t!["name"]!, t => (string?)t!["description"]);
        var used = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().SelectMany(o => o.Value!["tags"]!.AsArray().Select(t => (string)t!)))
            .ToHashSet();
        Assert.That(used, Is.SubsetOf(declared.Keys));
        Assert.That(declared.Values, Has.All.Not.Empty);
    }

    [Test]
    public async Task Request_and_response_schemas_carry_examples()
    {
        var schemas = (await ServedAsync())["components"]!["schemas"]!.AsObject();
        string[] withExamples = ["RosterRequest", "RosterSyncResponse", "PupilDetailResponse", "CreatedApiClientResponse"];
        Assert.Multiple(() =>
        {
            foreach (var name in withExamples)
            {
                // OpenAPI 3.1 writes a schema's examples as the JSON Schema array `examples`.
                Assert.That(schemas[name]!["examples"]?.AsArray(), Is.Not.Null.And.Not.Empty, name);
            }
        });
    }

    [Test]
    public async Task Swagger_ui_is_served()
    {
        var response = await Client().GetAsync("/swagger/index.html");
        Assert.That(response.IsSuccessStatusCode, Is.True);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("swagger-ui"));
    }
}
