using System.Net;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.OpenApi;

/// <summary>Outside Development, the document and its UI are not served unless OpenApi:ServeUi says so.</summary>
public sealed class OpenApiHiddenTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OpenApi:ServeUi"] = "false",
    };

    [TestCase("/swagger")]
    [TestCase("/swagger/index.html")]
    [TestCase("/swagger/v1/swagger.json")]
    public async Task Without_ServeUi_the_openapi_document_and_ui_are_404(string path)
    {
        var response = await Client().GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), await response.Content.ReadAsStringAsync());
    }
}
