using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Domain.Imports;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Features.Imports;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Events;

/// <summary>
/// The transactional outbox (table outbox_events): every change that others must hear of writes its event in the same
/// transaction as the change, with ids and states but no names; a refused or failed command writes none.
/// </summary>
public sealed class OutboxTests : ApiTest
{
    /// <summary>Every display name these tests give a pupil or guardian: none may appear in any event.</summary>
    private static readonly List<string> DisplayNames = [];

    private static string Name(string name)
    {
        lock (DisplayNames)
        {
            DisplayNames.Add(name);
        }
        return name;
    }

    /// <summary>A tenant, a published form asking photo on social media and the website, and one pupil with one guardian.</summary>
    private sealed record Family(Tenant Tenant, Guid VersionId, Guid Pupil, Guid Guardian)
    {
        public HttpClient Full() => Tenant.Full();
    }

    private async Task<Family> FamilyAsync(string pupilName, string guardianName)
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:social-media", "photo:website"]))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, Name(pupilName));
        var guardian = await CreateGuardianAsync(full, Name(guardianName));
        await LinkAsync(full, pupil, guardian);
        return new Family(tenant, versionId, pupil, guardian);
    }

    /// <summary>The events written since <paramref name="before"/> events existed.</summary>
    private async Task<List<OutboxEvent>> NewEventsAsync(Guid organisationId, int before) =>
        [.. (await EventsAsync(Factory, organisationId)).Skip(before)];

    private async Task<int> CountAsync(Guid organisationId) => (await EventsAsync(Factory, organisationId)).Count;

    private static string Items(JsonObject data) =>
        string.Join("; ", data["items"]!.AsArray().Select(i => $"{i!["mediaType"]} {i["channel"]} {i["oldState"]}->{i["newState"]}"));

    private static void AssertEnvelope(OutboxEvent e, string type, Guid schoolId)
    {
        var payload = PayloadOf(e);
        Assert.Multiple(() =>
        {
            Assert.That(e.Type, Is.EqualTo(type));
            Assert.That((string?)payload["type"], Is.EqualTo(type), e.Payload);
            Assert.That((Guid?)payload["id"], Is.EqualTo(e.Id), e.Payload);
            Assert.That((Guid?)payload["schoolId"], Is.EqualTo(schoolId), e.Payload);
            Assert.That(e.SchoolId, Is.EqualTo(schoolId));
            Assert.That(Moment(payload["timestamp"]), Is.EqualTo(e.OccurredAt), e.Payload);
            Assert.That(e.OccurredAt, Is.EqualTo(Now).Within(TimeSpan.FromMinutes(1)));
            Assert.That(payload.Select(p => p.Key), Is.EquivalentTo(new[] { "id", "type", "timestamp", "schoolId", "data" }), e.Payload);
        });
    }

    [Test]
    public async Task A_withdrawal_writes_one_consent_changed_event_from_granted_to_refused()
    {
        var f = await FamilyAsync("Anouk Terpstra", "Wilma Terpstra");
        var full = f.Full();
        var before = await CountAsync(f.Tenant.OrganisationId);
        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]);
        var grant = await NewEventsAsync(f.Tenant.OrganisationId, before);
        Assert.That(grant.Select(e => e.Type), Is.EqualTo(new[] { EventTypes.ConsentChanged }));
        Assert.That(Items(PayloadOf(grant[0])["data"]!.AsObject()), Is.EqualTo("photo social-media pending->granted"));
        before += grant.Count;

        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "refused", ["photo:social-media"]);

        var events = await NewEventsAsync(f.Tenant.OrganisationId, before);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { EventTypes.ConsentChanged }));
        AssertEnvelope(events[0], EventTypes.ConsentChanged, f.Tenant.SchoolId);
        var data = PayloadOf(events[0])["data"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)data["pupilId"], Is.EqualTo(f.Pupil));
            Assert.That(Items(data), Is.EqualTo("photo social-media granted->refused"));
            Assert.That(data.Select(p => p.Key), Is.EquivalentTo(new[] { "pupilId", "sequence", "items" }));
        });
    }

    [Test]
    public async Task A_withdrawal_by_one_of_two_granting_guardians_lists_only_the_items_that_changed()
    {
        var f = await FamilyAsync("Bastiaan Hoekstra", "Marja Hoekstra");
        var full = f.Full();
        var father = await CreateGuardianAsync(full, Name("Sjoerd Hoekstra"));
        await LinkAsync(full, f.Pupil, father);
        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media", "photo:website"]);
        await DecideAsync(full, f.Pupil, f.VersionId, father, "granted", ["photo:social-media", "photo:website"]);
        var before = await CountAsync(f.Tenant.OrganisationId);

        var response = await SendDecisionsAsync(full, f.Pupil, f.VersionId, f.Guardian, ["photo:social-media=refused", "photo:website=granted"]);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var events = await NewEventsAsync(f.Tenant.OrganisationId, before);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { EventTypes.ConsentChanged }));
        var data = PayloadOf(events[0])["data"]!.AsObject();
        Assert.That((Guid?)data["pupilId"], Is.EqualTo(f.Pupil));
        Assert.That(Items(data), Is.EqualTo("photo social-media granted->conflict"));
    }

    [Test]
    public async Task Recording_the_same_grant_again_writes_no_event()
    {
        var f = await FamilyAsync("Cornelis Dijkstra", "Tineke Dijkstra");
        var full = f.Full();
        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]);
        var before = await CountAsync(f.Tenant.OrganisationId);

        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]);

        Assert.That(await NewEventsAsync(f.Tenant.OrganisationId, before), Is.Empty);
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == f.Pupil)), Is.EqualTo(2), "the decision itself was recorded");
    }

    [Test]
    public async Task Registering_a_publication_writes_publication_registered()
    {
        var f = await FamilyAsync("Daan Visscher", "Greet Visscher");
        var full = f.Full();
        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]);
        var before = await CountAsync(f.Tenant.OrganisationId);

        var publication = await RegisterAsync(full, f.Tenant.SchoolId, "social-media", "photo", [f.Pupil, f.Pupil]);

        var events = await NewEventsAsync(f.Tenant.OrganisationId, before);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { EventTypes.PublicationRegistered }));
        AssertEnvelope(events[0], EventTypes.PublicationRegistered, f.Tenant.SchoolId);
        var data = PayloadOf(events[0])["data"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)data["publicationId"], Is.EqualTo((Guid)publication["id"]!));
            Assert.That((string?)data["channel"], Is.EqualTo("social-media"));
            Assert.That((string?)data["mediaType"], Is.EqualTo("photo"));
            Assert.That((bool?)data["publishedWithoutCheck"], Is.False);
            Assert.That(data["pupilIds"]!.AsArray().Select(p => (Guid)p!), Is.EqualTo(new[] { f.Pupil }));
        });
    }

    [Test]
    public async Task A_takedown_writes_opened_when_it_opens_updated_when_a_pupil_joins_and_completed_when_done()
    {
        var f = await FamilyAsync("Evelien Mulder", "Joke Mulder");
        var full = f.Full();
        var second = await CreatePupilAsync(full, f.Tenant.SchoolId, Name("Finn Mulder"));
        await LinkAsync(full, second, f.Guardian);
        foreach (var pupil in new[] { f.Pupil, second })
        {
            await DecideAsync(full, pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]);
        }
        var publicationId = (Guid)(await RegisterAsync(full, f.Tenant.SchoolId, "social-media", "photo", [f.Pupil, second]))["id"]!;
        var before = await CountAsync(f.Tenant.OrganisationId);

        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "refused", ["photo:social-media"]);

        var opened = await NewEventsAsync(f.Tenant.OrganisationId, before);
        Assert.That(opened.Select(e => e.Type), Is.EquivalentTo(new[] { EventTypes.ConsentChanged, EventTypes.TakedownOpened }));
        var takedownId = (Guid)(await OpenTakedownsAsync(full)).Single()!["id"]!;
        var openedEvent = opened.Single(e => e.Type == EventTypes.TakedownOpened);
        AssertEnvelope(openedEvent, EventTypes.TakedownOpened, f.Tenant.SchoolId);
        var data = PayloadOf(openedEvent)["data"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)data["takedownId"], Is.EqualTo(takedownId));
            Assert.That((Guid?)data["publicationId"], Is.EqualTo(publicationId));
            Assert.That((string?)data["channel"], Is.EqualTo("social-media"));
            Assert.That((string?)data["mediaType"], Is.EqualTo("photo"));
            Assert.That(data["pupils"]!.AsArray().Select(p => $"{p!["pupilId"]} {p["state"]} {p["reason"]}"),
                Is.EqualTo(new[] { Pupil(f.Pupil, "refused", "refused-by-guardian") }));
        });
        before += opened.Count;

        await DecideAsync(full, second, f.VersionId, f.Guardian, "refused", ["photo:social-media"]);

        var updated = await NewEventsAsync(f.Tenant.OrganisationId, before);
        Assert.That(updated.Select(e => e.Type), Is.EquivalentTo(new[] { EventTypes.ConsentChanged, EventTypes.TakedownUpdated }));
        var updatedData = PayloadOf(updated.Single(e => e.Type == EventTypes.TakedownUpdated))["data"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)updatedData["takedownId"], Is.EqualTo(takedownId));
            Assert.That(updatedData["pupils"]!.AsArray().Select(p => $"{p!["pupilId"]} {p["state"]} {p["reason"]}"),
                Is.EqualTo(new[] { Pupil(second, "refused", "refused-by-guardian") }), "only the pupil added");
        });
        before += updated.Count;

        (await full.PostAsJsonAsync($"/v1/takedowns/{takedownId}/complete", new { completedBy = "Webbeheer", note = "Verwijderd" }))
            .EnsureSuccessStatusCode();

        var completed = await NewEventsAsync(f.Tenant.OrganisationId, before);
        Assert.That(completed.Select(e => e.Type), Is.EqualTo(new[] { EventTypes.TakedownCompleted }));
        AssertEnvelope(completed[0], EventTypes.TakedownCompleted, f.Tenant.SchoolId);
        var completedData = PayloadOf(completed[0])["data"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)completedData["takedownId"], Is.EqualTo(takedownId));
            Assert.That((Guid?)completedData["publicationId"], Is.EqualTo(publicationId));
        });
        before += completed.Count;

        await AssertProblemAsync(await full.PostAsJsonAsync($"/v1/takedowns/{takedownId}/complete", new { completedBy = "Webbeheer" }),
            HttpStatusCode.Conflict, "conflict");
        Assert.That(await NewEventsAsync(f.Tenant.OrganisationId, before), Is.Empty, "a refused completion writes nothing");
    }

    [Test]
    public async Task The_events_of_one_request_are_in_sequence_in_the_order_they_happened()
    {
        var f = await FamilyAsync("Gijs Bosman", "Hanna Bosman");
        var full = f.Full();
        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]);
        for (var i = 0; i < 6; i++)
        {
            await RegisterAsync(full, f.Tenant.SchoolId, "social-media", "photo", [f.Pupil]);
        }
        var before = await CountAsync(f.Tenant.OrganisationId);

        // One withdrawal: consent.changed, then a takedown for each of the six publications, in one transaction.
        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "refused", ["photo:social-media"]);

        var events = await NewEventsAsync(f.Tenant.OrganisationId, before);
        Assert.That(events.Select(e => e.Type), Is.EquivalentTo(new[]
        {
            EventTypes.ConsentChanged, EventTypes.TakedownOpened, EventTypes.TakedownOpened, EventTypes.TakedownOpened, EventTypes.TakedownOpened,
            EventTypes.TakedownOpened, EventTypes.TakedownOpened,
        }));
        Assert.Multiple(() =>
        {
            Assert.That(events[0].Type, Is.EqualTo(EventTypes.ConsentChanged), "the cause comes first: " + string.Join(", ", events.Select(e => e.Type)));
            Assert.That(events.Select(e => e.OccurredAt), Is.Ordered,
                "sequence order is the order the events happened: " + string.Join(", ", events.Select(e => $"{e.Sequence}:{e.Type}@{e.OccurredAt:HH:mm:ss.ffffff} id {e.Id}")));
        });
    }

    [Test]
    public async Task A_roster_sync_writes_roster_synced_with_its_counts()
    {
        var tenant = await CreateTenantAsync();
        var before = await CountAsync(tenant.OrganisationId);

        var response = await tenant.Full().PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", new
        {
            groups = new[] { new { externalId = "G5", name = "Groep 5", schoolYear = "2026-2027" } },
            pupils = new[]
            {
                new { externalId = "RP-1", displayName = Name("Ilse Roosterkind"), dateOfBirth = new DateOnly(2017, 4, 2), groupExternalId = "G5",
                    guardians = new[] { new { externalId = "RO-1", hasParentalAuthority = true } } },
                new { externalId = "RP-2", displayName = Name("Jesse Roosterkind"), dateOfBirth = new DateOnly(2016, 8, 9), groupExternalId = "G5",
                    guardians = new[] { new { externalId = "RO-1", hasParentalAuthority = true } } },
            },
            guardians = new[] { new { externalId = "RO-1", displayName = Name("Klaas Roosterouder") } },
        });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var events = await NewEventsAsync(tenant.OrganisationId, before);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { EventTypes.RosterSynced }));
        AssertEnvelope(events[0], EventTypes.RosterSynced, tenant.SchoolId);
        var data = PayloadOf(events[0])["data"]!.AsObject();
        Assert.That(data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"),
            Is.EqualTo(new[] { "pupilsCreated=2", "pupilsLeft=0", "pupilsUnchanged=0", "pupilsUpdated=0" }));
    }

    [Test]
    public async Task A_grant_for_a_pupil_who_left_is_refused_and_writes_no_event()
    {
        var f = await FamilyAsync("Lisa Vertrokken", "Marco Vertrokken");
        var full = f.Full();
        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]);
        var externalId = (string?)(await GetAsync(full, $"/v1/pupils/{f.Pupil}"))["externalId"];
        (await full.PutAsJsonAsync($"/v1/pupils/{f.Pupil}", new
        {
            externalId, displayName = "Lisa Vertrokken", dateOfBirth = "2016-03-01", status = "left",
        })).EnsureSuccessStatusCode();
        var before = await CountAsync(f.Tenant.OrganisationId);
        var decisions = await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == f.Pupil));

        var response = await SendDecisionsAsync(full, f.Pupil, f.VersionId, f.Guardian, ["photo:website=granted"]);

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
        Assert.That(await NewEventsAsync(f.Tenant.OrganisationId, before), Is.Empty);
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == f.Pupil)), Is.EqualTo(decisions));
    }

    [Test]
    public async Task A_withdrawal_for_a_pupil_who_left_is_recorded_and_announced()
    {
        var f = await FamilyAsync("Bram Verhuisd", "Ilse Verhuisd");
        var full = f.Full();
        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]);
        var externalId = (string?)(await GetAsync(full, $"/v1/pupils/{f.Pupil}"))["externalId"];
        (await full.PutAsJsonAsync($"/v1/pupils/{f.Pupil}", new
        {
            externalId, displayName = "Bram Verhuisd", dateOfBirth = "2016-03-01", status = "left",
        })).EnsureSuccessStatusCode();
        var before = await CountAsync(f.Tenant.OrganisationId);

        await DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "refused", ["photo:social-media"]);

        var events = await NewEventsAsync(f.Tenant.OrganisationId, before);
        Assert.That(events.Select(e => e.Type), Is.EqualTo(new[] { EventTypes.ConsentChanged }));
        // Leaving ended the grant (announced then); the withdrawal is recorded and announced from there.
        Assert.That(Items(PayloadOf(events[0])["data"]!.AsObject()), Is.EqualTo("photo social-media expired->refused"));
    }

    /// <summary>
    /// Fails the command at its commit while armed: after everything it wrote (the decisions, events and audit event go
    /// as statements rather than tracked entities, so the failure comes where every command ends).
    /// </summary>
    private sealed class FailingCommit : DbTransactionInterceptor
    {
        public volatile bool Armed;

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default) =>
            Armed ? throw new InvalidOperationException("Simulated failure at commit.") : ValueTask.FromResult(result);
    }

    [Test]
    public async Task When_the_command_fails_after_its_changes_the_change_and_its_events_roll_back_together()
    {
        var f = await FamilyAsync("Noor Terugrol", "Olga Terugrol");
        var failing = new FailingCommit();
        await using var app = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IInterceptor>(failing)));
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", f.Tenant.FullKey);
        await DecideAsync(client, f.Pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]);
        await RegisterAsync(client, f.Tenant.SchoolId, "social-media", "photo", [f.Pupil]);
        var before = await CountAsync(f.Tenant.OrganisationId);
        var decisions = await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == f.Pupil));
        failing.Armed = true;

        var response = await SendDecisionsAsync(client, f.Pupil, f.VersionId, f.Guardian, ["photo:social-media=refused"]);

        failing.Armed = false;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), await response.Content.ReadAsStringAsync());
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == f.Pupil)), Is.EqualTo(decisions),
                "the decision saved mid-command rolled back");
            Assert.That(await NewEventsAsync(f.Tenant.OrganisationId, before), Is.Empty, "so did its events");
            Assert.That(await Factory.QueryAsync(db => db.Takedowns.CountAsync(t => t.OrganisationId == f.Tenant.OrganisationId)), Is.Zero);
        });

        await DecideAsync(client, f.Pupil, f.VersionId, f.Guardian, "refused", ["photo:social-media"]);
        Assert.That((await NewEventsAsync(f.Tenant.OrganisationId, before)).Select(e => e.Type),
            Is.EquivalentTo(new[] { EventTypes.ConsentChanged, EventTypes.TakedownOpened }), "the same request, not failing, writes both");
    }

    [Test]
    public async Task No_event_names_a_pupil_or_guardian_and_every_event_has_its_own_id_and_sequence()
    {
        // Every kind of event, each about people with names, on top of whatever the other tests of this fixture wrote.
        var f = await FamilyAsync("Pieter Naamloos", "Quirine Naamloos");
        var full = f.Full();
        var sibling = await CreatePupilAsync(full, f.Tenant.SchoolId, Name("Rutger Naamloos"), externalId: "NL-2");
        await LinkAsync(full, sibling, f.Guardian);
        var guardianExternalId = (string?)(await GetAsync(full, $"/v1/guardians/{f.Guardian}"))["externalId"];
        var seen = (await EventsAsync(Factory, f.Tenant.OrganisationId)).Select(e => e.Id).ToHashSet();
        var steps = new List<(string Step, long[] Sequences)>();
        async Task StepAsync(string step, Func<Task> action)
        {
            await action();
            steps.Add((step, [.. (await EventsAsync(Factory, f.Tenant.OrganisationId)).Where(e => seen.Add(e.Id)).Select(e => e.Sequence)]));
        }

        foreach (var pupil in new[] { f.Pupil, sibling })
        {
            await StepAsync("grant", () => DecideAsync(full, pupil, f.VersionId, f.Guardian, "granted", ["photo:social-media"]));
        }
        await StepAsync("register", () => RegisterAsync(full, f.Tenant.SchoolId, "social-media", "photo", [f.Pupil, sibling]));
        await StepAsync("withdraw", () => DecideAsync(full, f.Pupil, f.VersionId, f.Guardian, "refused", ["photo:social-media"]));
        await StepAsync("withdraw", () => DecideAsync(full, sibling, f.VersionId, f.Guardian, "refused", ["photo:social-media"]));
        var takedown = (await OpenTakedownsAsync(full)).Single()!;
        await StepAsync("complete", async () =>
            (await full.PostAsJsonAsync($"/v1/takedowns/{takedown["id"]}/complete", new { completedBy = "Webbeheer" })).EnsureSuccessStatusCode());
        await StepAsync("roster", async () => (await full.PutAsJsonAsync($"/v1/schools/{f.Tenant.SchoolIds[1]}/roster", new
        {
            groups = Array.Empty<object>(),
            pupils = new[]
            {
                new { externalId = "NL-3", displayName = Name("Sofie Naamloos"), dateOfBirth = new DateOnly(2017, 1, 5),
                    guardians = new[] { new { externalId = guardianExternalId, hasParentalAuthority = true } } },
            },
            guardians = new[] { new { externalId = guardianExternalId, displayName = "Quirine Naamloos" } },
        })).EnsureSuccessStatusCode());

        await CreatePupilAsync(full, f.Tenant.SchoolId, Name("Lieke Zestien"), LocalDay.Today.AddYears(-16).AddDays(10));
        await StepAsync("turning 16", () =>
            Factory.Services.GetRequiredService<ConsentApi.Features.Pupils.Turning16Announcer>().AnnounceOnceAsync(CancellationToken.None));

        var leaver = await CreatePupilAsync(full, f.Tenant.SchoolId, Name("Wouter Vertrokken"), externalId: "NL-4");
        (await full.PutAsJsonAsync($"/v1/pupils/{leaver}", new { externalId = "NL-4", displayName = Name("Wouter Vertrokken"), dateOfBirth = "2016-03-01", status = "left" }))
            .EnsureSuccessStatusCode();
        await StepAsync("erase", async () => (await full.PostAsync($"/v1/pupils/{leaver}/erasure", null)).EnsureSuccessStatusCode());
        await StepAsync("import checked", async () => Assert.That((await ImportSteps.ImportAsync(full, f.Tenant.SchoolId, "edexml",
            new EdexmlBuilder("10AB").WithGroup("G1", "Groep 1").WithPupil("NL-5", "Kim", "Visser", "2017-02-02", "G1").ToBytes(), dryRun: true)).Status,
            Is.EqualTo(ImportStatus.Succeeded)));
        await StepAsync("import refused", async () => Assert.That((await ImportSteps.ImportAsync(full, f.Tenant.SchoolId, "edexml",
            new EdexmlBuilder("99ZZ").ToBytes())).Status, Is.EqualTo(ImportStatus.Failed)));

        Assert.That(steps.Select(s => s.Sequences.Length), Is.EqualTo(new[] { 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1 }), "events per step");
        for (var i = 1; i < steps.Count; i++)
        {
            Assert.That(steps[i].Sequences.Min(), Is.GreaterThan(steps[i - 1].Sequences.Max()),
                $"the events of step {i} ({steps[i].Step}) come after those of step {i - 1} ({steps[i - 1].Step})");
        }

        var events = await Factory.QueryAsync(db => db.OutboxEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());

        Assert.That(events.Where(e => e.OrganisationId == f.Tenant.OrganisationId).Select(e => e.Type).Distinct(), Is.EquivalentTo(EventTypes.All));
        Assert.That(events.Any(e => e.Payload.Contains(f.Pupil.ToString(), StringComparison.Ordinal)), Is.True, "events do name pupils by id");
        string[] names;
        lock (DisplayNames)
        {
            names = [.. DisplayNames];
        }
        Assert.That(names, Has.Length.GreaterThanOrEqualTo(2));
        foreach (var name in names)
        {
            foreach (var part in name.Split(' '))
            {
                Assert.That(events.Where(e => e.Payload.Contains(part, StringComparison.OrdinalIgnoreCase)).Select(e => e.Payload), Is.Empty,
                    $"'{part}' of '{name}'");
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Id), Is.Unique);
            Assert.That(events.Select(e => (Guid)PayloadOf(e)["id"]!), Is.EqualTo(events.Select(e => e.Id)));
            Assert.That(events.Select(e => e.Sequence), Is.Unique);
            Assert.That(events.Select(e => e.Sequence), Has.All.GreaterThan(0L));
        });
    }
}
