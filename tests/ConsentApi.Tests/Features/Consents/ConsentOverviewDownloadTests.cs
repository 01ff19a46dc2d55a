using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>The class sheet as a file: a name that says which group and which day, saved (CSV) or shown (HTML).</summary>
public sealed class ConsentOverviewDownloadTests : ApiTest
{
    private async Task<(HttpClient Client, string Path)> GroupAsync(string name)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var created = await tenant.Full().PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/groups",
            new { externalId = "G5", name, schoolYear = "2026-2027" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var group = await created.ReadObjectAsync();
        return (tenant.Full(), $"/v1/schools/{tenant.SchoolId}/groups/{group["id"]}/consent-overview");
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Accept", accept);
        var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return response;
    }

    [Test]
    public async Task The_csv_is_an_attachment_and_the_html_is_shown_inline_named_for_the_group_and_the_local_day()
    {
        var (client, path) = await GroupAsync("Groep 5b");
        var day = LocalDay.Today.ToString("yyyy-MM-dd");

        var csv = (await GetAsync(client, path, "text/csv")).Content.Headers.ContentDisposition;
        var html = (await GetAsync(client, path, "text/html")).Content.Headers.ContentDisposition;
        var json = (await GetAsync(client, path, "application/json")).Content.Headers.ContentDisposition;

        Assert.That(csv?.DispositionType, Is.EqualTo("attachment"));
        Assert.That(csv?.FileName, Is.EqualTo($"consent-overview-groep-5b-{day}.csv"));
        Assert.That(csv?.FileNameStar, Is.EqualTo($"consent-overview-groep-5b-{day}.csv"));
        Assert.That(html?.DispositionType, Is.EqualTo("inline"));
        Assert.That(html?.FileName, Is.EqualTo($"consent-overview-groep-5b-{day}.html"));
        Assert.That(json, Is.Null);
    }

    [Test]
    public async Task The_contract_describes_the_csv_columns_the_sheet_has()
    {
        var (client, path) = await GroupAsync("Groep 5b");

        var header = (await (await GetAsync(client, path, "text/csv")).Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n")[0];
        var contract = JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var described = (string)contract["paths"]!["/v1/schools/{schoolId}/groups/{groupId}/consent-overview"]!["get"]!["description"]!;

        Assert.That(header.Split(',')[..3], Is.EqualTo(new[] { "pupilId", "externalId", "displayName" }));
        Assert.That(described, Does.Contain("`pupilId` (uuid), `externalId` and `displayName`").And.Contain("`<mediaType>:<channel>`"));
    }

    [Test]
    public async Task A_group_name_outside_ascii_keeps_its_letters_in_filename_star_and_is_ascii_safe_in_filename()
    {
        var (client, path) = await GroupAsync("Groep 5ë / Ünal");
        var day = LocalDay.Today.ToString("yyyy-MM-dd");

        var response = await GetAsync(client, path, "text/csv");
        var raw = string.Join(",", response.Content.Headers.GetValues("Content-Disposition"));
        var disposition = response.Content.Headers.ContentDisposition;

        Assert.That(raw.Split(';')[1].Trim(), Does.StartWith("filename=").And.Matches("^[\\x20-\\x7E]+$"));
        Assert.That(raw, Does.Contain("filename*=UTF-8''"));
        Assert.That(disposition?.FileNameStar, Is.EqualTo($"consent-overview-groep-5ë-ünal-{day}.csv"));
        Assert.That(disposition?.FileName, Is.EqualTo($"consent-overview-groep-5_-_nal-{day}.csv"));
    }
}
