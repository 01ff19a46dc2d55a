using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConsentApi.Domain.Imports;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Features.Imports;
using ConsentApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Webhooks;

/// <summary>
/// The document's <c>webhooks</c> describe what receivers really get: every event type the outbox writes has an entry
/// with its envelope and headers, and events delivered to a real receiver match their envelope schema exactly.
/// </summary>
public sealed class WebhookContractTests : ApiTest
{
    private WebhookReceiver _receiver = null!;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    [SetUp]
    public async Task StartReceiverAsync() => _receiver = await WebhookReceiver.StartAsync();

    [TearDown]
    public async Task StopReceiverAsync() => await _receiver.DisposeAsync();

    private async Task<JsonObject> DocumentAsync() =>
        JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();

    [Test]
    public async Task Every_event_type_has_a_webhook_entry_with_its_envelope_and_the_standard_webhooks_headers()
    {
        var document = await DocumentAsync();
        var webhooks = document["webhooks"]!.AsObject();

        Assert.That(webhooks.Select(w => w.Key), Is.EquivalentTo(EventTypes.All));
        Assert.Multiple(() =>
        {
            foreach (var (type, entry) in webhooks)
            {
                var post = entry!["post"]!;
                var envelope = Resolve(document, post["requestBody"]!["content"]!["application/json"]!["schema"]!);
                Assert.That((string?)envelope["properties"]!["type"]!["const"], Is.EqualTo(type), type);
                Assert.That(envelope["required"]!.AsArray().Select(r => (string)r!),
                    Is.EquivalentTo(new[] { "id", "type", "timestamp", "schoolId", "data" }), type);
                Assert.That(Resolve(document, envelope["properties"]!["data"]!)["properties"], Is.Not.Null, $"{type}: data schema");
                Assert.That(post["parameters"]!.AsArray().Where(p => (string?)p!["in"] == "header").Select(p => (string)p!["name"]!),
                    Is.EquivalentTo(new[] { "webhook-id", "webhook-timestamp", "webhook-signature" }), type);
                Assert.That((string?)post["description"], Does.Contain("At least once").And.Contain("webhook-id").And.Contain("sequence"), type);
                Assert.That(post["responses"]!.AsObject().Select(r => r.Key), Does.Contain("2XX"), type);
            }
        });
    }

    [Test]
    public async Task Every_event_delivered_matches_its_envelope_schema_and_its_id_is_the_webhook_id_and_the_delivery_event_id()
    {
        var document = await DocumentAsync();
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var full = tenant.Full();
        var created = await (await admin.PostAsJsonAsync("/v1/webhooks", new { url = _receiver.Url, eventTypes = EventTypes.All })).ReadObjectAsync();
        var webhookId = (Guid)created["webhook"]!["id"]!;

        // One school year in miniature, so that every event type is written: a roster sync, grants, a publication, two
        // withdrawals (a takedown opened, then joined), the takedown done and a pupil turning 16 soon.
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster",
            new { groups = Array.Empty<object>(), pupils = Array.Empty<object>(), guardians = Array.Empty<object>() })).EnsureSuccessStatusCode();
        var version = (Guid)(await PublishFormAsync(admin, ["photo:website"]))["id"]!;
        var family = new List<(Guid Pupil, Guid Guardian)>();
        foreach (var name in new[] { "Sanne de Vries", "Daan Jansen" })
        {
            var pupil = await CreatePupilAsync(full, tenant.SchoolId, name);
            var guardian = await CreateGuardianAsync(full, $"Ouder van {name}");
            await LinkAsync(full, pupil, guardian);
            await DecideAsync(full, pupil, version, guardian, "granted", ["photo:website"]);
            family.Add((pupil, guardian));
        }
        await RegisterAsync(full, tenant.SchoolId, "website", "photo", family.Select(f => f.Pupil));
        foreach (var (pupil, guardian) in family)
        {
            await DecideAsync(full, pupil, version, guardian, "refused", ["photo:website"]);
        }
        var takedown = (await OpenTakedownsAsync(full)).Single()!;
        var completed = await full.PostAsJsonAsync($"/v1/takedowns/{takedown["id"]}/complete", new { completedBy = "Webbeheerder M. Jansen" });
        Assert.That(completed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await completed.Content.ReadAsStringAsync());

        // A pupil whose 16th birthday is 10 days away: the job announces it.
        await CreatePupilAsync(full, tenant.SchoolId, "Lieke Zestien", LocalDay.Today.AddYears(-16).AddDays(10));
        await Factory.Services.GetRequiredService<ConsentApi.Features.Pupils.Turning16Announcer>().AnnounceOnceAsync(CancellationToken.None);

        // A pupil who left, erased on request.
        var leaver = await CreatePupilAsync(full, tenant.SchoolId, "Tim Vertrokken");
        (await full.PutAsJsonAsync($"/v1/pupils/{leaver}", new { externalId = "LL-WEG", displayName = "Tim Vertrokken", dateOfBirth = "2016-03-01", status = "left" }))
            .EnsureSuccessStatusCode();
        (await full.PostAsync($"/v1/pupils/{leaver}/erasure", null)).EnsureSuccessStatusCode();

        // An EDEXML file checked (a dry run), and one refused for another school's BRIN code.
        var checkedFile = await ImportSteps.ImportAsync(full, tenant.SchoolId, "edexml", new EdexmlBuilder("10AB")
            .WithGroup("G1", "Groep 1").WithPupil("LL-E1", "Kim", "Visser", "2017-02-02", "G1").ToBytes(), dryRun: true);
        var refusedFile = await ImportSteps.ImportAsync(full, tenant.SchoolId, "edexml", new EdexmlBuilder("99ZZ").ToBytes(), dryRun: true);
        Assert.That((checkedFile.Status, refusedFile.Status), Is.EqualTo((ImportStatus.Succeeded, ImportStatus.Failed)));

        var written = (await EventsAsync(Factory, tenant.OrganisationId)).Count;
        var dispatcher = Factory.Services.GetRequiredService<WebhookDispatcher>();
        for (var round = 0; round < 200 && _receiver.Requests.Count < written; round++)
        {
            await dispatcher.DispatchOnceAsync(CancellationToken.None);
        }

        var received = _receiver.Requests.ToList();
        var deliveries = await ItemsAsync(admin, $"/v1/webhooks/{webhookId}/deliveries?limit=200");
        Assert.That(received.Select(r => (string?)JsonNode.Parse(r.Body)!["type"]).Distinct(), Is.EquivalentTo(EventTypes.All));
        Assert.Multiple(() =>
        {
            foreach (var request in received)
            {
                var body = JsonNode.Parse(request.Body)!;
                var type = (string)body["type"]!;
                var schema = document["webhooks"]![type]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
                Assert.That(Violations(document, schema, body, "$"), Is.Empty, $"{type}: {request.Body}");
                Assert.That(request.Id, Is.EqualTo((string?)body["id"]), $"{type}: webhook-id");
                Assert.That(deliveries.Select(d => (string?)d!["eventId"]), Does.Contain(request.Id), $"{type}: the delivery's eventId");
                Assert.That(request.Signature, Does.Match(HeaderPattern(document, type, "webhook-signature")), $"{type}: signature");
            }
        });
    }

    [Test]
    public void The_schema_check_finds_a_missing_member_an_undeclared_one_and_a_wrong_value()
    {
        var document = new JsonObject();
        var schema = JsonNode.Parse("""
            {"type":"object","required":["id","state"],"properties":{"id":{"type":"string","format":"uuid"},
             "state":{"type":"string","enum":["granted","refused"]},"at":{"type":["null","string"],"format":"date-time"}}}
            """)!;

        Assert.Multiple(() =>
        {
            Assert.That(Violations(document, schema, JsonNode.Parse("""{"id":"01930f4e-7a10-7c3e-9a51-6f1d2b3c4d5e","state":"granted","at":null}""")!, "$"), Is.Empty);
            Assert.That(Violations(document, schema, JsonNode.Parse("""{"id":"01930f4e-7a10-7c3e-9a51-6f1d2b3c4d5e"}""")!, "$"), Has.Count.EqualTo(1));
            Assert.That(Violations(document, schema, JsonNode.Parse("""{"id":"01930f4e-7a10-7c3e-9a51-6f1d2b3c4d5e","state":"granted","extra":1}""")!, "$"), Has.Count.EqualTo(1));
            Assert.That(Violations(document, schema, JsonNode.Parse("""{"id":"x","state":"Granted"}""")!, "$"), Has.Count.EqualTo(2));
        });
    }

    private static string HeaderPattern(JsonNode document, string type, string header) =>
        (string)document["webhooks"]![type]!["post"]!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == header)!["schema"]!["pattern"]!;

    private static JsonNode Resolve(JsonNode document, JsonNode schema) =>
        schema["$ref"] is { } reference
            ? Resolve(document, document["components"]!["schemas"]![((string)reference!)["#/components/schemas/".Length..]]!)
            : schema;

    /// <summary>
    /// What of <paramref name="value"/> the schema does not allow, for the JSON Schema the document uses: types (with
    /// null), required and undeclared members, items, enum, const, uuid and date-time formats, lengths and patterns.
    /// </summary>
    private static List<string> Violations(JsonNode document, JsonNode schema, JsonNode? value, string path)
    {
        schema = Resolve(document, schema);
        var errors = new List<string>();
        var kind = value switch
        {
            null => "null",
            JsonObject => "object",
            JsonArray => "array",
            _ => value.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.String => "string",
                System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "boolean",
                System.Text.Json.JsonValueKind.Number => value.ToJsonString().Contains('.', StringComparison.Ordinal) ? "number" : "integer",
                _ => "unknown",
            },
        };
        var types = schema["type"] switch
        {
            JsonArray list => list.Select(t => (string)t!).ToList(),
            JsonValue single => [(string)single!],
            _ => [],
        };
        if (types.Count > 0 && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            return [$"{path}: {kind} where {string.Join("|", types)} is declared"];
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{path}: not one of the enum");
        }
        if (schema["const"] is { } constant && !JsonNode.DeepEquals(constant, value))
        {
            errors.Add($"{path}: not the const {constant.ToJsonString()}");
        }
        if (kind == "string")
        {
            var text = (string)value!;
            if ((string?)schema["format"] == "uuid" && !Guid.TryParseExact(text, "D", out _))
            {
                errors.Add($"{path}: not a uuid");
            }
            if ((string?)schema["format"] == "date-time" && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                errors.Add($"{path}: not a date-time");
            }
            if ((int?)schema["maxLength"] is { } max && text.Length > max)
            {
                errors.Add($"{path}: longer than {max}");
            }
            if ((string?)schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern))
            {
                errors.Add($"{path}: does not match {pattern}");
            }
        }
        if (value is JsonObject members)
        {
            var declared = schema["properties"]?.AsObject();
            foreach (var required in schema["required"]?.AsArray().Select(r => (string)r!) ?? [])
            {
                if (!members.ContainsKey(required))
                {
                    errors.Add($"{path}.{required}: required, missing");
                }
            }
            foreach (var (name, member) in members)
            {
                if (declared?[name] is { } property)
                {
                    errors.AddRange(Violations(document, property, member, $"{path}.{name}"));
                }
                else
                {
                    errors.Add($"{path}.{name}: not declared");
                }
            }
        }
        if (value is JsonArray items && schema["items"] is { } itemSchema)
        {
            errors.AddRange(items.SelectMany((item, i) => Violations(document, itemSchema, item, $"{path}[{i}]")));
        }
        return errors;
    }
}
