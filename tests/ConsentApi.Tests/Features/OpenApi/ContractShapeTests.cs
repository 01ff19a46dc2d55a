using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.OpenApi;

/// <summary>
/// The served document names every fixed set of values once, says what each value means, keeps C# out of its prose and
/// tells clients where the API lives.
/// </summary>
public sealed partial class ContractShapeTests : ApiTest
{
    private async Task<JsonObject> ServedAsync() =>
        JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();

    /// <summary>Every node of the document with its JSON pointer.</summary>
    private static IEnumerable<(string Path, JsonNode Node)> Walk(JsonNode? node, string path = "")
    {
        if (node is null)
        {
            yield break;
        }
        yield return (path, node);
        var children = node switch
        {
            JsonObject o => o.Select(p => (Key: p.Key, Value: p.Value)),
            JsonArray a => a.Select((v, i) => (Key: i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value: v)),
            _ => [],
        };
        foreach (var (key, value) in children)
        {
            foreach (var inner in Walk(value, $"{path}/{key}"))
            {
                yield return inner;
            }
        }
    }

    [Test]
    public async Task No_property_item_or_parameter_declares_an_enum_of_its_own()
    {
        var document = await ServedAsync();

        var inline = Walk(document)
            .Where(n => n.Node is JsonObject o && o.ContainsKey("enum"))
            .Select(n => n.Path)
            .Where(path => !TopLevelSchema().IsMatch(path))
            .ToList();

        Assert.That(inline, Is.Empty, "an enum not named in components/schemas makes generated clients invent names (Status2, *_scopes)");
    }

    [Test]
    public async Task Every_enum_schema_says_what_each_of_its_values_means()
    {
        var schemas = (await ServedAsync())["components"]!["schemas"]!.AsObject();
        var enums = schemas.Where(s => s.Value!["enum"] is not null).ToList();

        Assert.That(enums.Select(e => e.Key), Is.SupersetOf(new[]
        {
            "MediaType", "DecisionMethod", "ConsentState", "ConsentReason", "Scope", "EventType", "FormLanguage", "CampaignStatus",
            "ReminderTargetType", "DeliveryStatus", "ServiceHealth",
        }));
        Assert.Multiple(() =>
        {
            foreach (var (name, schema) in enums)
            {
                var description = (string?)schema!["description"] ?? "";
                foreach (var value in schema["enum"]!.AsArray().Select(v => (string)v!))
                {
                    Assert.That(description, Does.Match($@"(^|\n)- `{Regex.Escape(value)}`: \S"), $"{name}: what `{value}` means");
                }
            }
        });
    }

    [Test]
    public async Task A_string_documented_as_a_fixed_set_refers_to_a_named_enum()
    {
        var document = await ServedAsync();
        var strings = document["components"]!["schemas"]!.AsObject()
            .SelectMany(s => s.Value!["properties"]?.AsObject().Select(p => (Where: $"{s.Key}.{p.Key}", Name: p.Key, Schema: p.Value!)) ?? [])
            .Concat(document["paths"]!.AsObject()
                .SelectMany(p => p.Value!.AsObject().SelectMany(o => o.Value!["parameters"]?.AsArray() ?? []))
                .Select(p => (Where: $"parameter {p!["name"]}", Name: (string)p!["name"]!, Schema: (JsonNode)p)));

        var loose = strings.Where(s =>
            {
                var schema = s.Schema["schema"] ?? s.Schema;
                var value = schema["items"] ?? schema;
                if (value["$ref"] is not null || value["const"] is not null || !value.ToJsonString().Contains("\"string\"", StringComparison.Ordinal))
                {
                    return false;
                }
                return ListedValues().IsMatch((string?)s.Schema["description"] ?? "") || FixedSetNames.Contains(s.Name);
            })
            .Select(s => s.Where)
            .Distinct()
            .Except(FreeText)
            .ToList();

        Assert.That(loose, Is.Empty, "strings whose description or name says they take a fixed set of values");
    }

    /// <summary>Names that always mean one of a fixed set in this API.</summary>
    private static readonly HashSet<string> FixedSetNames =
        ["status", "state", "oldState", "newState", "reason", "language", "eventType", "eventTypes", "scopes", "mediaType", "method", "decidedBy", "outcome", "audience", "validity"];

    /// <summary>Fields with one of those names that really are free text.</summary>
    private static readonly string[] FreeText = ["WithdrawFormVersionRequest.reason"];

    [Test]
    public void The_contract_sets_hold_exactly_the_values_the_code_uses()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ContractValues.Of(typeof(ConsentReason)), Is.EquivalentTo(ConsentReasons.All));
            Assert.That(ContractValues.Of(typeof(Scope)), Is.EquivalentTo(Scopes.Assignable));
            Assert.That(ContractValues.Of(typeof(EventType)), Is.EquivalentTo(EventTypes.All));
        });
    }

    [Test]
    public async Task No_description_or_summary_names_a_CSharp_type()
    {
        var texts = Walk(await ServedAsync())
            .Where(n => n.Path.EndsWith("/description", StringComparison.Ordinal) || n.Path.EndsWith("/summary", StringComparison.Ordinal))
            .Where(n => n.Node is JsonValue)
            .Select(n => (n.Path, Text: (string)n.Node!))
            .Where(n => n.Text.Contains("ConsentApi.", StringComparison.Ordinal) || n.Text.Contains("`1", StringComparison.Ordinal)
                        || n.Text.Contains("System.", StringComparison.Ordinal))
            .Select(n => $"{n.Path}: {n.Text}")
            .ToList();

        Assert.That(texts, Is.Empty);
    }

    [Test]
    public async Task The_server_is_an_absolute_url_defaulting_to_the_production_address()
    {
        var servers = (await ServedAsync())["servers"]!.AsArray();

        Assert.That(servers.Select(s => (string?)s!["url"]), Is.EqualTo(new[] { "https://api.consent-api.nl" }));
    }

    [GeneratedRegex(@"^/components/schemas/[^/]+$")]
    private static partial Regex TopLevelSchema();

    // Two or more code-quoted lower-case values joined by commas or "or": "`open` (asking), `scheduled` or `closed`".
    [GeneratedRegex(@"`[a-z][a-z0-9.:-]*`(?:\s*\([^)]*\))?\s*(?:,|or)\s*`[a-z][a-z0-9.:-]*`")]
    private static partial Regex ListedValues();
}

/// <summary>The server URL comes from configuration, per installation.</summary>
public sealed class ConfiguredServerUrlTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings =>
        new Dictionary<string, string> { ["OpenApi:ServerUrl"] = "https://toestemming.example-bestuur.nl/" };

    [Test]
    public async Task The_document_names_the_configured_server()
    {
        var document = JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!;

        Assert.That(document["servers"]!.AsArray().Select(s => (string?)s!["url"]),
            Is.EqualTo(new[] { "https://toestemming.example-bestuur.nl" }));
    }
}
