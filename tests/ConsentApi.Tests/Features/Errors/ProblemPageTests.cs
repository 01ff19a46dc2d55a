using System.Net;
using System.Text.Json.Nodes;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Errors;

/// <summary>The <c>type</c> of every problem leads to a page that says what it means and what to do.</summary>
public sealed class ProblemPageTests : ApiTest
{
    [Test]
    public async Task Every_type_the_server_can_send_has_a_page_that_needs_no_key()
    {
        var document = JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        // The types the contract's examples show, and every kind the server knows (ProblemTypes.ForStatus maps to them).
        var shown = document.ToJsonString().Split('"').Where(s => s.StartsWith(ProblemTypeOptions.DefaultBaseUrl, StringComparison.Ordinal))
            .Select(s => s[ProblemTypeOptions.DefaultBaseUrl.Length..]).ToHashSet();
        var sent = Enumerable.Range(400, 200).Select(ProblemTypes.ForStatus).Append(ProblemTypes.Validation).ToHashSet();
        Assert.That(shown, Is.SubsetOf(ProblemTypes.All.Keys));
        Assert.That(sent, Is.SubsetOf(ProblemTypes.All.Keys));

        Assert.Multiple(() =>
        {
            foreach (var kind in ProblemTypes.All.Values)
            {
                var response = Client().GetAsync($"/problems/{kind.Slug}").GetAwaiter().GetResult();
                var page = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), kind.Slug);
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"), kind.Slug);
                Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("default-src 'none'"), kind.Slug);
                Assert.That(page, Does.Contain($"<h1>{WebUtility.HtmlEncode(kind.Title)}</h1>").And.Contain("What to do")
                    .And.Contain(ProblemTypes.DefaultUri(kind.Slug)).And.Contain($"HTTP {kind.Status}"), kind.Slug);
            }
        });
    }

    [TestCase("no-such-problem")]
    [TestCase("Not-Found")]
    public async Task An_unknown_type_is_a_404_problem(string type)
    {
        var response = await Client().GetAsync($"/problems/{type}");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }
}
