using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Features.Webhooks;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Observability;

/// <summary>
/// A full scenario against the API as a real process, logging everything at Debug and Trace as JSON on standard output:
/// no line holds a pupil's or guardian's name, a date of birth, or any part of a key or a webhook secret. The test shows
/// it could fail: the names reached the API (they come back in its answers), and the capture holds many lines, among
/// them EF Core's commands, each with its trace id.
/// </summary>
public sealed class LogPrivacyTests : ApiTest
{
    private static readonly (string Name, DateOnly DateOfBirth)[] Pupils =
    [
        ("Xanthippe Vermeulen-Oosterhout", new DateOnly(2014, 2, 17)),
        ("Quirijn Zwanenburg", new DateOnly(2015, 11, 3)),
        ("Femke-Ilse Wijnaendts", new DateOnly(2013, 7, 29)),
        // The JSON formatter escapes ' and non-ASCII letters: the search must read the lines as JSON, not only as text.
        ("Anaïs van 't Hooft-Çelik", new DateOnly(2012, 5, 8)),
    ];

    private static readonly string[] Guardians =
        ["Ottoline Vermeulen-Oosterhout", "Barend Zwanenburg", "Hiske Wijnaendts", "Şükrü van 't Hooft-Çelik"];

    private static readonly Dictionary<string, string> VerboseJsonLogs = new()
    {
        ["Logging:Console:FormatterName"] = "json",
        ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        ["Logging:LogLevel:Default"] = "Debug",
        ["Logging:LogLevel:ConsentApi"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Debug",
        ["Logging:LogLevel:ConsentApi.Infrastructure.Auth.ApiKeyAuthenticationHandler"] = "Trace",
        ["Logging:LogLevel:System.Net.Http"] = "Trace",
        ["Logging:LogLevel:Npgsql"] = "Trace",
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:PollInterval"] = "00:00:00.200",
    };

    private ApiProcess? _api;

    [TearDown]
    public async Task StopAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }

    private HttpClient ProcessClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = _api!.BaseAddress };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return client;
    }

    private static async Task<JsonObject> ExpectAsync(Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        return body.Length == 0 ? [] : JsonNode.Parse(body) as JsonObject ?? [];
    }

    [Test]
    public async Task No_log_line_of_a_full_scenario_holds_a_name_a_date_of_birth_or_a_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        _api = ApiProcess.Start(Factory.ConnectionString, VerboseJsonLogs);
        await _api.WaitUntilLiveAsync();
        var secrets = new List<string> { ConsentApiFactory.BootstrapKey };

        var organisation = await ExpectAsync(ProcessClient(ConsentApiFactory.BootstrapKey).PostAsJsonAsync("/v1/organisations",
            new { name = "Stichting Privacy" }), HttpStatusCode.Created);
        var adminKey = (string)organisation["adminClient"]!["apiKey"]!;
        var admin = ProcessClient(adminKey);
        var schoolId = (Guid)(await ExpectAsync(admin.PostAsJsonAsync("/v1/schools", new { name = "OBS De Regenboog", brinCode = "12AB" }),
            HttpStatusCode.Created))["id"]!;
        var fullKey = (string)(await ExpectAsync(admin.PostAsJsonAsync("/v1/api-clients",
            new { name = "Koppeling", scopes = Scopes.Assignable, schoolIds = Array.Empty<Guid>() }), HttpStatusCode.Created))["apiKey"]!;
        secrets.AddRange([adminKey, fullKey]);
        var client = ProcessClient(fullKey);

        await ExpectAsync(client.PutAsJsonAsync($"/v1/schools/{schoolId}/roster", new
        {
            groups = new[] { new { externalId = "G5B", name = "Groep 5b", schoolYear = "2026-2027" } },
            pupils = Pupils.Select((p, i) => new
            {
                externalId = $"LL-{i}", displayName = p.Name, dateOfBirth = p.DateOfBirth, groupExternalId = "G5B",
                guardians = new[] { new { externalId = $"OU-{i}", hasParentalAuthority = (bool?)true } },
            }),
            guardians = Guardians.Select((g, i) => new { externalId = $"OU-{i}", displayName = g }),
        }), HttpStatusCode.OK);
        var pupilList = await client.GetStringAsync($"/v1/schools/{schoolId}/pupils");
        var guardianList = await client.GetStringAsync("/v1/guardians");
        Assert.That(JsonNode.Parse(pupilList)!["items"]!.AsArray().Select(p => (string?)p!["displayName"]),
            Is.EquivalentTo(Pupils.Select(p => p.Name)), "the names reached the API");
        Assert.That(JsonNode.Parse(guardianList)!["items"]!.AsArray().Select(g => (string?)g!["displayName"]), Is.EquivalentTo(Guardians));
        var pupilIds = JsonNode.Parse(pupilList)!["items"]!.AsArray().Select(p => (Guid)p!["id"]!).ToList();
        var guardianIds = JsonNode.Parse(guardianList)!["items"]!.AsArray()
            .ToDictionary(g => (string)g!["externalId"]!, g => (Guid)g!["id"]!);
        var byName = JsonNode.Parse(pupilList)!["items"]!.AsArray().ToDictionary(p => (string)p!["displayName"]!, p => (Guid)p!["id"]!);

        var webhook = await ExpectAsync(admin.PostAsJsonAsync("/v1/webhooks",
            new { url = receiver.Url, eventTypes = new[] { EventTypes.ConsentChanged, EventTypes.TakedownOpened, EventTypes.PublicationRegistered } }),
            HttpStatusCode.Created);
        secrets.Add((string)webhook["secret"]!);
        var version = (Guid)(await PublishFormAsync(client, ["photo:website", "film:social-media"]))["id"]!;

        for (var i = 0; i < Pupils.Length; i++)
        {
            await ExpectAsync(client.PostAsJsonAsync($"/v1/pupils/{byName[Pupils[i].Name]}/decisions", new
            {
                formVersionId = version, decidedBy = "guardian", guardianId = guardianIds[$"OU-{i}"], method = i == 0 ? "paper" : "parent-app",
                note = $"Formulier van {Guardians[i]} voor {Pupils[i].Name}, geboren {Pupils[i].DateOfBirth:d-M-yyyy}",
                items = new[]
                {
                    new { mediaType = "photo", channel = "website", outcome = "granted" },
                    new { mediaType = "film", channel = "social-media", outcome = i == 2 ? "refused" : "granted" },
                },
            }), HttpStatusCode.Created);
        }
        var check = await ExpectAsync(client.PostAsJsonAsync("/v1/publication-checks", new { pupilIds, mediaType = "photo", channel = "website" }),
            HttpStatusCode.OK);
        Assert.That((bool)check["allowed"]!, Is.True);
        await ExpectAsync(client.PostAsJsonAsync("/v1/publication-checks", new { pupilIds, mediaType = "film", channel = "social-media" }),
            HttpStatusCode.OK);
        await ExpectAsync(SendRegisterAsync(client, schoolId, "website", "photo", pupilIds), HttpStatusCode.Created);
        await ExpectAsync(client.PostAsJsonAsync($"/v1/pupils/{byName[Pupils[1].Name]}/decisions", new
        {
            formVersionId = version, decidedBy = "guardian", guardianId = guardianIds["OU-1"], method = "email",
            note = $"{Guardians[1]} trekt de toestemming voor {Pupils[1].Name} in",
            items = new[] { new { mediaType = "photo", channel = "website", outcome = "refused" } },
        }), HttpStatusCode.Created);
        var matrix = await client.GetStringAsync($"/v1/pupils/{byName[Pupils[0].Name]}/consents");
        var sheet = await client.GetStringAsync($"/v1/schools/{schoolId}/groups/{await GroupIdAsync(client, schoolId)}/consent-overview");
        Assert.That(sheet, Does.Contain(Pupils[0].Name));
        Assert.That(matrix, Does.Contain("granted"));

        // Bad input that carries personal data, and keys that are wrong or revoked.
        await ExpectAsync(client.PostAsJsonAsync($"/v1/schools/{schoolId}/pupils", new
        {
            externalId = "LL-9", displayName = Pupils[0].Name, dateOfBirth = "17-02-2014",
        }), HttpStatusCode.BadRequest);
        await ExpectAsync(client.PostAsJsonAsync($"/v1/schools/{schoolId}/pupils", new
        {
            externalId = "LL-0", displayName = Pupils[0].Name, dateOfBirth = Pupils[0].DateOfBirth,
        }), HttpStatusCode.Conflict);
        var wrongKey = fullKey[..^4] + "zzzz";
        secrets.Add(wrongKey);
        await ExpectAsync(ProcessClient(wrongKey).GetAsync("/v1/schools"), HttpStatusCode.Unauthorized);
        await ExpectAsync(ProcessClient("not-a-key-" + Pupils[0].Name).GetAsync("/v1/schools"), HttpStatusCode.Unauthorized);
        await ExpectAsync(ProcessClient(fullKey).GetAsync("/v1/schools"), HttpStatusCode.OK);

        await WebhookReceiver.WaitUntilAsync(() => receiver.Requests.Any(r => r.Body.Contains(EventTypes.TakedownOpened))
            && receiver.Requests.Count >= 5, TimeSpan.FromSeconds(30), "the webhook deliveries");
        var lines = await QuietOutputAsync(_api);

        var forbidden = Pupils.SelectMany(p => new[]
            {
                p.Name, p.Name.Split(' ')[^1], p.DateOfBirth.ToString("yyyy-MM-dd"), p.DateOfBirth.ToString("d-M-yyyy"),
                p.DateOfBirth.ToString("dd-MM-yyyy"),
            })
            .Concat(Guardians)
            .Concat(secrets)
            // A key's secret part follows its lookup id (cak_<id>_<secret>) and may itself hold '_': after the last one
            // could be a single character, which any line contains.
            .Concat(secrets.Where(s => s.StartsWith("cak_", StringComparison.Ordinal)).Select(s => s[(s.IndexOf('_', "cak_".Length) + 1)..]))
            .ToList();
        var entries = lines.Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        var leaks = lines.Zip(entries, (line, entry) => $"{line}\n{string.Join("\n", StringsOf(entry))}")
            .SelectMany(text => forbidden.Where(f => text.Contains(f, StringComparison.OrdinalIgnoreCase)).Select(f => $"{f}: {text}")).ToList();
        await TestContext.Out.WriteLineAsync($"{lines.Count} log lines; by category: " + string.Join(", ", entries
            .GroupBy(e => (string?)e["Category"]).OrderByDescending(g => g.Count()).Take(12).Select(g => $"{g.Key} {g.Count()}")));
        Assert.Multiple(() =>
        {
            Assert.That(leaks, Is.Empty, string.Join("\n", leaks.Take(10)));
            Assert.That(lines, Has.Count.GreaterThan(300), "the capture holds the scenario's log");
            Assert.That(entries.Count(e => ((string?)e["Category"])?.StartsWith("Microsoft.EntityFrameworkCore.Database.Command") == true),
                Is.GreaterThan(30), "EF Core's commands are in it");
            Assert.That(entries.Count(e => ((string?)e["Category"])?.StartsWith("Npgsql.Command") == true),
                Is.GreaterThan(30), "Npgsql's commands are in it");
            Assert.That(entries.Count(e => ((string?)e["Category"])?.StartsWith("System.Net.Http.HttpClient.webhooks") == true),
                Is.GreaterThan(0), "the webhook calls are in it");
            Assert.That(entries.Count(e => e["Scopes"]?.ToJsonString().Contains("\"TraceId\"") == true), Is.GreaterThan(100),
                "lines carry their trace id");
        });
    }

    /// <summary>Every string in a log entry, unescaped: the message, its fields, its scopes.</summary>
    private static IEnumerable<string> StringsOf(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => StringsOf(p.Value)),
        JsonArray a => a.SelectMany(StringsOf),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    private static async Task<Guid> GroupIdAsync(HttpClient client, Guid schoolId) =>
        (Guid)JsonNode.Parse(await client.GetStringAsync($"/v1/schools/{schoolId}/groups"))!["items"]![0]!["id"]!;

    /// <summary>The console log once it has stopped growing: the logger writes from a queue, behind the requests.</summary>
    private static async Task<IReadOnlyList<string>> QuietOutputAsync(ApiProcess api)
    {
        var count = -1;
        for (var i = 0; i < 10 && api.Output.Count != count; i++)
        {
            count = api.Output.Count;
            await Task.Delay(300);
        }
        return api.Output;
    }
}
