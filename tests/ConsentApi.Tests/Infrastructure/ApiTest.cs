using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Features.ApiClients;
using ConsentApi.Features.Organisations;
using ConsentApi.Features.Schools;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>
/// Base of the HTTP tests: one app and one fresh database per fixture. Tests create their own organisations through
/// the API, so they do not depend on one another.
/// </summary>
public abstract class ApiTest
{
    private ConsentApiFactory? _factory;
    private static int _sequence;

    protected ConsentApiFactory Factory => _factory ?? throw new InvalidOperationException("The API is not started.");

    /// <summary>Configuration a fixture needs beyond the defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    /// <summary>The database the fixture's app uses: by default a fresh clone of the migrated template.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => TestDatabase.CreateAsync();

    [OneTimeSetUp]
    public async Task StartApiAsync() => _factory = new ConsentApiFactory(await CreateDatabaseAsync(), Settings);

    [OneTimeTearDown]
    public async Task StopApiAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    protected HttpClient Client(string? apiKey = null)
    {
        var client = Factory.CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return client;
    }

    protected HttpClient Platform() => Client(ConsentApiFactory.BootstrapKey);

    protected static string Unique(string prefix) => $"{prefix}-{Interlocked.Increment(ref _sequence)}-{Guid.NewGuid():N}"[..Math.Min(60, prefix.Length + 34)];

    /// <summary>A new organisation with <paramref name="schools"/> schools and a key holding every scope.</summary>
    protected async Task<Tenant> CreateTenantAsync(int schools = 2)
    {
        var created = await Platform().PostAsJsonAsync("/v1/organisations", new { name = Unique("Stichting") })
            .ContinueWith(t => t.Result.ReadAsync<CreatedOrganisationResponse>()).Unwrap();
        var admin = Client(created.AdminClient.ApiKey);
        var schoolIds = new List<Guid>();
        for (var i = 0; i < schools; i++)
        {
            var school = await (await admin.PostAsJsonAsync("/v1/schools",
                new { name = $"School {i}", brinCode = $"{10 + i}AB" })).ReadAsync<SchoolResponse>();
            schoolIds.Add(school.Id);
        }
        var tenant = new Tenant(this, created.Organisation.Id, created.AdminClient.ApiKey, "", schoolIds);
        return tenant with { FullKey = await tenant.CreateKeyAsync([.. Scopes.Assignable]) };
    }

    public sealed record Tenant(ApiTest Test, Guid OrganisationId, string AdminKey, string FullKey, IReadOnlyList<Guid> SchoolIds)
    {
        public Guid SchoolId => SchoolIds[0];

        public HttpClient Admin() => Test.Client(AdminKey);

        public HttpClient Full() => Test.Client(FullKey);

        public async Task<string> CreateKeyAsync(string[] scopes, Guid[]? schoolIds = null)
        {
            var response = await Admin().PostAsJsonAsync("/v1/api-clients",
                new { name = "Test client", scopes, schoolIds = schoolIds ?? [] });
            return (await response.ReadAsync<CreatedApiClientResponse>()).ApiKey;
        }

        public async Task<HttpClient> ClientWithAsync(string[] scopes, Guid[]? schoolIds = null) =>
            Test.Client(await CreateKeyAsync(scopes, schoolIds));
    }

    protected static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((string?)problem["type"], Is.EqualTo($"https://consent-api.nl/problems/{type}"), body);
            Assert.That((int?)problem["status"], Is.EqualTo((int)status), body);
            Assert.That((string?)problem["title"], Is.Not.Empty, body);
            Assert.That((string?)problem["traceId"], Is.Not.Empty, body);
        });
        return problem;
    }
}
