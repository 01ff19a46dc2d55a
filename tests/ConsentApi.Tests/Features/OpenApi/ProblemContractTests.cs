using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Tests.Features.Publications;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Tests.Features.OpenApi;

/// <summary>
/// The error answers as the contract declares them: a schema per kind, one example per status of each operation that
/// says what the server says there, and real error answers of every kind that fit the schema declared for them.
/// </summary>
public sealed class ProblemContractTests : ApiTest
{
    private JsonObject? _document;

    private async Task<JsonObject> DocumentAsync() =>
        _document ??= JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();

    private static IEnumerable<(string Method, string Path, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Select(o => (o.Key.ToUpperInvariant(), path.Key, o.Value!.AsObject())));

    /// <summary>The declared answer of an operation for a status, with its component reference resolved.</summary>
    private static JsonObject? Answer(ContractSchemas schemas, JsonObject operation, string status) =>
        operation["responses"]![status] is { } answer ? schemas.Resolve(answer) : null;

    private static JsonObject? ProblemMedia(JsonObject? answer) => answer?["content"]?["application/problem+json"]?.AsObject();

    private static string TypeFor(int status) => ProblemTypes.DefaultUri(ProblemTypes.ForStatus(status));

    [Test]
    public async Task Real_error_answers_of_every_kind_fit_the_schema_and_example_type_declared_for_them()
    {
        var document = await DocumentAsync();
        var schemas = new ContractSchemas(document);
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var pupil = await PublishingSteps.CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var readOnly = await tenant.ClientWithAsync([Scopes.RosterRead]);
        await full.PostAsJsonAsync("/v1/guardians", new { externalId = "OV-DUP", displayName = "Marieke" });
        var guardian = await PublishingSteps.CreateGuardianAsync(full, "Marieke", "OV-412");

        var cases = new (string Name, string Method, string Path, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("validation", "POST", "/v1/guardians", () => full.PostAsJsonAsync("/v1/guardians", new { displayName = "Marieke" })),
            ("bad-request: not a number", "GET", "/v1/guardians", () => full.GetAsync("/v1/guardians?limit=ten")),
            ("bad-request: no body", "POST", "/v1/guardians", () => full.PostAsync("/v1/guardians", null)),
            ("request rules", "GET", "/v1/pupils/{pupilId}", () => full.GetAsync($"/v1/pupils/{pupil}?x=%01")),
            ("no key", "GET", "/v1/pupils/{pupilId}", () => Client().GetAsync($"/v1/pupils/{pupil}")),
            ("missing scope", "POST", "/v1/channels", () => readOnly.PostAsJsonAsync("/v1/channels",
                new { key = "regional-press", nameNl = "Regionale pers", audience = "public" })),
            ("not found", "GET", "/v1/pupils/{pupilId}", () => full.GetAsync($"/v1/pupils/{Guid.NewGuid()}")),
            ("unknown pupils", "POST", "/v1/publication-checks", () => full.PostAsJsonAsync("/v1/publication-checks",
                new { pupilIds = new[] { pupil, Guid.NewGuid() }, mediaType = "photo", channel = "website" })),
            ("not acceptable", "GET", "/v1/schools/{schoolId}/groups/{groupId}/consent-overview", () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/schools/{tenant.SchoolId}/groups/{Guid.NewGuid()}/consent-overview");
                request.Headers.Add("Accept", "image/png");
                return full.SendAsync(request);
            }),
            ("conflict", "POST", "/v1/guardians", () => full.PostAsJsonAsync("/v1/guardians", new { externalId = "OV-DUP", displayName = "Marieke" })),
            ("publication not allowed", "POST", "/v1/publications", () => full.PostAsJsonAsync("/v1/publications", new
            {
                schoolId = tenant.SchoolId, channel = "website", mediaType = "photo", title = "Schoolreisje",
                url = "https://www.example.nl/schoolreisje", pupilIds = new[] { pupil },
            })),
            ("precondition failed", "PUT", "/v1/guardians/{guardianId}", () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/guardians/{guardian}")
                {
                    Content = JsonContent.Create(new { externalId = "OV-412", displayName = "Marieke de Vries" }),
                };
                request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
                return full.SendAsync(request);
            }),
            ("too large", "POST", "/v1/guardians", () => full.PostAsync("/v1/guardians", new StringContent(
                $$"""{"externalId":"OV9","displayName":"{{new string('x', 2 * 1024 * 1024)}}"}""", Encoding.UTF8, "application/json"))),
            ("unsupported media type", "POST", "/v1/guardians", () => full.PostAsync("/v1/guardians",
                new StringContent("""{"externalId":"OV9","displayName":"Marieke"}""", Encoding.UTF8, "text/plain"))),
        };

        var statuses = new HashSet<int>();
        Assert.Multiple(() =>
        {
            foreach (var (name, method, path, send) in cases)
            {
                var response = send().GetAwaiter().GetResult();
                var status = (int)response.StatusCode;
                statuses.Add(status);
                var body = JsonNode.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), name);
                var operation = document["paths"]![path]![method.ToLowerInvariant()]!.AsObject();
                var answer = Answer(schemas, operation, status.ToString());
                var media = ProblemMedia(answer);
                Assert.That(media, Is.Not.Null, $"{name}: {method} {path} declares no {status}");
                foreach (var (header, declared) in answer?["headers"]?.AsObject() ?? [])
                {
                    var sent = response.Headers.TryGetValues(header, out var values) ? values.Single() : null;
                    var resolved = schemas.Resolve(declared!);
                    if (sent is null && status == 409 && header == "Retry-After" && (bool?)resolved["required"] != true)
                    {
                        // Declared for the 409 of an Idempotency-Key in flight only; a conflict with the record has none.
                        continue;
                    }
                    Assert.That(sent, Is.Not.Null, $"{name}: declares {header}, which the answer lacks");
                    var schema = resolved["schema"]!;
                    var value = (string?)schema["type"] == "integer" ? JsonNode.Parse(sent ?? "null") : JsonValue.Create(sent);
                    Assert.That(schemas.Violations(value, schema), Is.Empty, $"{name}: {header}: {sent}");
                }
                if (media is null)
                {
                    continue;
                }
                Assert.That(schemas.Violations(body, media["schema"]!), Is.Empty, $"{name}: {body?.ToJsonString()}");
                Assert.That((string?)body?["type"], Is.EqualTo((string?)media["example"]?["type"]).Or.EqualTo(ProblemTypes.DefaultUri(ProblemTypes.BadRequest)),
                    $"{name}: the example's type is the one the server sends");
            }
        });
        Assert.That(statuses, Is.EquivalentTo(new[] { 400, 401, 403, 404, 406, 409, 412, 413, 415 }), "every status was provoked");
    }

    [Test]
    public async Task A_problem_that_lacks_a_member_or_has_a_wrong_type_breaks_the_schema()
    {
        var document = await DocumentAsync();
        var schemas = new ContractSchemas(document);
        var problem = document["components"]!["schemas"]!["PublicationNotAllowedProblem"]!;
        var body = JsonNode.Parse($$"""
            {"type":"not a uri","title":"Conflict.","status":"409","instance":"/v1/publications",
             "pupils":[{"pupilId":"nope","state":"granted","reason":"granted-by-guardian","allowed":true}]}
            """);

        var violations = schemas.Violations(body, problem);

        Assert.That(violations, Has.Some.Contains("traceId").And.Some.Contains("not a uri").And.Some.Contains("$.status")
            .And.Some.Contains("$.pupils[0].pupilId"));
    }

    [Test]
    public async Task Error_answers_use_a_schema_per_kind_with_typed_members()
    {
        var document = await DocumentAsync();
        var components = document["components"]!["schemas"]!.AsObject();
        var schemas = new ContractSchemas(document);

        Assert.That(components.Select(c => c.Key), Does.Not.Contain("ProblemDetails").And.Not.Contain("HttpValidationProblemDetails"));
        var problem = components["Problem"]!;
        Assert.That(problem["required"]!.AsArray().Select(r => (string)r!), Is.EquivalentTo(new[] { "type", "title", "status", "instance", "traceId" }));
        Assert.That((string?)problem["properties"]!["type"]!["format"], Is.EqualTo("uri"));
        Assert.That((string?)problem["properties"]!["traceId"]!["type"], Is.EqualTo("string"));
        foreach (var (kind, member) in new[] { ("ValidationProblem", "errors"), ("UnknownPupilsProblem", "unknownPupilIds"), ("PublicationNotAllowedProblem", "pupils") })
        {
            var allOf = components[kind]!["allOf"]!.AsArray();
            Assert.That((string?)allOf[0]!["$ref"], Is.EqualTo("#/components/schemas/Problem"), kind);
            Assert.That(allOf[1]!["properties"]![member], Is.Not.Null, $"{kind}.{member}");
        }
        Assert.That((string?)components["UnknownPupilsProblem"]!["allOf"]![1]!["properties"]!["unknownPupilIds"]!["items"]!["format"], Is.EqualTo("uuid"));
        Assert.That((string?)components["PublicationNotAllowedProblem"]!["allOf"]![1]!["properties"]!["pupils"]!["items"]!["$ref"],
            Is.EqualTo("#/components/schemas/PupilCheckResult"));

        Assert.Multiple(() =>
        {
            foreach (var (method, path, operation) in Operations(document))
            {
                foreach (var (status, answer) in operation["responses"]!.AsObject())
                {
                    if (ProblemMedia(schemas.Resolve(answer!)) is not { } media)
                    {
                        continue;
                    }
                    var reference = (string?)media["schema"]!["$ref"];
                    Assert.That(reference, status == "400" ? Is.EqualTo("#/components/schemas/ValidationProblem") : Does.EndWith("Problem"),
                        $"{method} {path} {status}");
                }
            }
        });
    }

    [Test]
    public async Task Each_error_example_states_its_status_and_type_and_fits_its_schema_and_no_two_statuses_share_one()
    {
        var document = await DocumentAsync();
        var schemas = new ContractSchemas(document);
        var examples = 0;
        Assert.Multiple(() =>
        {
            foreach (var (method, path, operation) in Operations(document))
            {
                var seen = new Dictionary<string, string>();
                foreach (var (status, answer) in operation["responses"]!.AsObject())
                {
                    if (ProblemMedia(schemas.Resolve(answer!)) is not { } media)
                    {
                        continue;
                    }
                    var where = $"{method} {path} {status}";
                    var example = media["example"];
                    Assert.That(example, Is.Not.Null, where);
                    if (example is null)
                    {
                        continue;
                    }
                    examples++;
                    var code = int.Parse(status);
                    Assert.That((int?)example["status"], Is.EqualTo(code), where);
                    Assert.That((string?)example["type"], status == "400"
                        ? Is.EqualTo(ProblemTypes.DefaultUri(ProblemTypes.Validation)).Or.EqualTo(ProblemTypes.DefaultUri(ProblemTypes.BadRequest))
                        : Is.EqualTo(TypeFor(code)), where);
                    Assert.That(schemas.Violations(example, media["schema"]!), Is.Empty, where);
                    var text = example.ToJsonString();
                    Assert.That(seen.Values, Does.Not.Contain(text), $"{where} repeats another status's example");
                    if ((string?)example["detail"] is { } detail)
                    {
                        Assert.That(seen.Values.Select(v => (string?)JsonNode.Parse(v)!["detail"]), Does.Not.Contain(detail),
                            $"{where} repeats another status's detail");
                    }
                    seen[status] = text;
                }
            }
        });
        Assert.That(examples, Is.GreaterThan(400));
    }

    [TestCase("/v1/pupils/{pupilId}", "Pupil '")]
    [TestCase("/v1/guardians/{guardianId}", "Guardian '")]
    [TestCase("/v1/schools/{schoolId}/groups/{groupId}", "Group '")]
    [TestCase("/v1/consent-forms/{formId}/versions/{number}", "Form version '")]
    public async Task A_404_example_names_the_resource_of_its_operation(string path, string names)
    {
        var document = await DocumentAsync();
        var schemas = new ContractSchemas(document);
        var operation = document["paths"]![path]!["get"]!.AsObject();

        var example = ProblemMedia(Answer(schemas, operation, "404"))!["example"]!;
        var unauthorised = ProblemMedia(Answer(schemas, operation, "401"))!["example"]!;

        Assert.That((string?)example["detail"], Does.StartWith(names));
        Assert.That((string?)unauthorised["detail"], Does.Contain("API key").And.Not.Contain("not found"));
        Assert.That((string?)unauthorised["type"], Is.EqualTo(TypeFor(401)));
    }

    [Test]
    public async Task Shared_answers_and_headers_are_components_referred_to_by_ref()
    {
        var document = await DocumentAsync();
        var components = document["components"]!.AsObject();
        Assert.That(components["headers"]!.AsObject().Select(h => h.Key),
            Is.SupersetOf(new[] { "X-RateLimit-Limit", "X-RateLimit-Remaining", "Retry-After", "Location" }));
        Assert.That(components["responses"]!.AsObject().Select(h => h.Key),
            Is.SupersetOf(new[] { "Unauthorized", "TooManyRequests", "InternalError", "Unavailable" }));
        Assert.That(components["responses"]!["TooManyRequests"]!["headers"]!["Retry-After"]!["$ref"]?.ToString(),
            Is.EqualTo("#/components/headers/Retry-After"));
        Assert.Multiple(() =>
        {
            foreach (var (method, path, operation) in Operations(document))
            {
                foreach (var (status, answer) in operation["responses"]!.AsObject())
                {
                    foreach (var (name, header) in answer!["headers"]?.AsObject() ?? [])
                    {
                        if (name is "X-RateLimit-Limit" or "X-RateLimit-Remaining" or "Retry-After" or "Location")
                        {
                            Assert.That(header!["$ref"]?.ToString(), Is.EqualTo($"#/components/headers/{name}"), $"{method} {path} {status} {name}");
                        }
                    }
                    if (status is "401" or "429" or "500" && path.StartsWith("/v1/", StringComparison.Ordinal))
                    {
                        Assert.That(answer["$ref"]?.ToString(), Does.StartWith("#/components/responses/"), $"{method} {path} {status}");
                    }
                    if (status == "201")
                    {
                        Assert.That(answer["headers"]?["Location"]?["$ref"]?.ToString(), Is.EqualTo("#/components/headers/Location"), $"{method} {path}");
                    }
                }
            }
        });
    }

    /// <summary>What an operation filter registered after the standard one might do: declare a 412 the framework's way.</summary>
    private sealed class LatePreconditionFilter : IOperationFilter
    {
        public void Apply(Microsoft.OpenApi.OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.OperationId != "UpdatePupil")
            {
                return;
            }
            operation.Responses!["412"] = new Microsoft.OpenApi.OpenApiResponse
            {
                Description = "The pupil changed since it was read.",
                Content = new Dictionary<string, Microsoft.OpenApi.IOpenApiMediaType>
                {
                    ["application/problem+json"] = new Microsoft.OpenApi.OpenApiMediaType
                    {
                        Schema = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository),
                    },
                },
            };
        }
    }

    [Test]
    public async Task A_problem_answer_a_later_filter_declares_the_framework_way_still_gets_its_kind_and_an_example()
    {
        await using var factory = Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.ConfigureSwaggerGen(options => options.OperationFilter<LatePreconditionFilter>())));
        var document = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();

        var media = document["paths"]!["/v1/pupils/{pupilId}"]!["put"]!["responses"]!["412"]!["content"]!["application/problem+json"]!;

        Assert.That((string?)media["schema"]!["$ref"], Is.EqualTo("#/components/schemas/Problem"));
        Assert.That((int?)media["example"]!["status"], Is.EqualTo(412));
        Assert.That((string?)media["example"]!["type"], Is.EqualTo(TypeFor(412)));
        Assert.That(document.ToJsonString(), Does.Not.Contain("#/components/schemas/ProblemDetails"));
    }

    [Test]
    public async Task Every_operation_declares_400_and_every_one_that_takes_a_body_413_and_415()
    {
        var document = await DocumentAsync();
        Assert.Multiple(() =>
        {
            foreach (var (method, path, operation) in Operations(document))
            {
                var statuses = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
                Assert.That(statuses, Does.Contain("400"), $"{method} {path}");
                if (operation["requestBody"] is not null)
                {
                    Assert.That(statuses, Does.Contain("413").And.Contain("415"), $"{method} {path}");
                }
            }
        });
    }

    [Test]
    public async Task Accept_language_is_declared_where_it_is_honoured_and_downloads_declare_their_file_name()
    {
        var document = await DocumentAsync();
        var requests = document["paths"]!["/v1/parent-app/guardians/{guardianExternalId}/consent-requests"]!["get"]!;
        var overview = document["paths"]!["/v1/schools/{schoolId}/groups/{groupId}/consent-overview"]!["get"]!;
        var nonResponders = document["paths"]!["/v1/campaigns/{campaignId}/non-responders"]!["get"]!;

        Assert.That(requests["parameters"]!.AsArray().Any(p => (string?)p!["name"] == "Accept-Language" && (string?)p["in"] == "header"), Is.True);
        Assert.That((string?)overview["responses"]!["200"]!["headers"]!["Content-Disposition"]!["description"], Does.Contain("attachment").And.Contain("inline"));
        Assert.That((string?)nonResponders["responses"]!["200"]!["headers"]!["Content-Disposition"]!["description"], Does.Contain("attachment"));
        Assert.That((string?)overview["description"], Does.Contain("CSV columns"));
        Assert.That((string?)nonResponders["description"], Does.Contain("CSV columns"));
    }
}
