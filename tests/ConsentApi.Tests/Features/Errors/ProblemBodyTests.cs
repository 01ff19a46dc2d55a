using System.Net;
using System.Text;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Errors;

/// <summary>What every problem body and its headers hold, whichever part of the pipeline wrote it.</summary>
public sealed class ProblemBodyTests : ApiTest
{
    [TestCase("?limit=ten", "limit")]
    [TestCase("?cursor=x&limit=1.5", "limit")]
    public async Task A_query_value_that_cannot_be_read_is_named_in_errors(string query, string field)
    {
        var tenant = await CreateTenantAsync(schools: 1);

        var problem = await AssertProblemAsync(await tenant.Full().GetAsync($"/v1/guardians{query}"), HttpStatusCode.BadRequest, "bad-request");

        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), problem.ToJsonString());
        Assert.That((string?)problem["errors"]![field]![0], Is.EqualTo((string?)problem["detail"]));
    }

    [Test]
    public async Task A_missing_body_is_named_as_the_body_in_errors()
    {
        var tenant = await CreateTenantAsync(schools: 1);

        var problem = await AssertProblemAsync(await tenant.Full().PostAsync("/v1/guardians", null), HttpStatusCode.BadRequest, "bad-request");

        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "$" }), problem.ToJsonString());
    }

    // Why every operation declares a 400, even one without parameters: the request rules read every query parameter.
    [TestCase("/health/live")]
    [TestCase("/v1/webhooks")]
    public async Task A_control_character_in_an_undeclared_query_parameter_is_a_400_on_any_operation(string path)
    {
        var tenant = await CreateTenantAsync(schools: 1);

        var problem = await AssertProblemAsync(await tenant.Full().GetAsync($"{path}?note=%07"), HttpStatusCode.BadRequest, "validation");

        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "note" }));
    }

    [TestCase("GET", "/v1/no-such-thing", HttpStatusCode.NotFound, "not-found")]
    [TestCase("DELETE", "/v1/schools", HttpStatusCode.MethodNotAllowed, "method-not-allowed")]
    public async Task An_answer_of_the_status_code_pages_has_a_title_and_every_member_of_a_problem(
        string method, string path, HttpStatusCode status, string type)
    {
        var tenant = await CreateTenantAsync(schools: 1);

        var problem = await AssertProblemAsync(await tenant.Full().SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), status, type);

        Assert.That((string?)problem["instance"], Is.EqualTo(path));
    }

    [Test]
    public async Task Answers_the_exception_handler_and_the_body_checks_write_carry_the_rate_limit_headers()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();

        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["404 from a handler"] = await full.GetAsync($"/v1/pupils/{Guid.NewGuid()}"),
            ["409 from a handler"] = await PostTwiceAsync(full),
            ["415"] = await full.PostAsync("/v1/guardians", new StringContent("{}", Encoding.UTF8, "text/plain")),
            ["413"] = await full.PostAsync("/v1/guardians", new StringContent(new string(' ', 2 * 1024 * 1024), Encoding.UTF8, "application/json")),
        };

        Assert.Multiple(() =>
        {
            foreach (var (name, response) in answers)
            {
                Assert.That((int)response.StatusCode, Is.EqualTo(int.Parse(name[..3])), name);
                Assert.That(response.Headers.TryGetValues("X-RateLimit-Limit", out var limit) ? limit.Single() : null, Is.EqualTo("100000"), name);
                Assert.That(response.Headers.Contains("X-RateLimit-Remaining"), Is.True, name);
            }
        });
    }

    private static async Task<HttpResponseMessage> PostTwiceAsync(HttpClient client)
    {
        var body = """{"externalId":"OV-TWICE","displayName":"Marieke de Vries"}""";
        (await client.PostAsync("/v1/guardians", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        return await client.PostAsync("/v1/guardians", new StringContent(body, Encoding.UTF8, "application/json"));
    }
}
