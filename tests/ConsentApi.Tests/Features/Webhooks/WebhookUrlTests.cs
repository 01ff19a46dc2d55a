using System.Net;
using System.Net.Http.Json;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Webhooks;

/// <summary>
/// Hostile webhook URLs are a 400 on <c>url</c> and nothing is stored. Every URL here is refused while it is parsed or
/// checked, before any connection; the fixture's dispatcher is off as well, so none is ever contacted.
/// </summary>
public sealed class WebhookUrlTests : ApiTest
{
    private static readonly string[] RefusedUrls =
    [
        // Malformed: System.Uri throws on these or reads them differently from other parsers.
        "https:///127.0.0.1/",
        @"https://192.0.2.10\@127.0.0.1/",
        "https://8.8.8.8/a\r\nb",
        "https://8.8.8.8/a b",
        "https://8.8.8.8/\tx",
        "https://8.8.8.8/#fragment",
        "https://%38.8.8.8/",
        // Special-purpose addresses the check used to let through.
        "https://[::127.0.0.1]/",
        "https://[64:ff9b::7f00:1]/",
        "https://[64:ff9b:1::a00:1]/",
        "https://[2002:7f00:1::]/",
        "https://192.0.0.192/",
        "https://198.18.0.1/",
        "https://198.19.255.254/",
        "https://192.0.2.1/",
        "https://192.88.99.1/",
        "https://198.51.100.1/",
        "https://203.0.113.1/",
        "https://[100::1]/",
        "https://[2001::1]/",
        "https://[2001:db8::1]/",
        "https://[3fff::1]/",
        "https://[5f00::1]/",
        // A public address on another port than 443.
        "https://8.8.8.8:8443/",
        "https://8.8.8.8:22/",
    ];

    private Tenant _tenant = null!;

    [OneTimeSetUp]
    public async Task CreateTenantForFixtureAsync() => _tenant = await CreateTenantAsync();

    [TestCaseSource(nameof(RefusedUrls))]
    public async Task A_hostile_or_special_purpose_url_is_a_validation_problem_on_url_and_no_subscription(string url)
    {
        var response = await _tenant.Admin().PostAsJsonAsync("/v1/webhooks", new { url, eventTypes = new[] { "roster.synced" } });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]?["url"], Is.Not.Null, problem.ToJsonString());
        var stored = await Factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync(s => s.OrganisationId == _tenant.OrganisationId));
        Assert.That(stored, Is.Zero);
    }
}
