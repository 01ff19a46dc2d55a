using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.OpenApi;

/// <summary>
/// Every string in the document has a shape (format, pattern, enum, const) or is marked free text, and each pattern
/// accepts every value the server accepts: a client that checks before sending never refuses what the API would take.
/// </summary>
public sealed class StringShapeTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    private async Task<JsonObject> ServedAsync() =>
        JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();

    private static IEnumerable<(string Path, JsonObject Schema)> Schemas(JsonNode? node, string path = "")
    {
        switch (node)
        {
            case JsonObject o:
                yield return (path, o);
                foreach (var (key, value) in o)
                {
                    foreach (var inner in Schemas(value, $"{path}/{key}"))
                    {
                        yield return inner;
                    }
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var inner in Schemas(a[i], $"{path}/{i}"))
                    {
                        yield return inner;
                    }
                }
                break;
        }
    }

    private static bool IsString(JsonObject schema) => schema["type"] switch
    {
        JsonArray types => types.Any(t => (string?)t == "string"),
        JsonValue type => (string?)type == "string",
        _ => false,
    };

    [Test]
    public async Task Every_string_has_a_shape_or_is_marked_as_free_text()
    {
        var shapeless = Schemas(await ServedAsync())
            .Where(s => IsString(s.Schema) && !s.Path.Contains("/examples/", StringComparison.Ordinal))
            .Where(s => !new[] { "format", "pattern", "enum", "const", "x-free-text" }.Any(s.Schema.ContainsKey))
            .Select(s => s.Path)
            .ToList();

        Assert.That(shapeless, Is.Empty, "give an identifier its pattern in StringShapes, or name free text there");
    }

    [Test]
    public async Task Free_text_still_has_a_maximum_length()
    {
        var unbounded = Schemas(await ServedAsync())
            .Where(s => s.Schema.ContainsKey("x-free-text") && !s.Schema.ContainsKey("maxLength"))
            .Select(s => s.Path)
            .ToList();

        Assert.That(unbounded, Is.Empty);
    }

    [Test]
    public async Task Every_example_in_the_document_matches_the_patterns_of_its_schema()
    {
        var document = await ServedAsync();
        var mismatches = new List<string>();
        foreach (var (name, schema) in document["components"]!["schemas"]!.AsObject())
        {
            if (schema!["examples"]?.AsArray().FirstOrDefault() is not JsonObject example)
            {
                continue;
            }
            foreach (var (property, definition) in schema["properties"]?.AsObject() ?? [])
            {
                if ((string?)definition!["pattern"] is { } pattern && example[property] is JsonValue value
                    && value.GetValueKind() == System.Text.Json.JsonValueKind.String && !Regex.IsMatch((string)value!, pattern))
                {
                    mismatches.Add($"{name}.{property}: {value}");
                }
            }
        }

        Assert.That(mismatches, Is.Empty);
    }

    [Test]
    public void The_plain_text_pattern_refuses_exactly_the_characters_the_server_refuses()
    {
        var pattern = new Regex(ContractPatterns.PlainText);
        var disagreements = Enumerable.Range(0, 0x10000).Select(c => ((char)c).ToString())
            .Where(c => !char.IsSurrogate(c[0]) && pattern.IsMatch(c) == ControlCharacters.AreIn(c))
            .Select(c => $"U+{(int)c[0]:X4}")
            .ToList();

        Assert.That(disagreements, Is.Empty);
        Assert.That(pattern.IsMatch("LL-1001\tGroep 5b\r\nJosé Ørsted 🙂"), Is.True);
    }

    [Test]
    public void The_time_zone_pattern_accepts_every_time_zone_the_server_accepts()
    {
        var known = TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(ConsentCalendar.IsKnown).ToList();

        Assert.That(known, Does.Contain("Europe/Amsterdam"));
        Assert.That(known.Where(id => !Regex.IsMatch(id, ContractPatterns.TimeZone)), Is.Empty);
    }

    [Test]
    public async Task Keys_secrets_cursors_and_request_ids_the_api_hands_out_match_their_patterns()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var created = await (await admin.PostAsJsonAsync("/v1/api-clients",
            new { name = "Koppeling", scopes = new[] { "roster:read" }, schoolIds = Array.Empty<Guid>() })).ReadObjectAsync();
        var webhook = await (await admin.PostAsJsonAsync("/v1/webhooks",
            new { url = "http://127.0.0.1:9/hook", eventTypes = new[] { "roster.synced" } })).ReadObjectAsync();
        var page = await (await admin.GetAsync("/v1/api-clients?limit=1")).ReadObjectAsync();
        var cursor = (string)page["nextCursor"]!;
        var audit = await (await admin.GetAsync("/v1/audit-events?limit=1")).ReadObjectAsync();

        Assert.Multiple(() =>
        {
            Assert.That((string?)created["apiKey"], Does.Match(ContractPatterns.ApiKey));
            Assert.That((string?)created["client"]!["keyPrefix"], Does.Match(ContractPatterns.KeyPrefix));
            Assert.That((string?)webhook["secret"], Does.Match(ContractPatterns.WebhookSecret));
            Assert.That(cursor, Does.Match(ContractPatterns.Cursor).And.Match(ContractPatterns.CursorParameter));
            Assert.That((string?)audit["items"]![0]!["action"], Does.Match(ContractPatterns.AuditAction));
            Assert.That((string?)audit["items"]![0]!["resourceType"], Does.Match(ContractPatterns.ResourceType));
            Assert.That((string?)audit["items"]![0]!["requestId"], Does.Match(ContractPatterns.RequestId));
        });
        // The cursor parameter takes the standard base64 alphabet too, as the server does.
        var standard = cursor.Replace('-', '+').Replace('_', '/');
        Assert.That(standard, Does.Match(ContractPatterns.CursorParameter));
        Assert.That((await admin.GetAsync($"/v1/api-clients?limit=1&cursor={Uri.EscapeDataString(standard)}")).IsSuccessStatusCode, Is.True);
    }
}
