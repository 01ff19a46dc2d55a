using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Publications;

/// <summary>
/// The building blocks the publication, takedown and event fixtures share: forms, pupils, guardians, decisions,
/// publications, takedowns and the outbox, all through the API except where a test reads what was written.
/// </summary>
public static class PublishingSteps
{
    public const string FormText = "Wij vragen uw toestemming voor het publiceren van foto's, film en geluid van uw kind.";

    public static DateTimeOffset Now => DateTimeOffset.UtcNow;

    public static DateOnly Today => LocalDay.Today;

    public static string Iso(DateTimeOffset moment) => Uri.EscapeDataString(moment.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    public static DateTimeOffset Moment(JsonNode? node) => DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture);

    public static IEnumerable<string> ErrorKeys(JsonObject problem) => problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    /// <summary>Creates and publishes a form version asking <paramref name="items"/> ("photo:website"); returns the published version.</summary>
    public static async Task<JsonObject> PublishFormAsync(HttpClient admin, string[] items, string validity = "until-withdrawn",
        string? schoolYear = null, Guid? schoolId = null)
    {
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal", schoolId })).ReadObjectAsync();
        var version = await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = FormText,
            validity,
            schoolYear,
            items = items.Select(i => i.Split(':')).Select(i => new { mediaType = i[0], channel = i[1] }).ToArray(),
        });
        Assert.That(version.StatusCode, Is.EqualTo(HttpStatusCode.Created), await version.Content.ReadAsStringAsync());
        var published = await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/1/publish", null);
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), await published.Content.ReadAsStringAsync());
        return await published.ReadObjectAsync();
    }

    /// <summary>Moves a version's publication back in time, so that decisions given in the past (paper forms) can answer it.</summary>
    public static Task BackdateFormAsync(ConsentApiFactory factory, Guid versionId, DateTimeOffset publishedAt) =>
        factory.QueryAsync(db => db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE consent_form_versions SET published_at = {publishedAt.ToUniversalTime()} WHERE id = {versionId}"));

    public static async Task<Guid> CreatePupilAsync(HttpClient client, Guid schoolId, string name, DateOnly? dateOfBirth = null,
        string? externalId = null)
    {
        var response = await client.PostAsJsonAsync($"/v1/schools/{schoolId}/pupils", new
        {
            externalId = externalId ?? $"P-{Guid.NewGuid():N}"[..20],
            displayName = name,
            dateOfBirth = dateOfBirth ?? new DateOnly(2016, 3, 1),
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }

    public static async Task<Guid> CreateGuardianAsync(HttpClient client, string name, string? externalId = null)
    {
        var response = await client.PostAsJsonAsync("/v1/guardians",
            new { externalId = externalId ?? $"O-{Guid.NewGuid():N}"[..20], displayName = name });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }

    public static async Task LinkAsync(HttpClient client, Guid pupilId, Guid guardianId, bool hasParentalAuthority = true)
    {
        var response = await client.PutAsJsonAsync($"/v1/pupils/{pupilId}/guardians/{guardianId}", new { hasParentalAuthority });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    /// <summary>A pupil with one guardian who has parental authority.</summary>
    public static async Task<(Guid PupilId, Guid GuardianId)> FamilyAsync(HttpClient client, Guid schoolId)
    {
        var pupilId = await CreatePupilAsync(client, schoolId, "Kind");
        var guardianId = await CreateGuardianAsync(client, "Ouder");
        await LinkAsync(client, pupilId, guardianId);
        return (pupilId, guardianId);
    }

    /// <summary>One person's decision on <paramref name="items"/>, each "photo:website=granted"; null guardian means the pupil decides.</summary>
    public static Task<HttpResponseMessage> SendDecisionsAsync(HttpClient client, Guid pupilId, Guid versionId, Guid? guardianId,
        string[] items, DateTimeOffset? givenAt = null) =>
        client.PostAsJsonAsync($"/v1/pupils/{pupilId}/decisions", new
        {
            formVersionId = versionId,
            decidedBy = guardianId is null ? "pupil" : "guardian",
            guardianId,
            method = givenAt is null ? "parent-app" : "paper",
            givenAt,
            items = items.Select(i => i.Split(':', '=')).Select(i => new { mediaType = i[0], channel = i[1], outcome = i[2] }).ToArray(),
        });

    /// <summary>Records one person's <paramref name="outcome"/> on <paramref name="items"/> ("photo:website").</summary>
    public static async Task<JsonObject> DecideAsync(HttpClient client, Guid pupilId, Guid versionId, Guid? guardianId, string outcome,
        string[] items, DateTimeOffset? givenAt = null)
    {
        var response = await SendDecisionsAsync(client, pupilId, versionId, guardianId, [.. items.Select(i => $"{i}={outcome}")], givenAt);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    public static Task<HttpResponseMessage> SendRegisterAsync(HttpClient client, Guid schoolId, string channel, string mediaType,
        IEnumerable<Guid> pupilIds, DateTimeOffset? publishedAt = null, bool? publishedWithoutCheck = null,
        string? url = "https://www.obsderegenboog.nl/nieuws/projectweek", string? location = null, string title = "Foto's projectweek groep 5b",
        IEnumerable<Guid>? unrecognisablePupilIds = null, string? declaredBy = null) =>
        client.PostAsJsonAsync("/v1/publications", new
        {
            schoolId, channel, mediaType, title, url, location, publishedAt, pupilIds = pupilIds.ToArray(), publishedWithoutCheck,
            unrecognisablePupilIds = unrecognisablePupilIds?.ToArray(), declaredBy,
        });

    /// <summary>Registers a publication and expects 201; returns the publication.</summary>
    public static async Task<JsonObject> RegisterAsync(HttpClient client, Guid schoolId, string channel, string mediaType,
        IEnumerable<Guid> pupilIds, DateTimeOffset? publishedAt = null, bool? publishedWithoutCheck = null)
    {
        var response = await SendRegisterAsync(client, schoolId, channel, mediaType, pupilIds, publishedAt, publishedWithoutCheck);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    public static async Task<JsonObject> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadObjectAsync();
    }

    /// <summary>The items of one page of a list.</summary>
    public static async Task<JsonArray> ItemsAsync(HttpClient client, string path) => (await GetAsync(client, path))["items"]!.AsArray();

    /// <summary>The organisation's open takedowns.</summary>
    public static Task<JsonArray> OpenTakedownsAsync(HttpClient client) => ItemsAsync(client, "/v1/takedowns?status=open");

    /// <summary>A takedown's pupils as "pupilId state reason", in the answer's order.</summary>
    public static string[] PupilsOf(JsonNode takedown) =>
        [.. takedown["pupils"]!.AsArray().Select(p => $"{p!["pupilId"]} {p["state"]} {p["reason"]}")];

    public static string Pupil(Guid pupilId, string state, string reason) => $"{pupilId} {state} {reason}";

    /// <summary>The organisation's outbox events, in sequence order.</summary>
    public static Task<List<OutboxEvent>> EventsAsync(ConsentApiFactory factory, Guid organisationId) =>
        factory.QueryAsync(db => db.OutboxEvents.AsNoTracking().Where(e => e.OrganisationId == organisationId)
            .OrderBy(e => e.Sequence).ToListAsync());

    public static JsonObject PayloadOf(OutboxEvent e) => JsonNode.Parse(e.Payload)!.AsObject();
}
