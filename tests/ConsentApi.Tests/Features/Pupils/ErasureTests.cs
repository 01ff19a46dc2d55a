using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Features.Webhooks;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;
using static ConsentApi.Tests.Features.Pupils.ErasureSteps;

namespace ConsentApi.Tests.Features.Pupils;

/// <summary>
/// Erasing a pupil who left: no personal field of the pupil (or of guardians of no other kept pupil) is left anywhere in the
/// database, while the ledger the organisation keeps as proof still answers past checks, the history and the stored
/// publication proof as before. Refused for a pupil still at school; once per pupil, however often and however
/// concurrently it is asked.
/// </summary>
public sealed class ErasureTests : ApiTest
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

    private static string Token() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..10];

    private static async Task<JsonObject> CheckAsync(HttpClient client, Guid pupilId, DateTimeOffset at, DateTimeOffset asKnownAt)
    {
        var response = await client.PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds = new[] { pupilId }, mediaType = "photo", channel = "website", at, asKnownAt });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    /// <summary>The history without what an erasure blanks (notes, proof references, file names): the ledger itself.</summary>
    private static async Task<JsonArray> LedgerAsync(HttpClient client, Guid pupilId)
    {
        var items = await ItemsAsync(client, $"/v1/pupils/{pupilId}/consents/history?limit=50");
        foreach (var decision in items.Select(i => i!.AsObject()))
        {
            decision.Remove("note");
            decision.Remove("proofReference");
            foreach (var file in decision["proofFiles"]?.AsArray().Select(f => f!.AsObject()) ?? [])
            {
                file.Remove("fileName");
                file.Remove("erasedAt");
            }
        }
        return items;
    }

    /// <summary>The publication with its stored proof; the moment of the "as known now" answer is left out, being now.</summary>
    private static async Task<JsonObject> PublicationAsync(HttpClient client, Guid publicationId)
    {
        var publication = await GetAsync(client, $"/v1/publications/{publicationId}");
        publication["asKnownNow"]!.AsObject().Remove("asKnownAt");
        return publication;
    }

    private Task<int> AuditedErasuresAsync(Guid pupilId) =>
        Factory.QueryAsync(db => db.AuditEvents.CountAsync(a => a.ResourceId == pupilId && a.Action == "ErasePupil"));

    private async Task<List<JsonObject>> ErasedEventsAsync(Guid organisationId) =>
        [.. (await EventsAsync(Factory, organisationId)).Where(e => e.Type == EventTypes.PupilErased).Select(PayloadOf)];

    [Test]
    public async Task Erasure_leaves_no_personal_field_anywhere_while_the_kept_proof_answers_past_checks_as_before()
    {
        var token = Token();
        var pupilName = $"Zoë Quarantijn {token}";
        var pupilExternalId = $"LL-{token}";
        var motherName = $"Ilse Quarantijn {token}";
        var fatherName = $"Joost Brandwacht {token}";
        var (motherExternalId, fatherExternalId) = ($"OV-M-{token}", $"OV-V-{token}");
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var admin = tenant.Admin();
        (await admin.PostAsJsonAsync("/v1/webhooks", new { url = _receiver.Url, eventTypes = EventTypes.All })).EnsureSuccessStatusCode();

        // The admin system's roster brings the pupil and both parents.
        var roster = await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", new
        {
            groups = Array.Empty<object>(),
            pupils = new[]
            {
                new
                {
                    externalId = pupilExternalId, displayName = pupilName, dateOfBirth = new DateOnly(2016, 5, 12),
                    guardians = new[]
                    {
                        new { externalId = motherExternalId, hasParentalAuthority = true },
                        new { externalId = fatherExternalId, hasParentalAuthority = true },
                    },
                },
            },
            guardians = new[]
            {
                new { externalId = motherExternalId, displayName = motherName },
                new { externalId = fatherExternalId, displayName = fatherName },
            },
        });
        Assert.That(roster.StatusCode, Is.EqualTo(HttpStatusCode.OK), await roster.Content.ReadAsStringAsync());
        var pupilId = (Guid)(await ItemsAsync(full, $"/v1/schools/{tenant.SchoolId}/pupils")).Single()!["id"]!;
        var guardians = (await GetAsync(full, $"/v1/pupils/{pupilId}"))["guardians"]!.AsArray();
        var mother = (Guid)guardians.Single(g => (string?)g!["externalId"] == motherExternalId)!["guardianId"]!;
        var father = (Guid)guardians.Single(g => (string?)g!["externalId"] == fatherExternalId)!["guardianId"]!;
        var versionId = (Guid)(await PublishFormAsync(admin, ["photo:website"]))["id"]!;

        // The mother's paper form, keyed in with a note and a proof reference naming the pupil, sent with a retry key so
        // that its answer is stored; the father answers in the parents' app.
        var paper = new HttpRequestMessage(HttpMethod.Post, $"/v1/pupils/{pupilId}/decisions")
        {
            Content = JsonContent.Create(new
            {
                formVersionId = versionId, decidedBy = "guardian", guardianId = mother, method = "paper",
                proofReference = $"Ordner 2026, formulier {pupilName}", note = $"Ingeleverd bij de administratie voor {pupilName}",
                items = new[] { new { mediaType = "photo", channel = "website", outcome = "granted" } },
            }),
        };
        paper.Headers.Add("Idempotency-Key", $"paper-{token}");
        var recorded = await full.SendAsync(paper);
        Assert.That(recorded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await recorded.Content.ReadAsStringAsync());
        var receiptId = (Guid)(await recorded.ReadObjectAsync())["batchId"]!;
        await DecideAsync(full, pupilId, versionId, father, "granted", ["photo:website"]);

        // The scanned form, whose text names the pupil.
        var scan = Encoding.UTF8.GetBytes($"%PDF-1.7\n% Toestemmingsformulier {pupilName}, leerling {pupilExternalId}\n");
        var content = new ByteArrayContent(scan);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        var uploaded = await full.PostAsync($"/v1/receipts/{receiptId}/proof-files?fileName={Uri.EscapeDataString($"formulier {pupilName}.pdf")}", content);
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await uploaded.Content.ReadAsStringAsync());
        var proofFile = uploaded.Headers.Location!;

        // Published while allowed; the father withdraws, the takedown is done.
        var publication = await RegisterAsync(full, tenant.SchoolId, "website", "photo", [pupilId]);
        var published = DateTimeOffset.UtcNow;
        await DecideAsync(full, pupilId, versionId, father, "refused", ["photo:website"]);
        var takedown = (await OpenTakedownsAsync(full)).Single()!;
        (await full.PostAsJsonAsync($"/v1/takedowns/{takedown["id"]}/complete", new { completedBy = "Webbeheer" })).EnsureSuccessStatusCode();

        // The pupil leaves with the next roster.
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster",
            new { groups = Array.Empty<object>(), pupils = Array.Empty<object>(), guardians = Array.Empty<object>() })).EnsureSuccessStatusCode();
        await DeliverAllAsync(tenant.OrganisationId);

        var known = DateTimeOffset.UtcNow;
        var checkBefore = await CheckAsync(full, pupilId, published, known);
        var publicationBefore = await PublicationAsync(full, (Guid)publication["id"]!);
        var ledgerBefore = await LedgerAsync(full, pupilId);
        var words = new[] { pupilName, pupilExternalId, motherName, fatherName, motherExternalId, fatherExternalId }
            .SelectMany(Spellings).ToArray();
        var before = await FindAsync(Factory, words);
        Assert.That(before, Has.Some.StartsWith("pupils.display_name").And.Some.StartsWith("guardians.display_name")
            .And.Some.StartsWith("guardian_schools.display_name").And.Some.StartsWith("decisions.note")
            .And.Some.StartsWith("decisions.proof_reference").And.Some.StartsWith("proof_file_chunks.data")
            .And.Some.StartsWith("idempotency_keys.response"), "the scan finds the personal data before erasure");
        Assert.That((string?)checkBefore["pupils"]![0]!["state"], Is.EqualTo("granted"), checkBefore.ToJsonString());

        var erasure = await EraseAsync(full, pupilId);
        await DeliverAllAsync(tenant.OrganisationId);

        Assert.That(await FindAsync(Factory, words), Is.Empty, "personal data left after erasure");
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)erasure["pupilId"], Is.EqualTo(pupilId));
            Assert.That((string?)erasure["reason"], Is.EqualTo("request"));
            Assert.That((int?)erasure["erased"]!["decisionNotes"], Is.EqualTo(1));
            Assert.That((int?)erasure["erased"]!["proofFiles"], Is.EqualTo(1));
            Assert.That((int?)erasure["erased"]!["guardians"], Is.EqualTo(2));
            Assert.That((int?)erasure["erased"]!["storedResponses"], Is.GreaterThanOrEqualTo(1));
            Assert.That(erasure["kept"]!.AsArray().Select(k => (string?)k), Does.Contain("decisions").And.Contain("date-of-birth"));
        });
        Assert.Multiple(async () =>
        {
            Assert.That(JsonNode.DeepEquals(await CheckAsync(full, pupilId, published, known), checkBefore), Is.True,
                "the past check answers as before");
            var publicationAfter = await PublicationAsync(full, (Guid)publication["id"]!);
            Assert.That(JsonNode.DeepEquals(publicationAfter, publicationBefore), Is.True,
                $"the stored publication proof is unchanged: {publicationBefore.ToJsonString()} became {publicationAfter.ToJsonString()}");
            Assert.That(JsonNode.DeepEquals(await LedgerAsync(full, pupilId), ledgerBefore), Is.True, "the consent ledger is unchanged");
        });

        var pupil = await GetAsync(full, $"/v1/pupils/{pupilId}");
        Assert.Multiple(() =>
        {
            Assert.That(pupil["erasedAt"], Is.Not.Null);
            Assert.That((string?)pupil["externalId"], Is.EqualTo($"erased-{pupilId}"));
            Assert.That((string?)pupil["dateOfBirth"], Is.EqualTo("2016-05-12"), "the date of birth is kept");
            Assert.That(pupil["guardians"]!.AsArray().Select(g => (string?)g!["guardianId"]),
                Is.EquivalentTo(new[] { mother.ToString(), father.ToString() }), "the links are kept");
        });
        await AssertProblemAsync(await full.GetAsync(proofFile), HttpStatusCode.Gone, "gone");

        // A refusal is still recorded for the pupil; a grant is not.
        await DecideAsync(full, pupilId, versionId, mother, "refused", ["photo:website"]);
        await AssertProblemAsync(await SendDecisionsAsync(full, pupilId, versionId, mother, ["photo:website=granted"]),
            HttpStatusCode.Conflict, "conflict");

        var events = await ErasedEventsAsync(tenant.OrganisationId);
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That(events[0]["data"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "pupilId", "schoolId", "erasedAt", "reason" }));
        Assert.That(_receiver.Requests.Select(r => (string?)JsonNode.Parse(r.Body)!["type"]), Does.Contain(EventTypes.PupilErased));
    }

    /// <summary>Delivers every event written so far to the receiver.</summary>
    private async Task DeliverAllAsync(Guid organisationId)
    {
        var written = (await EventsAsync(Factory, organisationId)).Count;
        var dispatcher = Factory.Services.GetRequiredService<WebhookDispatcher>();
        for (var round = 0; round < 100 && _receiver.Requests.Count < written; round++)
        {
            await dispatcher.DispatchOnceAsync(CancellationToken.None);
        }
    }

    private sealed record Family(Tenant Tenant, Guid PupilId, Guid GuardianId, Guid VersionId);

    private async Task<Family> FamilyAsync(string name = "Sanne de Vries", string guardianName = "Marieke de Vries")
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website"]))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, name);
        var guardian = await CreateGuardianAsync(full, guardianName);
        await LinkAsync(full, pupil, guardian);
        await DecideAsync(full, pupil, version, guardian, "granted", ["photo:website"]);
        return new Family(tenant, pupil, guardian, version);
    }

    [Test]
    public async Task A_pupil_still_at_school_is_not_erased_and_nothing_changes()
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        var before = await GetAsync(full, $"/v1/pupils/{family.PupilId}");

        var problem = await AssertProblemAsync(await SendEraseAsync(full, family.PupilId), HttpStatusCode.Conflict, "conflict");

        Assert.That((string?)problem["detail"], Does.Contain("still at the school"));
        Assert.That(JsonNode.DeepEquals(await GetAsync(full, $"/v1/pupils/{family.PupilId}"), before), Is.True);
        Assert.That(await Factory.QueryAsync(db => db.PupilErasures.CountAsync(e => e.PupilId == family.PupilId)), Is.Zero);
        Assert.That(await AuditedErasuresAsync(family.PupilId), Is.Zero);
        Assert.That(await ErasedEventsAsync(family.Tenant.OrganisationId), Is.Empty);
    }

    [Test]
    public async Task An_unknown_pupil_or_one_of_another_organisation_or_school_is_not_found()
    {
        var family = await FamilyAsync();
        await LeaveAsync(family.Tenant.Full(), family.PupilId);
        var other = await CreateTenantAsync();
        var otherSchool = await family.Tenant.ClientWithAsync(["roster:read", "roster:write"], [family.Tenant.SchoolIds[1]]);

        await AssertProblemAsync(await SendEraseAsync(family.Tenant.Full(), Guid.CreateVersion7()), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await SendEraseAsync(other.Full(), family.PupilId), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await SendEraseAsync(otherSchool, family.PupilId), HttpStatusCode.NotFound, "not-found");

        Assert.That((await GetAsync(family.Tenant.Full(), $"/v1/pupils/{family.PupilId}"))["erasedAt"], Is.Null);
    }

    [Test]
    public async Task A_repeated_erasure_answers_the_same_record_and_is_audited_and_announced_once()
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        await LeaveAsync(full, family.PupilId);

        var first = await EraseAsync(full, family.PupilId);
        var again = await EraseAsync(full, family.PupilId);

        Assert.That(JsonNode.DeepEquals(again, first), Is.True, $"{again.ToJsonString()} vs {first.ToJsonString()}");
        Assert.That(await AuditedErasuresAsync(family.PupilId), Is.EqualTo(1));
        var events = await ErasedEventsAsync(family.Tenant.OrganisationId);
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)events[0]["data"]!["pupilId"], Is.EqualTo(family.PupilId));
            Assert.That((Guid?)events[0]["data"]!["schoolId"], Is.EqualTo(family.Tenant.SchoolId));
            Assert.That((string?)events[0]["data"]!["reason"], Is.EqualTo("request"));
            Assert.That(Moment(events[0]["data"]!["erasedAt"]), Is.EqualTo(Moment(first["erasedAt"])));
        });
        Assert.That(Moment((await GetAsync(full, $"/v1/pupils/{family.PupilId}"))["erasedAt"]), Is.EqualTo(Moment(first["erasedAt"])));
    }

    [TestCase(2)]
    [TestCase(20)]
    public async Task Concurrent_erasure_requests_erase_once(int requests)
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        await LeaveAsync(full, family.PupilId);

        var answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => SendEraseAsync(family.Tenant.Full(), family.PupilId)));

        var bodies = new List<JsonObject>();
        foreach (var answer in answers)
        {
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), await answer.Content.ReadAsStringAsync());
            bodies.Add(await answer.ReadObjectAsync());
        }
        Assert.That(bodies.Select(b => b.ToJsonString()).Distinct().Count(), Is.EqualTo(1), "every answer is the one record");
        Assert.That(await ErasedEventsAsync(family.Tenant.OrganisationId), Has.Count.EqualTo(1));
        Assert.That(await AuditedErasuresAsync(family.PupilId), Is.EqualTo(1));
        Assert.That(await Factory.QueryAsync(db => db.PupilErasures.CountAsync(e => e.PupilId == family.PupilId)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_guardian_with_another_child_still_at_school_keeps_their_name()
    {
        var token = Token();
        var family = await FamilyAsync($"Bram Zeldzaam {token}", $"Ouder Zeldzaam {token}");
        var full = family.Tenant.Full();
        var sibling = await CreatePupilAsync(full, family.Tenant.SchoolId, $"Fleur Zeldzaam {token}");
        await LinkAsync(full, sibling, family.GuardianId);
        var onlyParent = await CreateGuardianAsync(full, $"Stiefouder Zeldzaam {token}");
        await LinkAsync(full, family.PupilId, onlyParent);
        await LeaveAsync(full, family.PupilId);

        var erasure = await EraseAsync(full, family.PupilId);

        Assert.That((int?)erasure["erased"]!["guardians"], Is.EqualTo(1));
        Assert.That((string?)(await GetAsync(full, $"/v1/guardians/{family.GuardianId}"))["displayName"], Is.EqualTo($"Ouder Zeldzaam {token}"));
        Assert.That((string?)(await GetAsync(full, $"/v1/guardians/{onlyParent}"))["externalId"], Is.EqualTo($"erased-{onlyParent}"));
        Assert.That(await FindAsync(Factory, [$"Stiefouder Zeldzaam {token}", $"Bram Zeldzaam {token}"]), Is.Empty);
        Assert.That(await FindAsync(Factory, [$"Fleur Zeldzaam {token}", $"Ouder Zeldzaam {token}"]), Has.Count.GreaterThanOrEqualTo(2),
            "the sibling and the parent they share are kept");
    }

    [Test]
    public async Task Siblings_erased_at_the_same_moment_take_their_shared_parents_name_with_them()
    {
        for (var round = 0; round < 5; round++)
        {
            var token = Token();
            var family = await FamilyAsync($"Eerste Broer {token}", $"Gedeelde Ouder {token}");
            var full = family.Tenant.Full();
            var sibling = await CreatePupilAsync(full, family.Tenant.SchoolId, $"Tweede Broer {token}");
            await LinkAsync(full, sibling, family.GuardianId);
            await LeaveAsync(full, family.PupilId);
            await LeaveAsync(full, sibling);

            var erasures = await Task.WhenAll(EraseAsync(family.Tenant.Full(), family.PupilId), EraseAsync(family.Tenant.Full(), sibling));

            Assert.That(erasures.Sum(e => (int)e["erased"]!["guardians"]!), Is.EqualTo(1), "one of the two erased the parent");
            Assert.That((string?)(await GetAsync(full, $"/v1/guardians/{family.GuardianId}"))["externalId"], Is.EqualTo($"erased-{family.GuardianId}"));
            Assert.That(await FindAsync(Factory, [$"Gedeelde Ouder {token}"]), Is.Empty);
        }
    }

    [Test]
    public async Task After_erasure_a_refusal_on_paper_is_recorded_without_its_free_text_and_no_proof_file_can_be_added()
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        await PaperRefusalWithProofAsync(family);
        var receipt = (Guid)(await ItemsAsync(full, $"/v1/pupils/{family.PupilId}/consents/history")).Last()!["batchId"]!;
        await LeaveAsync(full, family.PupilId);
        await EraseAsync(full, family.PupilId);

        var refused = await full.PostAsJsonAsync($"/v1/pupils/{family.PupilId}/decisions", new
        {
            formVersionId = family.VersionId, decidedBy = "guardian", guardianId = family.GuardianId, method = "paper",
            note = "Brief van Sanne de Vries", proofReference = "Map Sanne de Vries",
            items = new[] { new { mediaType = "photo", channel = "website", outcome = "refused" } },
        });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Created), await refused.Content.ReadAsStringAsync());
        var decision = (await refused.ReadObjectAsync())["decisions"]![0]!;
        Assert.That(decision["note"], Is.Null);
        Assert.That(decision["proofReference"], Is.Null);
        var content = new ByteArrayContent("%PDF-1.7\n% Sanne de Vries\n"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        await AssertProblemAsync(await full.PostAsync($"/v1/receipts/{receipt}/proof-files?fileName=brief.pdf", content),
            HttpStatusCode.Conflict, "conflict");
        Assert.That(await Factory.QueryAsync(db => db.ProofFiles.CountAsync(f => f.PupilId == family.PupilId && f.ErasedAt == null)), Is.Zero);
        Assert.That(await FindAsync(Factory, ["Map Sanne de Vries", "Brief van Sanne"]), Is.Empty);
    }

    [Test]
    public async Task An_erased_pupil_can_no_longer_be_changed_or_linked()
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        await LeaveAsync(full, family.PupilId);
        await EraseAsync(full, family.PupilId);

        var update = await full.PutAsJsonAsync($"/v1/pupils/{family.PupilId}",
            new { externalId = "LL-TERUG", displayName = "Sanne de Vries", dateOfBirth = "2016-03-01" });
        await AssertProblemAsync(update, HttpStatusCode.Conflict, "conflict");
        var link = await full.PutAsJsonAsync($"/v1/pupils/{family.PupilId}/guardians/{family.GuardianId}", new { hasParentalAuthority = true });
        await AssertProblemAsync(link, HttpStatusCode.Conflict, "conflict");
        Assert.That((string?)(await GetAsync(full, $"/v1/pupils/{family.PupilId}"))["status"], Is.EqualTo("left"));
    }

    /// <summary>A refusal on paper with a note and proof reference, and its scanned letter.</summary>
    private static async Task PaperRefusalWithProofAsync(Family family)
    {
        var full = family.Tenant.Full();
        var recorded = await full.PostAsJsonAsync($"/v1/pupils/{family.PupilId}/decisions", new
        {
            formVersionId = family.VersionId, decidedBy = "guardian", guardianId = family.GuardianId, method = "paper",
            note = "Op papier", proofReference = "Map 3",
            items = new[] { new { mediaType = "photo", channel = "website", outcome = "refused" } },
        });
        Assert.That(recorded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await recorded.Content.ReadAsStringAsync());
        var receipt = (Guid)(await recorded.ReadObjectAsync())["batchId"]!;
        var content = new ByteArrayContent("%PDF-1.7\n% brief\n"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        var uploaded = await full.PostAsync($"/v1/receipts/{receipt}/proof-files?fileName=brief.pdf", content);
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Created), await uploaded.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_access_export_of_an_erased_pupil_says_when_and_offers_no_erased_content()
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        await PaperRefusalWithProofAsync(family);
        var before = await ExportAsync(full, family.PupilId);
        Assert.That((string?)before["proofFiles"]![0]!["downloadPath"], Is.Not.Null, "a kept scan can be downloaded");
        Assert.That(before["pupil"]!["erasedAt"], Is.Null);
        await LeaveAsync(full, family.PupilId);

        var erasedAt = (string)(await EraseAsync(full, family.PupilId))["erasedAt"]!;
        var after = await ExportAsync(full, family.PupilId);

        Assert.Multiple(() =>
        {
            Assert.That(DateTimeOffset.Parse((string)after["pupil"]!["erasedAt"]!, System.Globalization.CultureInfo.InvariantCulture),
                Is.EqualTo(DateTimeOffset.Parse(erasedAt, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That((string?)after["pupil"]!["displayName"], Is.Not.EqualTo("Sanne de Vries"));
            var proofFile = after["proofFiles"]![0]!;
            Assert.That(proofFile["erasedAt"], Is.Not.Null, "the scan's content is gone");
            Assert.That(proofFile["downloadPath"], Is.Null, "nothing to download");
            Assert.That((string?)proofFile["sha256"], Is.EqualTo((string?)before["proofFiles"]![0]!["sha256"]), "the hash remains");
            Assert.That(after["decisions"]!.AsArray(), Has.Count.EqualTo(before["decisions"]!.AsArray().Count), "the ledger remains");
        });
    }

    private static async Task<JsonObject> ExportAsync(HttpClient client, Guid pupilId)
    {
        var response = await client.GetAsync($"/v1/pupils/{pupilId}/access-export");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    [TestCase("UPDATE decisions SET outcome = 'Refused' WHERE pupil_id = '{0}'")]
    [TestCase("UPDATE decisions SET note = 'weer terug' WHERE pupil_id = '{0}'")]
    [TestCase("DELETE FROM decisions WHERE pupil_id = '{0}'")]
    [TestCase("UPDATE proof_files SET sha256 = 'sha256:' || repeat('0', 64) WHERE pupil_id = '{0}'")]
    [TestCase("DELETE FROM proof_files WHERE pupil_id = '{0}'")]
    [TestCase("UPDATE pupils SET display_name = 'Sanne de Vries' WHERE id = '{0}'")]
    [TestCase("DELETE FROM pupil_erasures WHERE pupil_id = '{0}'")]
    public async Task After_erasure_the_database_still_refuses_every_other_change_to_the_evidence(string statement)
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        await PaperRefusalWithProofAsync(family);
        await LeaveAsync(full, family.PupilId);
        await EraseAsync(full, family.PupilId);
        var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, family.PupilId);

        var asOwner = Assert.ThrowsAsync<PostgresException>(() => AsOwnerAsync(Factory, sql));

        Assert.That(asOwner!.SqlState, Is.EqualTo(PostgresErrorCodes.RestrictViolation), asOwner.Message);
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == family.PupilId)), Is.EqualTo(2));
        Assert.That(await Factory.QueryAsync(db => db.ProofFiles.CountAsync(f => f.PupilId == family.PupilId)), Is.EqualTo(1));
    }

    [TestCase("UPDATE decisions SET note = NULL, proof_reference = NULL WHERE pupil_id = '{0}'")]
    [TestCase("UPDATE proof_files SET file_name = 'erased', erased_at = now() WHERE pupil_id = '{0}'")]
    [TestCase("DELETE FROM proof_file_chunks WHERE proof_file_id IN (SELECT id FROM proof_files WHERE pupil_id = '{0}')")]
    public async Task The_erasure_change_is_refused_for_a_pupil_who_is_not_erased(string statement)
    {
        var family = await FamilyAsync();
        await PaperRefusalWithProofAsync(family);
        await LeaveAsync(family.Tenant.Full(), family.PupilId);
        var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, family.PupilId);

        var asApi = Assert.ThrowsAsync<PostgresException>(() => Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(sql)));
        var asOwner = Assert.ThrowsAsync<PostgresException>(() => AsOwnerAsync(Factory, sql));

        Assert.That(asApi!.SqlState, Is.AnyOf(PostgresErrorCodes.RestrictViolation, PostgresErrorCodes.InsufficientPrivilege), asApi.Message);
        Assert.That(asOwner!.SqlState, Is.EqualTo(PostgresErrorCodes.RestrictViolation), asOwner.Message);
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == family.PupilId && d.Note == "Op papier")), Is.EqualTo(1));
        Assert.That(await Factory.QueryAsync(db => db.ProofFileChunks.CountAsync(c => db.ProofFiles.Any(f => f.Id == c.ProofFileId
            && f.PupilId == family.PupilId && f.ErasedAt == null))), Is.GreaterThan(0));
    }
}
