using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.SafeRetries;

/// <summary>
/// <c>Idempotency-Key</c> on creating POSTs: a retry gets the first answer and writes nothing; the key with another
/// request is a 422; the key while its first request runs is a 409; keys are per client and kept 24 hours.
/// </summary>
public sealed class IdempotencyKeyTests : ApiTest
{
    // A webhook subscription to a loopback address, never called: the dispatcher does not run in tests.
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    private static readonly string[] Items = ["photo:website", "film:website"];

    /// <summary>A pupil with a guardian who has parental authority, and a published form asking <see cref="Items"/>.</summary>
    private sealed record Family(Tenant Tenant, Guid VersionId, Guid PupilId, Guid GuardianId)
    {
        public string DecisionsPath => $"/v1/pupils/{PupilId}/decisions";

        public object Grant => new
        {
            formVersionId = VersionId,
            decidedBy = "guardian",
            guardianId = GuardianId,
            method = "parent-app",
            items = Items.Select(i => i.Split(':')).Select(i => new { mediaType = i[0], channel = i[1], outcome = "granted" }).ToArray(),
        };
    }

    /// <summary>What a replay must not add to: decisions, receipts (one per batch), outbox events, audit events, stored keys.</summary>
    private sealed record Written(int Decisions, int Receipts, int Events, int AuditEvents, int StoredKeys);

    private async Task<Family> FamilyAsync(bool link = true)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var admin = tenant.Full();
        var version = await PublishFormAsync(admin, Items);
        var pupilId = await CreatePupilAsync(admin, tenant.SchoolId, "Sem de Vries");
        var guardianId = await CreateGuardianAsync(admin, "Anna de Vries");
        if (link)
        {
            await LinkAsync(admin, pupilId, guardianId);
        }
        return new Family(tenant, (Guid)version["id"]!, pupilId, guardianId);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object body, params string?[] keys)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        foreach (var key in keys)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }
        return client.SendAsync(request);
    }

    private Task<Written> WrittenAsync(Guid organisationId) => Factory.QueryAsync(async db => new Written(
        await db.Decisions.CountAsync(d => d.OrganisationId == organisationId),
        await db.Decisions.Where(d => d.OrganisationId == organisationId).Select(d => d.BatchId).Distinct().CountAsync(),
        await db.OutboxEvents.CountAsync(e => e.OrganisationId == organisationId),
        await db.AuditEvents.CountAsync(a => a.OrganisationId == organisationId),
        await db.StoredResponses.CountAsync()));

    private static bool IsReplay(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.SequenceEqual(["true"]);

    private static async Task AssertSameAnswerAsync(HttpResponseMessage first, HttpResponseMessage replay)
    {
        var firstBody = await first.Content.ReadAsStringAsync();
        var replayBody = await replay.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(replay.StatusCode, Is.EqualTo(first.StatusCode), replayBody);
            Assert.That(replayBody, Is.EqualTo(firstBody));
            Assert.That(replay.Headers.Location, Is.EqualTo(first.Headers.Location));
            Assert.That(replay.Content.Headers.ContentType?.ToString(), Is.EqualTo(first.Content.Headers.ContentType?.ToString()));
            Assert.That(IsReplay(first), Is.False, "the first answer is not a replay");
            Assert.That(IsReplay(replay), Is.True, "the retry says it is a replay");
        });
    }

    [Test]
    public async Task A_retried_decision_with_the_same_key_gets_the_first_answer_and_records_nothing_twice()
    {
        var family = await FamilyAsync();
        var client = family.Tenant.Full();
        var key = Guid.NewGuid().ToString();

        var first = await PostAsync(client, family.DecisionsPath, family.Grant, key);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());
        var afterFirst = await WrittenAsync(family.Tenant.OrganisationId);
        Assert.That(afterFirst.Decisions, Is.EqualTo(Items.Length));

        var retry = await PostAsync(client, family.DecisionsPath, family.Grant, key);
        await AssertSameAnswerAsync(first, retry);
        Assert.That(await WrittenAsync(family.Tenant.OrganisationId), Is.EqualTo(afterFirst));

        // The key in the draft's structured-field form ("…") is the same key.
        var quoted = await PostAsync(client, family.DecisionsPath, family.Grant, $"\"{key}\"");
        await AssertSameAnswerAsync(first, quoted);
        Assert.That(await WrittenAsync(family.Tenant.OrganisationId), Is.EqualTo(afterFirst));
    }

    [Test]
    public async Task The_same_decision_without_a_key_is_recorded_again()
    {
        var family = await FamilyAsync();
        var client = family.Tenant.Full();
        Assert.That((await PostAsync(client, family.DecisionsPath, family.Grant)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var second = await PostAsync(client, family.DecisionsPath, family.Grant);

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(IsReplay(second), Is.False);
        Assert.That((await WrittenAsync(family.Tenant.OrganisationId)).Receipts, Is.EqualTo(2), "without a key a retry is a new request");
    }

    [Test]
    public async Task The_same_key_with_another_body_is_refused_with_422_and_records_nothing()
    {
        var family = await FamilyAsync();
        var client = family.Tenant.Full();
        var key = Guid.NewGuid().ToString();
        var first = await PostAsync(client, family.DecisionsPath, family.Grant, key);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());
        var before = await WrittenAsync(family.Tenant.OrganisationId);

        var refusal = new
        {
            formVersionId = family.VersionId, decidedBy = "guardian", guardianId = family.GuardianId, method = "parent-app",
            items = new[] { new { mediaType = "photo", channel = "website", outcome = "refused" } },
        };
        await AssertProblemAsync(await PostAsync(client, family.DecisionsPath, refusal, key),
            HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        // The same body on another operation is another request too.
        await AssertProblemAsync(await PostAsync(client, "/v1/guardians", new { externalId = "O-other", displayName = "Other" }, key),
            HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");

        Assert.That(await WrittenAsync(family.Tenant.OrganisationId), Is.EqualTo(before));
        Assert.That(await Factory.QueryAsync(db => db.Guardians.CountAsync(g => g.ExternalId == "O-other")), Is.Zero);
    }

    [Test]
    public async Task Twenty_concurrent_requests_with_one_key_have_exactly_one_effect()
    {
        var family = await FamilyAsync();
        var client = family.Tenant.Full();
        var key = Guid.NewGuid().ToString();
        var before = await WrittenAsync(family.Tenant.OrganisationId);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PostAsync(client, family.DecisionsPath, family.Grant, key)));

        await AssertOneEffectAsync(family, before, responses);
    }

    [Test]
    public async Task Two_instances_on_one_database_share_the_keys()
    {
        var family = await FamilyAsync();
        await using var other = new ConsentApiFactory(Factory.ConnectionString);
        var here = family.Tenant.Full();
        var there = other.CreateClient();
        there.DefaultRequestHeaders.Add("X-Api-Key", family.Tenant.FullKey);
        var key = Guid.NewGuid().ToString();
        var before = await WrittenAsync(family.Tenant.OrganisationId);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => PostAsync(i % 2 == 0 ? here : there, family.DecisionsPath, family.Grant, key)));

        await AssertOneEffectAsync(family, before, responses);
        var later = await PostAsync(there, family.DecisionsPath, family.Grant, key);
        Assert.That(IsReplay(later), Is.True);
    }

    /// <summary>One 201 did the work; every other answer is its replay or a 409 for a key in flight.</summary>
    private async Task AssertOneEffectAsync(Family family, Written before, HttpResponseMessage[] responses)
    {
        var originals = responses.Where(r => r.StatusCode == HttpStatusCode.Created && !IsReplay(r)).ToList();
        Assert.That(originals, Has.Count.EqualTo(1), string.Join(", ", responses.Select(r => (int)r.StatusCode)));
        var body = await originals[0].Content.ReadAsStringAsync();
        foreach (var response in responses.Except(originals))
        {
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                await AssertProblemAsync(response, HttpStatusCode.Conflict, "idempotency-key-in-flight");
                Assert.That(response.Headers.RetryAfter, Is.Not.Null);
            }
            else
            {
                await AssertSameAnswerAsync(originals[0], response);
            }
        }
        var after = await WrittenAsync(family.Tenant.OrganisationId);
        Assert.Multiple(() =>
        {
            Assert.That(after.Decisions - before.Decisions, Is.EqualTo(Items.Length), body);
            Assert.That(after.Receipts - before.Receipts, Is.EqualTo(1));
            Assert.That(after.AuditEvents - before.AuditEvents, Is.EqualTo(1));
            Assert.That(after.StoredKeys - before.StoredKeys, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Another_clients_same_key_is_a_key_of_its_own()
    {
        var family = await FamilyAsync();
        var other = await family.Tenant.ClientWithAsync(["consent:write"]);
        var key = Guid.NewGuid().ToString();

        var first = await PostAsync(family.Tenant.Full(), family.DecisionsPath, family.Grant, key);
        var second = await PostAsync(other, family.DecisionsPath, family.Grant, key);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created), await second.Content.ReadAsStringAsync());
        Assert.That(IsReplay(second), Is.False);
        Assert.That((string?)(await second.ReadObjectAsync())["batchId"], Is.Not.EqualTo((string?)(await first.ReadObjectAsync())["batchId"]));
        Assert.That((await WrittenAsync(family.Tenant.OrganisationId)).Receipts, Is.EqualTo(2));
    }

    [Test]
    public async Task A_key_whose_request_was_refused_stays_free_for_the_same_request()
    {
        var family = await FamilyAsync(link: false);
        var client = family.Tenant.Full();
        var key = Guid.NewGuid().ToString();

        await AssertProblemAsync(await PostAsync(client, family.DecisionsPath, family.Grant, key), HttpStatusCode.Forbidden, "forbidden");
        Assert.That(await Factory.QueryAsync(db => db.StoredResponses.CountAsync(s => s.Key == key)), Is.Zero);
        await LinkAsync(client, family.PupilId, family.GuardianId);
        var retry = await PostAsync(client, family.DecisionsPath, family.Grant, key);

        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created), await retry.Content.ReadAsStringAsync());
        Assert.That(IsReplay(retry), Is.False);
        Assert.That((await WrittenAsync(family.Tenant.OrganisationId)).Decisions, Is.EqualTo(Items.Length));
    }

    private static readonly object[] InvalidKeys =
    [
        new object[] { new[] { new string('k', 256) } },
        new object[] { new[] { "\"\"" } },
        new object[] { new[] { "with\"quote" } },
        new object[] { new[] { "back\\slash" } },
        new object[] { new[] { "sleutel-é" } },
        new object[] { new[] { "tab\there" } },
        new object[] { new[] { "one", "two" } },
    ];

    [TestCaseSource(nameof(InvalidKeys))]
    public async Task A_malformed_key_is_refused_with_400_and_records_nothing(string[] keys)
    {
        var family = await FamilyAsync();

        var problem = await AssertProblemAsync(await PostAsync(family.Tenant.Full(), family.DecisionsPath, family.Grant, keys),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EquivalentTo(new[] { "idempotency-key" }));
        Assert.That((await WrittenAsync(family.Tenant.OrganisationId)).Decisions, Is.Zero);
    }

    [Test]
    public async Task A_key_of_255_printable_characters_is_accepted()
    {
        var family = await FamilyAsync();
        var key = string.Concat(Enumerable.Range(0, 255).Select(i => (char)(' ' + 1 + i % 94))).Replace('"', 'x').Replace('\\', 'y');

        var first = await PostAsync(family.Tenant.Full(), family.DecisionsPath, family.Grant, key);
        var retry = await PostAsync(family.Tenant.Full(), family.DecisionsPath, family.Grant, key);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());
        await AssertSameAnswerAsync(first, retry);
    }

    [Test]
    public async Task A_key_is_forgotten_after_24_hours_and_expired_keys_are_purged()
    {
        var clock = new TravellingClock();
        await using var later = Factory.WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var tenant = await CreateTenantAsync(schools: 1);
        HttpClient Later()
        {
            var client = later.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", tenant.FullKey);
            return client;
        }
        var key = Guid.NewGuid().ToString();
        var abandoned = Guid.NewGuid().ToString();
        var form = new { name = "Toestemming beeldmateriaal" };
        var first = await PostAsync(tenant.Full(), "/v1/consent-forms", form, key);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await PostAsync(tenant.Full(), "/v1/consent-forms", form, abandoned)).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        clock.Offset = TimeSpan.FromHours(23.9);
        Assert.That(IsReplay(await PostAsync(Later(), "/v1/consent-forms", form, key)), Is.True, "still remembered within 24 hours");

        clock.Offset = TimeSpan.FromHours(24.1);
        var again = await PostAsync(Later(), "/v1/consent-forms", form, key);

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(IsReplay(again), Is.False);
        Assert.That((string?)(await again.ReadObjectAsync())["id"], Is.Not.EqualTo((string?)(await first.ReadObjectAsync())["id"]));
        Assert.That(await Factory.QueryAsync(db => db.StoredResponses.CountAsync(s => s.Key == abandoned)), Is.Zero,
            "an expired key is deleted by a later request");
        Assert.That(await Factory.QueryAsync(db => db.StoredResponses.CountAsync(s => s.Key == key)), Is.EqualTo(1));
    }

    [Test]
    public async Task The_periodic_purge_deletes_expired_keys_and_keeps_the_others()
    {
        var clock = new TravellingClock();
        await using var later = Factory.WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var tenant = await CreateTenantAsync(schools: 1);
        var old = Guid.NewGuid().ToString();
        var recent = Guid.NewGuid().ToString();
        Assert.That((await PostAsync(tenant.Full(), "/v1/consent-forms", new { name = "Oud" }, old)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        clock.Offset = TimeSpan.FromHours(12);
        var client = later.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", tenant.FullKey);
        Assert.That((await PostAsync(client, "/v1/consent-forms", new { name = "Recent" }, recent)).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        clock.Offset = TimeSpan.FromHours(24.1);
        var purged = await later.Services.GetRequiredService<ConsentApi.Infrastructure.Idempotency.IdempotencyKeyPurge>()
            .PurgeOnceAsync(CancellationToken.None);

        Assert.That(purged, Is.GreaterThanOrEqualTo(1));
        Assert.That(await Factory.QueryAsync(db => db.StoredResponses.Where(s => s.Key == old || s.Key == recent).Select(s => s.Key).ToListAsync()),
            Is.EqualTo(new[] { recent }));
    }

    [Test]
    public async Task Every_creating_post_replays_its_first_answer()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var client = tenant.Full();
        var formId = (string?)(await (await client.PostAsJsonAsync("/v1/consent-forms", new { name = "Formulier" })).ReadObjectAsync())["id"];
        var creations = new (string Path, object Body)[]
        {
            ("/v1/schools", new { name = "De Regenboog", brinCode = "99ZZ" }),
            ($"/v1/schools/{tenant.SchoolId}/groups", new { externalId = "G-5b", name = "Groep 5b", schoolYear = "2026-2027" }),
            ($"/v1/schools/{tenant.SchoolId}/pupils", new { externalId = "P-1", displayName = "Sem", dateOfBirth = new DateOnly(2016, 3, 1) }),
            ("/v1/guardians", new { externalId = "O-1", displayName = "Anna" }),
            ("/v1/channels", new { key = "regional-press", nameNl = "Regionale pers", audience = "public" }),
            ("/v1/consent-forms", new { name = "Toestemming" }),
            ($"/v1/consent-forms/{formId}/versions", new
            {
                textNl = FormText, validity = "until-withdrawn", items = new[] { new { mediaType = "photo", channel = "website" } },
            }),
        };

        foreach (var (path, body) in creations)
        {
            await AssertReplayedAsync(client, path, body, HttpStatusCode.Created);
        }
    }

    [Test]
    public async Task Every_post_that_records_consent_or_publications_replays_its_first_answer()
    {
        var family = await FamilyAsync();
        var tenant = family.Tenant;
        var client = tenant.Full();
        var guardianExternalId = (string?)(await GetAsync(client, $"/v1/guardians/{family.GuardianId}"))["externalId"];
        var app = await tenant.ClientWithAsync(["guardian:act"]);
        var grant = new
        {
            children = new[]
            {
                new
                {
                    pupilId = family.PupilId, formVersionId = family.VersionId,
                    items = Items.Select(i => i.Split(':')).Select(i => new { mediaType = i[0], channel = i[1], outcome = "granted" }).ToArray(),
                },
            },
        };

        await AssertReplayedAsync(app, $"/v1/parent-app/guardians/{guardianExternalId}/decisions", grant, HttpStatusCode.OK);
        await AssertReplayedAsync(client, "/v1/publications", new
        {
            schoolId = tenant.SchoolId, channel = "website", mediaType = "photo", title = "Foto's projectweek",
            url = "https://www.obsderegenboog.nl/nieuws/projectweek", pupilIds = new[] { family.PupilId },
        }, HttpStatusCode.Created);
        await AssertReplayedAsync(app, $"/v1/parent-app/guardians/{guardianExternalId}/withdrawals",
            new { pupilId = family.PupilId, mediaType = "photo", channel = "website" }, HttpStatusCode.OK);
        await AssertReplayedAsync(tenant.Admin(), $"/v1/schools/{tenant.SchoolId}/campaigns", new
        {
            schoolYear = "2026-2027", formVersionId = family.VersionId, opensOn = Today, closesOn = Today.AddDays(30),
        }, HttpStatusCode.Created);
        await AssertReplayedAsync(tenant.Admin(), "/v1/webhooks",
            new { url = "http://127.0.0.1:9/consent", eventTypes = new[] { "consent.changed" } }, HttpStatusCode.Created);
        Assert.That((await WrittenAsync(tenant.OrganisationId)).Receipts, Is.EqualTo(2), "one grant and one withdrawal");
    }

    private static async Task AssertReplayedAsync(HttpClient client, string path, object body, HttpStatusCode status)
    {
        var key = Guid.NewGuid().ToString();
        var first = await PostAsync(client, path, body, key);
        Assert.That(first.StatusCode, Is.EqualTo(status), $"{path}: {await first.Content.ReadAsStringAsync()}");
        var retry = await PostAsync(client, path, body, key);
        await AssertSameAnswerAsync(first, retry);
    }
}
