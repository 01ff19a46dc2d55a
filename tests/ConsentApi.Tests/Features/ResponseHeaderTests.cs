using System.Net;
using System.Net.Http.Json;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features;

/// <summary>Personal data and secrets are never stored by a cache, no response is sniffed, and the HTML sheet runs nothing.</summary>
public sealed class ResponseHeaderTests : ApiTest
{
    private Tenant _tenant = null!;
    private Guid _groupId;
    private Guid _pupilId;

    [OneTimeSetUp]
    public async Task ArrangeAsync()
    {
        _tenant = await CreateTenantAsync(schools: 1);
        var group = await _tenant.Full().PostAsJsonAsync($"/v1/schools/{_tenant.SchoolId}/groups",
            new { externalId = "G7", name = "Groep 7", schoolYear = "2026-2027" });
        Assert.That(group.StatusCode, Is.EqualTo(HttpStatusCode.Created), await group.Content.ReadAsStringAsync());
        _groupId = (Guid)(await group.ReadObjectAsync())["id"]!;
        var pupil = await _tenant.Full().PostAsJsonAsync($"/v1/schools/{_tenant.SchoolId}/pupils",
            new { externalId = "P1", displayName = "Sanne de Vries", dateOfBirth = new DateOnly(2016, 3, 1), groupId = _groupId });
        Assert.That(pupil.StatusCode, Is.EqualTo(HttpStatusCode.Created), await pupil.Content.ReadAsStringAsync());
        _pupilId = (Guid)(await pupil.ReadObjectAsync())["id"]!;
    }

    private string OverviewPath => $"/v1/schools/{_tenant.SchoolId}/groups/{_groupId}/consent-overview";

    private Task<HttpResponseMessage> SheetAsync(string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, OverviewPath);
        request.Headers.Add("Accept", accept);
        return _tenant.Full().SendAsync(request);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values) : "<missing>";

    private static void AssertPrivate(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        Assert.That(response.StatusCode, Is.EqualTo(status), what);
        Assert.That(Header(response, "Cache-Control"), Is.EqualTo("no-store"), what);
        Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"), what);
        Assert.That(Header(response, "Referrer-Policy"), Is.EqualTo("no-referrer"), what);
    }

    [Test]
    public async Task Personal_data_in_every_format_is_marked_no_store_and_nosniff()
    {
        var pupil = await _tenant.Full().GetAsync($"/v1/pupils/{_pupilId}");
        var json = await SheetAsync("application/json");
        var csv = await SheetAsync("text/csv");
        var html = await SheetAsync("text/html");

        Assert.Multiple(() =>
        {
            AssertPrivate(pupil, HttpStatusCode.OK, "pupil");
            AssertPrivate(json, HttpStatusCode.OK, "sheet as JSON");
            AssertPrivate(csv, HttpStatusCode.OK, "sheet as CSV");
            AssertPrivate(html, HttpStatusCode.OK, "sheet as HTML");
        });
    }

    [Test]
    public async Task The_201_that_carries_a_new_api_key_is_marked_no_store()
    {
        var response = await _tenant.Admin().PostAsJsonAsync("/v1/api-clients", new { name = "Headers", scopes = new[] { "roster:read" }, schoolIds = Array.Empty<Guid>() });

        AssertPrivate(response, HttpStatusCode.Created, "new key");
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("apiKey"));
    }

    [Test]
    public async Task Problems_are_marked_no_store_and_nosniff_too()
    {
        var unknown = await _tenant.Full().GetAsync($"/v1/pupils/{Guid.NewGuid()}");
        var unauthorized = await Client().GetAsync("/v1/schools");
        var invalid = await _tenant.Full().PostAsJsonAsync($"/v1/schools/{_tenant.SchoolId}/pupils", new { externalId = "" });

        Assert.Multiple(() =>
        {
            AssertPrivate(unknown, HttpStatusCode.NotFound, "404");
            AssertPrivate(unauthorized, HttpStatusCode.Unauthorized, "401");
            AssertPrivate(invalid, HttpStatusCode.BadRequest, "400");
        });
    }

    [Test]
    public async Task The_html_sheet_forbids_scripts_frames_forms_and_every_source_but_its_inline_style()
    {
        var html = await SheetAsync("text/html");
        var csv = await SheetAsync("text/csv");

        Assert.That(html.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(html, "Content-Security-Policy"), Is.EqualTo(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"));
        Assert.That(Header(csv, "Content-Security-Policy"), Is.EqualTo("<missing>"));
    }

    [Test]
    public async Task Health_answers_are_nosniff_but_not_personal()
    {
        var response = await Client().GetAsync("/health/live");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
    }
}
