using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// POST /v1/pupils/{id}/decisions: who may decide, against which form version, at which moment; what a recorded
/// decision proves; that the database keeps decisions append-only; and the history that lists them.
/// </summary>
public sealed class DecisionTests : ApiTest
{
    private const string FormText = "Wij vragen uw toestemming voor het publiceren van foto's en film van uw kind.";

    private static readonly (string MediaType, string Channel)[] AskedItems =
        [("photo", "social-media"), ("photo", "website"), ("film", "website")];

    /// <summary>A pupil under 16 with two guardians: one with parental authority, one without.</summary>
    private sealed record Family(Tenant Tenant, Guid VersionId, string ContentHash, Guid PupilId, Guid Parent, Guid StepParent);

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private static DateOnly Today => LocalDay.Today;

    private static IEnumerable<string> ErrorKeys(JsonObject problem) =>
        problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    private static DateTimeOffset Moment(JsonNode? node) => DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture);

    private static object[] Items(string outcome, params (string MediaType, string Channel)[] items) =>
        [.. items.Select(i => new { mediaType = i.MediaType, channel = i.Channel, outcome })];

    private static object Decision(Guid versionId, Guid? guardianId, object[] items, DateTimeOffset? givenAt = null,
        string decidedBy = "guardian", string method = "parent-app", string? proofReference = null, string? note = null) =>
        new { formVersionId = versionId, decidedBy, guardianId, method, givenAt, proofReference, note, items };

    private static string DecisionsOf(Guid pupilId) => $"/v1/pupils/{pupilId}/decisions";

    /// <summary>Creates a form (of the organisation, or of <paramref name="schoolId"/>) and a version; publishes it unless asked not to.</summary>
    private static async Task<JsonObject> FormVersionAsync(HttpClient admin, bool publish = true, Guid? schoolId = null)
    {
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal", schoolId })).ReadObjectAsync();
        var version = await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = FormText,
            validity = "until-withdrawn",
            items = AskedItems.Select(i => new { mediaType = i.MediaType, channel = i.Channel }).ToArray(),
        });
        Assert.That(version.StatusCode, Is.EqualTo(HttpStatusCode.Created), await version.Content.ReadAsStringAsync());
        if (!publish)
        {
            return await version.ReadObjectAsync();
        }
        var published = await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/1/publish", null);
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), await published.Content.ReadAsStringAsync());
        return await published.ReadObjectAsync();
    }

    private static async Task<Guid> CreatePupilAsync(HttpClient client, Guid schoolId, string name, DateOnly dateOfBirth)
    {
        var response = await client.PostAsJsonAsync($"/v1/schools/{schoolId}/pupils",
            new { externalId = $"P-{Guid.NewGuid():N}"[..20], displayName = name, dateOfBirth });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }

    private static async Task<Guid> CreateGuardianAsync(HttpClient client, string name)
    {
        var response = await client.PostAsJsonAsync("/v1/guardians", new { externalId = $"O-{Guid.NewGuid():N}"[..20], displayName = name });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }

    private static async Task LinkAsync(HttpClient client, Guid pupilId, Guid guardianId, bool hasParentalAuthority)
    {
        var response = await client.PutAsJsonAsync($"/v1/pupils/{pupilId}/guardians/{guardianId}", new { hasParentalAuthority });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private async Task<Family> FamilyAsync(DateOnly? dateOfBirth = null)
    {
        var tenant = await CreateTenantAsync();
        var version = await FormVersionAsync(tenant.Admin());
        var full = tenant.Full();
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries", dateOfBirth ?? new DateOnly(2016, 3, 1));
        var parent = await CreateGuardianAsync(full, "Marieke de Vries");
        var stepParent = await CreateGuardianAsync(full, "Kees Bos");
        await LinkAsync(full, pupil, parent, hasParentalAuthority: true);
        await LinkAsync(full, pupil, stepParent, hasParentalAuthority: false);
        return new Family(tenant, (Guid)version["id"]!, (string)version["contentHash"]!, pupil, parent, stepParent);
    }

    /// <summary>Moves the version's publication back in time, so that decisions given in the past (paper forms) can answer it.</summary>
    private Task BackdatePublicationAsync(Guid versionId, DateTimeOffset publishedAt) =>
        Factory.QueryAsync(db => db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE consent_form_versions SET published_at = {publishedAt.ToUniversalTime()} WHERE id = {versionId}"));

    private Task<Guid> ClientIdAsync(string apiKey) =>
        Factory.QueryAsync(db => db.ApiClients.Where(c => c.KeyPrefix == apiKey.Substring(0, 16)).Select(c => c.Id).SingleAsync());

    /// <summary>What refusals must leave untouched: the organisation's decisions and audit events.</summary>
    private Task<(int Decisions, int AuditEvents)> WrittenAsync(Guid organisationId) => Factory.QueryAsync(async db => (
        await db.Decisions.CountAsync(d => d.OrganisationId == organisationId),
        await db.AuditEvents.CountAsync(e => e.OrganisationId == organisationId)));

    private async Task<JsonObject> AssertRefusedAsync(Family family, object body, HttpStatusCode status, string type, Guid? pupilId = null)
    {
        var before = await WrittenAsync(family.Tenant.OrganisationId);
        var problem = await AssertProblemAsync(await family.Tenant.Full().PostAsJsonAsync(DecisionsOf(pupilId ?? family.PupilId), body), status, type);
        Assert.That(await WrittenAsync(family.Tenant.OrganisationId), Is.EqualTo(before), "a refused call wrote something");
        return problem;
    }

    private static async Task<JsonObject> RecordAsync(HttpClient client, Guid pupilId, object body)
    {
        var response = await client.PostAsJsonAsync(DecisionsOf(pupilId), body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    [Test]
    public async Task Recording_returns_201_with_a_batch_of_decisions_that_prove_what_was_agreed()
    {
        var family = await FamilyAsync();
        var clientId = await ClientIdAsync(family.Tenant.FullKey);
        var before = Now;

        var response = await family.Tenant.Full().PostAsJsonAsync(DecisionsOf(family.PupilId), Decision(family.VersionId, family.Parent,
            [.. Items("granted", ("photo", "social-media"), ("film", "website")), .. Items("refused", ("photo", "website"))],
            method: "parent-app", proofReference: "app-12345", note: "Via de ouderapp"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/v1/pupils/{family.PupilId}/consents/history"));
        var body = await response.ReadObjectAsync();
        var batchId = (Guid)body["batchId"]!;
        var decisions = body["decisions"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)body["pupilId"], Is.EqualTo(family.PupilId));
            Assert.That(decisions.Select(d => $"{d!["mediaType"]}:{d["channel"]} {d["outcome"]}"),
                Is.EqualTo(new[] { "photo:social-media granted", "film:website granted", "photo:website refused" }));
            Assert.That(decisions.Select(d => (Guid)d!["id"]!), Is.Unique);
            foreach (var d in decisions)
            {
                Assert.That((Guid?)d!["batchId"], Is.EqualTo(batchId));
                Assert.That((string?)d["decidedBy"], Is.EqualTo("guardian"));
                Assert.That((Guid?)d["guardianId"], Is.EqualTo(family.Parent));
                Assert.That((string?)d["method"], Is.EqualTo("parent-app"));
                Assert.That((Guid?)d["recordedByClientId"], Is.EqualTo(clientId));
                Assert.That((Guid?)d["formVersionId"], Is.EqualTo(family.VersionId));
                Assert.That((string?)d["formContentHash"], Is.EqualTo(family.ContentHash).And.Match("^sha256:[0-9a-f]{64}$"));
                Assert.That((string?)d["proofReference"], Is.EqualTo("app-12345"));
                Assert.That((string?)d["note"], Is.EqualTo("Via de ouderapp"));
                Assert.That(Moment(d["givenAt"]), Is.InRange(before.AddSeconds(-5), Now.AddSeconds(5)), "givenAt defaults to now");
                Assert.That(Moment(d["recordedAt"]), Is.EqualTo(Moment(d["givenAt"])));
            }
        });

        // One batch holds one decision per item, so their recording order among themselves carries no meaning.
        var stored = await Factory.QueryAsync(db => db.Decisions.AsNoTracking().Where(d => d.BatchId == batchId).ToListAsync());
        Assert.That(stored.Select(d => $"{d.MediaType}:{d.ChannelKey} {d.Outcome} {d.GuardianId == family.Parent} {d.RecordedByClientId == clientId} {d.PupilId == family.PupilId}"),
            Is.EquivalentTo(new[]
            {
                "Photo:social-media Granted True True True", "Film:website Granted True True True", "Photo:website Refused True True True",
            }));
    }

    [Test]
    public async Task A_decision_given_in_the_past_on_paper_keeps_the_moment_it_was_given()
    {
        var family = await FamilyAsync();
        await BackdatePublicationAsync(family.VersionId, Now.AddDays(-30));
        var givenAt = new DateTimeOffset(Today.AddDays(-10).ToDateTime(new TimeOnly(8, 30, 15)), TimeSpan.Zero).AddTicks(1_234_560);

        var recorded = await RecordAsync(family.Tenant.Full(), family.PupilId, Decision(family.VersionId, family.Parent,
            Items("granted", ("photo", "website")), givenAt: givenAt.ToOffset(TimeSpan.FromHours(1)), method: "paper", proofReference: "scan-2026-0042"));

        var decision = recorded["decisions"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(Moment(decision["givenAt"]), Is.EqualTo(givenAt));
            Assert.That(Moment(decision["givenAt"]).Offset, Is.EqualTo(TimeSpan.Zero), "moments are returned in UTC");
            Assert.That(Moment(decision["recordedAt"]), Is.GreaterThan(Now.AddMinutes(-1)));
            Assert.That((string?)decision["method"], Is.EqualTo("paper"));
            Assert.That((string?)decision["proofReference"], Is.EqualTo("scan-2026-0042"));
        });
        var stored = await Factory.QueryAsync(db => db.Decisions.AsNoTracking().SingleAsync(d => d.PupilId == family.PupilId));
        Assert.That(stored.GivenAt, Is.EqualTo(givenAt));
    }

    [Test]
    public async Task A_decision_given_in_the_future_is_refused_on_givenAt_and_nothing_is_written()
    {
        var family = await FamilyAsync();

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "website")),
            givenAt: Now.AddHours(1)), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "givenAt" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_decision_given_before_the_version_was_published_is_refused_on_givenAt()
    {
        var family = await FamilyAsync();

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "website")),
            givenAt: Now.AddHours(-1)), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "givenAt" }), problem.ToJsonString());
    }

    [Test]
    public async Task An_item_the_version_did_not_ask_is_refused_on_its_position()
    {
        var family = await FamilyAsync();

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent,
            [.. Items("granted", ("audio", "website")), .. Items("granted", ("photo", "website"))]), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "items[0]" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_duplicate_item_is_refused_on_its_second_position()
    {
        var family = await FamilyAsync();

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent,
            [.. Items("granted", ("photo", "website")), .. Items("refused", ("photo", "website"))]), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "items[1]" }), problem.ToJsonString());
    }

    [Test]
    public async Task No_items_is_refused()
    {
        var family = await FamilyAsync();

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent, []), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "items" }), problem.ToJsonString());
    }

    [Test]
    public async Task An_unknown_outcome_or_method_is_refused_naming_the_field()
    {
        var family = await FamilyAsync();

        var outcome = await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent,
            [new { mediaType = "photo", channel = "website", outcome = "maybe" }]), HttpStatusCode.BadRequest, "validation");
        var method = await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent,
            Items("granted", ("photo", "website")), method: "carrier-pigeon"), HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(outcome), Is.EqualTo(new[] { "items[0].outcome" }), outcome.ToJsonString());
        Assert.That(ErrorKeys(method), Is.EqualTo(new[] { "method" }), method.ToJsonString());
    }

    [Test]
    public async Task A_draft_version_is_a_conflict()
    {
        var family = await FamilyAsync();
        var draft = await FormVersionAsync(family.Tenant.Admin(), publish: false);

        await AssertRefusedAsync(family, Decision((Guid)draft["id"]!, family.Parent, Items("granted", ("photo", "website"))),
            HttpStatusCode.Conflict, "conflict");
    }

    [Test]
    public async Task An_unknown_version_is_not_found()
    {
        var family = await FamilyAsync();

        await AssertRefusedAsync(family, Decision(Guid.CreateVersion7(), family.Parent, Items("granted", ("photo", "website"))),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_version_of_another_organisation_is_not_found()
    {
        var family = await FamilyAsync();
        var other = await CreateTenantAsync();
        var foreign = await FormVersionAsync(other.Admin());

        await AssertRefusedAsync(family, Decision((Guid)foreign["id"]!, family.Parent, Items("granted", ("photo", "website"))),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_version_of_another_schools_form_is_not_found()
    {
        var family = await FamilyAsync();
        var otherSchools = await FormVersionAsync(family.Tenant.Admin(), schoolId: family.Tenant.SchoolIds[1]);
        var ownSchools = await FormVersionAsync(family.Tenant.Admin(), schoolId: family.Tenant.SchoolIds[0]);

        await AssertRefusedAsync(family, Decision((Guid)otherSchools["id"]!, family.Parent, Items("granted", ("photo", "website"))),
            HttpStatusCode.NotFound, "not-found");
        await RecordAsync(family.Tenant.Full(), family.PupilId, Decision((Guid)ownSchools["id"]!, family.Parent, Items("granted", ("photo", "website"))));
    }

    [Test]
    public async Task A_grant_for_a_pupil_who_left_is_a_conflict()
    {
        var family = await FamilyAsync();
        var left = await family.Tenant.Full().PutAsJsonAsync($"/v1/pupils/{family.PupilId}",
            new { externalId = "P-LEFT", displayName = "Sanne de Vries", dateOfBirth = "2016-03-01", status = "left" });
        Assert.That(left.StatusCode, Is.EqualTo(HttpStatusCode.OK), await left.Content.ReadAsStringAsync());

        await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "website"))),
            HttpStatusCode.Conflict, "conflict");
    }

    [Test]
    public async Task A_refusal_for_a_pupil_who_left_is_recorded_because_withdrawing_stays_possible()
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        var left = await full.PutAsJsonAsync($"/v1/pupils/{family.PupilId}",
            new { externalId = "P-LEFT", displayName = "Sanne de Vries", dateOfBirth = "2016-03-01", status = "left" });
        Assert.That(left.StatusCode, Is.EqualTo(HttpStatusCode.OK), await left.Content.ReadAsStringAsync());

        var response = await full.PostAsJsonAsync($"/v1/pupils/{family.PupilId}/decisions",
            Decision(family.VersionId, family.Parent, Items("refused", ("photo", "website"))));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var history = (await (await full.GetAsync($"/v1/pupils/{family.PupilId}/consents/history")).ReadObjectAsync())["items"]!.AsArray();
        Assert.That(history.Select(d => (string?)d!["outcome"]), Has.Member("refused"));
    }

    [Test]
    public async Task An_unknown_pupil_is_not_found()
    {
        var family = await FamilyAsync();

        await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "website"))),
            HttpStatusCode.NotFound, "not-found", pupilId: Guid.CreateVersion7());
    }

    [Test]
    public async Task A_guardian_not_linked_to_the_pupil_is_forbidden()
    {
        var family = await FamilyAsync();
        var neighbour = await CreateGuardianAsync(family.Tenant.Full(), "Jan Buur");

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, neighbour, Items("granted", ("photo", "website"))),
            HttpStatusCode.Forbidden, "forbidden");

        Assert.That((string?)problem["detail"], Does.Contain("not linked"));
    }

    [Test]
    public async Task A_guardian_without_parental_authority_is_forbidden()
    {
        var family = await FamilyAsync();

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, family.StepParent, Items("granted", ("photo", "website"))),
            HttpStatusCode.Forbidden, "forbidden");

        Assert.That((string?)problem["detail"], Does.Contain("parental authority"));
    }

    [Test]
    public async Task A_guardian_of_another_organisation_is_not_found()
    {
        var family = await FamilyAsync();
        var other = await CreateTenantAsync();
        var foreignGuardian = await CreateGuardianAsync(other.Full(), "Piet Anders");

        await AssertRefusedAsync(family, Decision(family.VersionId, foreignGuardian, Items("granted", ("photo", "website"))),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_guardian_decision_without_a_guardian_is_refused_on_guardianId()
    {
        var family = await FamilyAsync();

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, null, Items("granted", ("photo", "website"))),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "guardianId" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_pupil_under_16_cannot_decide_for_themself()
    {
        var family = await FamilyAsync(Today.AddYears(-16).AddDays(1));

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, null, Items("granted", ("photo", "website")), decidedBy: "pupil"),
            HttpStatusCode.Forbidden, "forbidden");

        Assert.That((string?)problem["detail"], Does.Contain("under 16"));
    }

    [Test]
    public async Task A_pupil_of_16_or_older_decides_for_themself()
    {
        var family = await FamilyAsync(Today.AddYears(-16));

        var recorded = await RecordAsync(family.Tenant.Full(), family.PupilId,
            Decision(family.VersionId, null, Items("granted", ("photo", "website")), decidedBy: "pupil", method: "in-person"));

        var decision = recorded["decisions"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)decision["decidedBy"], Is.EqualTo("pupil"));
            Assert.That(decision["guardianId"], Is.Null);
            Assert.That((string?)decision["method"], Is.EqualTo("in-person"));
            Assert.That((string?)decision["formContentHash"], Is.EqualTo(family.ContentHash));
        });
        var stored = await Factory.QueryAsync(db => db.Decisions.AsNoTracking().SingleAsync(d => d.PupilId == family.PupilId));
        Assert.That(stored.GuardianId, Is.Null);
    }

    [Test]
    public async Task A_pupils_own_decision_names_no_guardian()
    {
        var family = await FamilyAsync(Today.AddYears(-17));

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "website")), decidedBy: "pupil"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "guardianId" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_guardian_cannot_decide_for_a_pupil_of_16_or_older()
    {
        var family = await FamilyAsync(Today.AddYears(-16));

        var problem = await AssertRefusedAsync(family, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "website"))),
            HttpStatusCode.Forbidden, "forbidden");

        Assert.That((string?)problem["detail"], Does.Contain("16 or older"));
    }

    [Test]
    public async Task A_guardian_may_still_key_in_a_paper_decision_given_before_the_16th_birthday()
    {
        var family = await FamilyAsync(Today.AddYears(-16).AddDays(-3));
        await BackdatePublicationAsync(family.VersionId, Now.AddDays(-30));

        var recorded = await RecordAsync(family.Tenant.Full(), family.PupilId, Decision(family.VersionId, family.Parent,
            Items("granted", ("photo", "website")), givenAt: Now.AddDays(-10), method: "paper"));

        Assert.That((string?)recorded["decisions"]![0]!["decidedBy"], Is.EqualTo("guardian"));
    }

    /// <summary>Runs <paramref name="sql"/> as the database's owner, who holds every privilege: only the triggers stop it.</summary>
    private async Task AsOwnerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionStringOf(Factory.ConnectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task The_api_role_cannot_switch_the_append_only_guard_off()
    {
        foreach (var sql in new[] { "SET session_replication_role = replica", "ALTER TABLE decisions DISABLE TRIGGER ALL" })
        {
            var error = Assert.ThrowsAsync<PostgresException>(() => Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(sql)));
            Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), sql);
        }
    }

    [Test]
    public async Task The_database_refuses_to_update_a_decision()
    {
        var family = await FamilyAsync();
        var recorded = await RecordAsync(family.Tenant.Full(), family.PupilId, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "website"))));
        var id = (Guid)recorded["decisions"]![0]!["id"]!;

        var asApi = Assert.ThrowsAsync<PostgresException>(() => Factory.QueryAsync(db =>
            db.Database.ExecuteSqlRawAsync("UPDATE decisions SET outcome = 'Refused' WHERE id = {0}", id)));
        var error = Assert.ThrowsAsync<PostgresException>(() => AsOwnerAsync($"UPDATE decisions SET outcome = 'Refused' WHERE id = '{id}'"));

        Assert.That(asApi!.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), "the API's role may not update decisions");
        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.RestrictViolation), error.Message);
        Assert.That(error.MessageText, Does.Contain("append-only"));
        var stored = await Factory.QueryAsync(db => db.Decisions.AsNoTracking().SingleAsync(d => d.Id == id));
        Assert.That(stored.Outcome.ToString(), Is.EqualTo("Granted"));
    }

    [Test]
    public async Task The_database_refuses_to_delete_a_decision()
    {
        var family = await FamilyAsync();
        var recorded = await RecordAsync(family.Tenant.Full(), family.PupilId, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "website"))));
        var id = (Guid)recorded["decisions"]![0]!["id"]!;

        var asApi = Assert.ThrowsAsync<PostgresException>(() => Factory.QueryAsync(db =>
            db.Database.ExecuteSqlRawAsync("DELETE FROM decisions WHERE id = {0}", id)));
        var error = Assert.ThrowsAsync<PostgresException>(() => AsOwnerAsync($"DELETE FROM decisions WHERE id = '{id}'"));

        Assert.That(asApi!.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), "the API's role may not delete decisions");
        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.RestrictViolation), error.Message);
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.Id == id)), Is.EqualTo(1));
    }

    [Test]
    public async Task The_database_refuses_to_truncate_the_decisions()
    {
        var family = await FamilyAsync();
        await RecordAsync(family.Tenant.Full(), family.PupilId, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "website"))));

        // In a transaction that is rolled back either way, so the fixture's other decisions survive if TRUNCATE is allowed.
        var truncated = await Factory.QueryAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            try
            {
                await db.Database.ExecuteSqlRawAsync("TRUNCATE decisions");
                return true;
            }
            catch (PostgresException)
            {
                return false;
            }
            finally
            {
                await transaction.RollbackAsync();
            }
        });

        Assert.That(truncated, Is.False, "TRUNCATE decisions succeeded: the append-only trigger covers UPDATE and DELETE only");
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == family.PupilId)), Is.EqualTo(1));
    }

    [Test]
    public async Task The_history_lists_every_decision_oldest_first_with_paging_and_the_form_content_hash()
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        var parent2 = await CreateGuardianAsync(full, "Ahmed El Amrani");
        await LinkAsync(full, family.PupilId, parent2, hasParentalAuthority: true);
        var first = await RecordAsync(full, family.PupilId, Decision(family.VersionId, family.Parent, Items("granted", ("photo", "social-media"), ("photo", "website"))));
        var second = await RecordAsync(full, family.PupilId, Decision(family.VersionId, parent2, Items("granted", ("film", "website"))));
        var third = await RecordAsync(full, family.PupilId, Decision(family.VersionId, family.Parent, Items("refused", ("photo", "social-media")), method: "email"));

        var pages = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var response = await full.GetAsync($"/v1/pupils/{family.PupilId}/consents/history?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            var page = await response.ReadObjectAsync();
            pages.Add(page);
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null && pages.Count < 10);

        Assert.That(pages.Select(p => p["items"]!.AsArray().Count), Is.EqualTo(new[] { 2, 2 }));
        var history = pages.SelectMany(p => p["items"]!.AsArray()).Select(d => d!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(history.Select(d => (Guid)d["batchId"]!), Is.EqualTo(new[]
            {
                (Guid)first["batchId"]!, (Guid)first["batchId"]!, (Guid)second["batchId"]!, (Guid)third["batchId"]!,
            }));
            Assert.That(history.Take(2).Select(d => $"{d["mediaType"]}:{d["channel"]} {d["outcome"]}"),
                Is.EquivalentTo(new[] { "photo:social-media granted", "photo:website granted" }));
            Assert.That(history.Skip(2).Select(d => $"{d["mediaType"]}:{d["channel"]} {d["outcome"]} {d["guardianId"]} {d["method"]}"),
                Is.EqualTo(new[]
                {
                    $"film:website granted {parent2} parent-app",
                    $"photo:social-media refused {family.Parent} email",
                }));
            Assert.That(history.Select(d => (string?)d["formContentHash"]), Is.All.EqualTo(family.ContentHash));
            Assert.That(history.Select(d => Moment(d["recordedAt"])), Is.Ordered);
        });
        var recordedIds = new[] { first, second, third }.SelectMany(b => b["decisions"]!.AsArray()).Select(d => (Guid)d!["id"]!);
        Assert.That(history.Select(d => (Guid)d["id"]!), Is.EquivalentTo(recordedIds));
    }

    [Test]
    public async Task The_history_of_a_pupil_without_decisions_is_an_empty_page()
    {
        var family = await FamilyAsync();

        var response = await family.Tenant.Full().GetAsync($"/v1/pupils/{family.PupilId}/consents/history");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var page = await response.ReadObjectAsync();
        Assert.That(page["items"]!.AsArray(), Is.Empty);
        Assert.That(page["nextCursor"], Is.Null);
    }

    [Test]
    public async Task The_history_of_an_unknown_pupil_is_not_found()
    {
        var tenant = await CreateTenantAsync();

        await AssertProblemAsync(await tenant.Full().GetAsync($"/v1/pupils/{Guid.CreateVersion7()}/consents/history"),
            HttpStatusCode.NotFound, "not-found");
    }
}
