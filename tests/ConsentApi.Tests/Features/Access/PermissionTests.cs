using System.Net;
using System.Text.RegularExpressions;
using ConsentApi.Domain;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Access.AccessWorld;

namespace ConsentApi.Tests.Features.Access;

/// <summary>
/// Every operation against every way in which a caller may lack the right: no key, an unknown key, a revoked key, a key
/// without the scope, a key of another organisation, and a key limited to another school. None of them may change data.
/// </summary>
public sealed partial class PermissionTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        // The world's import jobs stay queued: a job finishing in the background would write an audit event while a test
        // counts them.
        ["Imports:PollInterval"] = "00:00:00",
    };

    public static readonly Operation[] Operations = AccessWorld.Operations;

    public static IEnumerable<Operation> OperationsOnOrganisationData => Operations.Where(o => o.OtherOrganisationNotFound);

    public static IEnumerable<Operation> OperationsOnSchools => Operations.Where(o => o.OtherSchool != OtherSchool.NotApplicable);

    private Tenant _tenant = null!;
    private Tenant _otherTenant = null!;
    private Ids _ids = null!;

    [OneTimeSetUp]
    public async Task CreateDataAsync()
    {
        _tenant = await CreateTenantAsync();
        _otherTenant = await CreateTenantAsync();
        _ids = await AccessWorld.CreateAsync(_tenant, Factory);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, Operation operation)
    {
        using var request = Request(operation, _ids);
        return await client.SendAsync(request);
    }

    /// <summary>Sends the call and checks the refusal changed nothing: no audit event, so no command ran.</summary>
    private async Task AssertRefusedAsync(HttpClient client, Operation operation, HttpStatusCode status, string type)
    {
        var before = await Factory.QueryAsync(db => db.AuditEvents.CountAsync());
        var response = await SendAsync(client, operation);
        await AssertProblemAsync(response, status, type);
        Assert.That(await Factory.QueryAsync(db => db.AuditEvents.CountAsync()), Is.EqualTo(before), "a refused call wrote an audit event");
    }

    [TestCaseSource(nameof(Operations))]
    public async Task Without_a_key_is_401(Operation operation)
    {
        var response = await SendAsync(Client(), operation);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("X-Api-Key"));
    }

    [TestCaseSource(nameof(Operations))]
    public Task With_an_unknown_key_is_401(Operation operation) =>
        AssertRefusedAsync(Client("cak_000000000000_" + new string('A', 43)), operation, HttpStatusCode.Unauthorized, "unauthorized");

    [TestCaseSource(nameof(Operations))]
    public Task With_a_malformed_key_is_401(Operation operation) =>
        AssertRefusedAsync(Client("not-a-key"), operation, HttpStatusCode.Unauthorized, "unauthorized");

    [TestCaseSource(nameof(Operations))]
    public async Task Without_the_scope_is_403(Operation operation)
    {
        // A platform operation refuses even a key with every organisation scope; others refuse a key with every other scope.
        var scopes = Scopes.Assignable.Except(operation.Scopes).ToArray();
        await AssertRefusedAsync(await _tenant.ClientWithAsync(scopes), operation, HttpStatusCode.Forbidden, "forbidden");
    }

    [TestCaseSource(nameof(OperationsOnOrganisationData))]
    public async Task For_another_organisations_data_is_404(Operation operation) =>
        await AssertRefusedAsync(await _otherTenant.ClientWithAsync([.. Scopes.Assignable]), operation, HttpStatusCode.NotFound, "not-found");

    [TestCaseSource(nameof(OperationsOnSchools))]
    public async Task For_a_school_the_client_is_not_limited_to_is_refused(Operation operation)
    {
        var client = await _tenant.ClientWithAsync([.. Scopes.Assignable], [_tenant.SchoolIds[1]]);
        if (operation.OtherSchool == OtherSchool.NotFound)
        {
            await AssertRefusedAsync(client, operation, HttpStatusCode.NotFound, "not-found");
        }
        else
        {
            await AssertRefusedAsync(client, operation, HttpStatusCode.Forbidden, "forbidden");
        }
    }

    [Test]
    public async Task A_revoked_key_is_401_from_the_next_request_on()
    {
        var key = await _tenant.CreateKeyAsync([Scopes.RosterRead]);
        var client = Client(key);
        Assert.That((await client.GetAsync("/v1/schools")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var id = await Factory.QueryAsync(db => db.ApiClients.Where(c => c.KeyPrefix == key.Substring(0, 16)).Select(c => c.Id).SingleAsync());
        Assert.That((await _tenant.Admin().DeleteAsync($"/v1/api-clients/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await AssertProblemAsync(await client.GetAsync("/v1/schools"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Test]
    public void Every_v1_endpoint_is_in_the_table()
    {
        var mapped = Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(m => $"{m} {ConstraintPattern().Replace(e.RoutePattern.RawText!, "").TrimEnd('/')}"))
            .ToHashSet();
        Assert.That(Operations.Select(o => o.ToString()), Is.EquivalentTo(mapped));
    }

    [GeneratedRegex(@":\w+(\([^)]*\))?")]
    private static partial Regex ConstraintPattern();
}
