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
    /// <summary>Each URL with the part of the message that says why: the refusal must come from the rule it probes.</summary>
    private static readonly (string Url, string Reason)[] RefusedUrls =
    [
        // Malformed: System.Uri throws on these or reads them differently from other parsers.
        ("https:///127.0.0.1/", "no host"),
        (@"https://192.0.2.10\@127.0.0.1/", "backslash"),
        ("https://192.0.2.10/a\r\nb", "may not contain spaces"),
        ("https://192.0.2.10/a b", "may not contain spaces"),
        ("https://192.0.2.10/\tx", "may not contain spaces"),
        ("https://192.0.2.10/#fragment", "fragment"),
        ("https://%31%32%37.0.0.1/", "percent-encoded"),
        // Special-purpose addresses the check used to let through.
        ("https://[::127.0.0.1]/", "special-purpose"),
        ("https://[64:ff9b::7f00:1]/", "special-purpose"),
        ("https://[64:ff9b:1::a00:1]/", "special-purpose"),
        ("https://[2002:7f00:1::]/", "special-purpose"),
        ("https://192.0.0.192/", "special-purpose"),
        ("https://198.18.0.1/", "special-purpose"),
        ("https://198.19.255.254/", "special-purpose"),
        ("https://192.0.2.1/", "special-purpose"),
        ("https://192.88.99.1/", "special-purpose"),
        ("https://198.51.100.1/", "special-purpose"),
        ("https://203.0.113.1/", "special-purpose"),
        ("https://[100::1]/", "special-purpose"),
        ("https://[2001::1]/", "special-purpose"),
        ("https://[2001:db8::1]/", "special-purpose"),
        ("https://[3fff::1]/", "special-purpose"),
        ("https://[5f00::1]/", "special-purpose"),
        // Another port than 443 (refused by the URL rule, before the address is looked at).
        ("https://192.0.2.10:8443/", "is not allowed for webhooks"),
        ("https://192.0.2.10:22/", "is not allowed for webhooks"),
    ];

    public static IEnumerable<TestCaseData> Refused() => RefusedUrls.Select(r => new TestCaseData(r.Url, r.Reason));

    private Tenant _tenant = null!;

    [OneTimeSetUp]
    public async Task CreateTenantForFixtureAsync() => _tenant = await CreateTenantAsync();

    [TestCaseSource(nameof(Refused))]
    public async Task A_hostile_or_special_purpose_url_is_a_validation_problem_on_url_and_no_subscription(string url, string reason)
    {
        var response = await _tenant.Admin().PostAsJsonAsync("/v1/webhooks", new { url, eventTypes = new[] { "roster.synced" } });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That((string?)problem["errors"]?["url"]?[0], Does.Contain(reason), problem.ToJsonString());
        var stored = await Factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync(s => s.OrganisationId == _tenant.OrganisationId));
        Assert.That(stored, Is.Zero);
    }
}
