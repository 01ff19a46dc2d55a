using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Errors;

/// <summary>A deployment that serves the pages under its own address points every type there.</summary>
public sealed class ConfiguredProblemTypeBaseTests : ApiTest
{
    private const string Base = "https://toestemming.stichting-zuid.nl/api/problems";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Problems:TypeBaseUrl"] = Base,
    };

    [Test]
    public async Task Problems_carry_types_under_the_configured_base_and_their_pages_say_so()
    {
        var tenant = await CreateTenantAsync(schools: 1);

        var notFound = await ProblemAsync(await tenant.Full().GetAsync($"/v1/pupils/{Guid.NewGuid()}"));
        var unauthorized = await ProblemAsync(await Client().GetAsync("/v1/schools"));
        var invalid = await ProblemAsync(await tenant.Full().GetAsync("/v1/guardians?limit=0"));
        var page = await Client().GetStringAsync("/problems/not-found");

        Assert.That((string?)notFound["type"], Is.EqualTo($"{Base}/not-found"));
        Assert.That((string?)unauthorized["type"], Is.EqualTo($"{Base}/unauthorized"));
        Assert.That((string?)invalid["type"], Is.EqualTo($"{Base}/validation"));
        Assert.That(page, Does.Contain($"{Base}/not-found"));
    }

    [TestCase("/problems/")]
    [TestCase("ftp://consent.example.nl/problems/")]
    [TestCase("https://consent.example.nl/problems?kind=")]
    public async Task A_base_that_is_not_an_absolute_http_address_stops_the_api_from_starting(string typeBase)
    {
        // A real process: the host's failed start is what an operator sees, and it exits rather than serve bad types.
        await using var api = ApiProcess.Start(Factory.ConnectionString, new Dictionary<string, string> { ["Problems:TypeBaseUrl"] = typeBase });

        await api.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.That(api.Process.ExitCode, Is.Not.EqualTo(0));
        Assert.That(api.Log, Does.Contain("Problems:TypeBaseUrl"));
    }

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response)
    {
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        return await response.ReadObjectAsync();
    }
}
