using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// A check reads, per pupil, only the latest counting decision of each guardian holding authority at the moment and of
/// the pupil themself: one index entry each, however many decisions a long history holds behind them. These hold that
/// reading to the rules where it could go wrong: older decisions that count at a past moment or as known then, a
/// guardian whose authority ended, a pupil of 16 deciding themself, and late paper forms.
/// </summary>
public sealed class DeepHistoryCheckTests : ApiTest
{
    private const string Item = "photo:website";
    private const int Depth = 10;
    private static readonly DateTimeOffset LongAgo = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed record Family(Tenant Tenant, Guid Pupil, Guid Mother, Guid Father, Guid Stepfather, Guid Version);

    /// <summary>A pupil with three guardians holding authority (the mother, the father, a stepfather), and a form asking <see cref="Item"/>.</summary>
    private async Task<Family> FamilyAsync(DateOnly? dateOfBirth = null)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), [Item]))["id"]!;
        await BackdateFormAsync(Factory, version, LongAgo);
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Noor Visser", dateOfBirth);
        var mother = await CreateGuardianAsync(full, "Anouk Visser");
        var father = await CreateGuardianAsync(full, "Joris Visser");
        var stepfather = await CreateGuardianAsync(full, "Karim el Amrani");
        await LinkAsync(full, pupil, mother);
        await LinkAsync(full, pupil, father);
        await LinkAsync(full, pupil, stepfather);
        return new Family(tenant, pupil, mother, father, stepfather, version);
    }

    /// <summary>
    /// <see cref="Depth"/> decisions of one person, one every ten days until <paramref name="lastGiven"/>, alternating so that
    /// the last is <paramref name="last"/>.
    /// </summary>
    private static async Task DeepHistoryAsync(Family family, Guid? guardian, string last, DateTimeOffset lastGiven)
    {
        for (var i = Depth - 1; i >= 0; i--)
        {
            var outcome = i % 2 == 0 ? last : last == "granted" ? "refused" : "granted";
            await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, guardian, outcome, [Item], lastGiven.AddDays(-10 * i));
        }
    }

    private static async Task<string> CheckAsync(Family family, DateTimeOffset? at = null, DateTimeOffset? asKnownAt = null)
    {
        var response = await family.Tenant.Full().PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds = new[] { family.Pupil }, mediaType = "photo", channel = "website", at, asKnownAt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var pupil = JsonNode.Parse(body)!["pupils"]![0]!;
        return $"{pupil["state"]} {pupil["reason"]}";
    }

    [Test]
    public async Task In_a_deep_history_each_guardians_latest_counting_decision_decides_and_one_whose_authority_ended_no_longer_counts()
    {
        var family = await FamilyAsync();
        var now = DateTimeOffset.UtcNow;
        // Last given: the mother's grant 10 days ago (her refusal 20), the father's grant 15 days ago (his refusal 25), the
        // stepfather's refusal 5 days ago (his grant 15); then the stepfather's authority ends.
        await DeepHistoryAsync(family, family.Mother, "granted", now.AddDays(-10));
        await DeepHistoryAsync(family, family.Father, "granted", now.AddDays(-15));
        await DeepHistoryAsync(family, family.Stepfather, "refused", now.AddDays(-5));
        await LinkAsync(family.Tenant.Full(), family.Pupil, family.Stepfather, hasParentalAuthority: false);
        var beforeThePaperForm = await Marks.NowAsync();
        // Signed on paper 3 days ago, keyed in now: the newest entry of the mother's history, unknown before.
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, family.Mother, "refused", [Item], now.AddDays(-3));

        Assert.Multiple(async () =>
        {
            Assert.That(await CheckAsync(family, DateTimeOffset.UtcNow, beforeThePaperForm), Is.EqualTo("granted granted-by-guardian"),
                "as known before the paper form: both parents' grants; the stepfather's refusal no longer counts");
            Assert.That(await CheckAsync(family), Is.EqualTo("conflict guardians-disagree"), "the mother's paper refusal");
            Assert.That(await CheckAsync(family, now.AddDays(-4)), Is.EqualTo("conflict guardians-disagree"),
                "4 days ago the stepfather held authority, and his refusal of 5 days ago counted");
            Assert.That(await CheckAsync(family, now.AddDays(-4), beforeThePaperForm), Is.EqualTo("conflict guardians-disagree"));
            Assert.That(await CheckAsync(family, now.AddDays(-12)), Is.EqualTo("conflict guardians-disagree"),
                "12 days ago the mother's latest was her refusal of 20 days ago");
            Assert.That(await CheckAsync(family, now.AddDays(-17)), Is.EqualTo("refused refused-by-guardian"),
                "17 days ago everyone's latest was a refusal (the mother's of 20 days ago, the others' of 25)");
            Assert.That(await CheckAsync(family, now.AddDays(-22)), Is.EqualTo("conflict guardians-disagree"),
                "22 days ago the mother's latest was her grant of 30 days ago");
            Assert.That(await CheckAsync(family, LongAgo.AddDays(1)), Is.EqualTo("pending no-answer"), "before anyone decided");
        });
    }

    [Test]
    public async Task One_check_answers_pupils_whose_newest_decision_counts_and_pupils_whose_history_is_read_alike()
    {
        var family = await FamilyAsync();
        var full = family.Tenant.Full();
        var brother = await CreatePupilAsync(full, family.Tenant.SchoolId, "Sem Visser");
        await LinkAsync(full, brother, family.Mother);
        var now = DateTimeOffset.UtcNow;
        // For Noor the mother granted 10 days ago; for Sem she granted 20 days ago and refused 2 days ago.
        await DecideAsync(full, family.Pupil, family.Version, family.Mother, "granted", [Item], now.AddDays(-10));
        await DecideAsync(full, brother, family.Version, family.Mother, "granted", [Item], now.AddDays(-20));
        await DecideAsync(full, brother, family.Version, family.Mother, "refused", [Item], now.AddDays(-2));

        async Task<string[]> CheckBothAsync(DateTimeOffset? at)
        {
            var response = await full.PostAsJsonAsync("/v1/publication-checks",
                new { pupilIds = new[] { family.Pupil, brother }, mediaType = "photo", channel = "website", at });
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            return [.. JsonNode.Parse(body)!["pupils"]!.AsArray().Select(p => $"{p!["pupilId"]} {p["state"]}")];
        }

        Assert.Multiple(async () =>
        {
            // 5 days ago Noor's newest decision counted and Sem's (the refusal) had not been given: his grant is read from
            // his history, in the same statement.
            Assert.That(await CheckBothAsync(now.AddDays(-5)), Is.EqualTo(new[] { $"{family.Pupil} granted", $"{brother} granted" }));
            Assert.That(await CheckBothAsync(null), Is.EqualTo(new[] { $"{family.Pupil} granted", $"{brother} refused" }));
            Assert.That(await CheckBothAsync(now.AddDays(-15)), Is.EqualTo(new[] { $"{family.Pupil} pending", $"{brother} granted" }),
                "15 days ago Noor's only decision had not been given: nothing counts for her");
        });
    }

    [Test]
    public async Task A_check_of_now_reads_one_entry_per_person_who_decided_however_deep_the_history()
    {
        var family = await FamilyAsync();
        var now = DateTimeOffset.UtcNow;
        await DeepHistoryAsync(family, family.Mother, "granted", now.AddDays(-10));
        await DeepHistoryAsync(family, family.Father, "refused", now.AddDays(-15));
        await DeepHistoryAsync(family, family.Stepfather, "refused", now.AddDays(-5));
        await LinkAsync(family.Tenant.Full(), family.Pupil, family.Stepfather, hasParentalAuthority: false);
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        // Counted in one transaction, whose counts are its own until it ends.
        await using var transaction = await connection.BeginTransactionAsync();

        var before = await EntriesReadAsync(connection, transaction);
        var facts = await ConsentFactsReader.ReadAsync(connection, transaction, new FactsRequest(family.Tenant.OrganisationId, [family.Pupil],
            null, (MediaType.Photo, "website"), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), CancellationToken.None);
        var read = await EntriesReadAsync(connection, transaction) - before;

        var consent = facts.Evaluate(family.Pupil, (MediaType.Photo, "website"));
        Assert.Multiple(() =>
        {
            Assert.That(consent.State, Is.EqualTo(ConsentState.Conflict));
            Assert.That(consent.Basis.Select(d => (d.GuardianId, d.Outcome)), Is.EquivalentTo(new[]
            {
                ((Guid?)family.Father, ConsentOutcome.Refused), ((Guid?)family.Mother, ConsentOutcome.Granted),
            }));
            Assert.That(read, Is.EqualTo(3), $"entries read for the {3 * Depth} decisions of three guardians: each one's newest");
        });
    }

    [Test]
    public async Task A_pupil_of_16_is_answered_by_their_own_latest_decision_given_with_late_paper_forms_and_ties_by_recording_order()
    {
        var sixteenSince = Today.AddDays(-40);
        var family = await FamilyAsync(sixteenSince.AddYears(-16));
        var now = DateTimeOffset.UtcNow;
        await DeepHistoryAsync(family, family.Mother, "granted", now.AddDays(-50));
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, null, "granted", [Item], now.AddDays(-10));
        // Signed on paper 20 days ago, keyed in after the grant of 10 days ago: it does not supersede it.
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, null, "refused", [Item], now.AddDays(-20));
        var beforeTheSecondPaperForm = await Marks.NowAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await CheckAsync(family), Is.EqualTo("granted granted-by-pupil"));
            Assert.That(await CheckAsync(family, now.AddDays(-15)), Is.EqualTo("refused refused-by-pupil"));
            Assert.That(await CheckAsync(family, now.AddDays(-30)), Is.EqualTo("needs-pupil-consent pupil-is-16"),
                "16 by then, and had not decided yet; the guardians' grants no longer suffice");
            Assert.That(await CheckAsync(family, now.AddDays(-45)), Is.EqualTo("granted granted-by-guardian"), "not 16 yet");
        });

        // A second paper form given at the very moment of the grant, recorded after it: the later recorded wins the tie.
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, null, "refused", [Item], now.AddDays(-10));

        Assert.Multiple(async () =>
        {
            Assert.That(await CheckAsync(family), Is.EqualTo("refused refused-by-pupil"));
            Assert.That(await CheckAsync(family, now, beforeTheSecondPaperForm), Is.EqualTo("granted granted-by-pupil"), "as known before it");
        });
    }

    [Test]
    public async Task The_api_role_may_move_the_newest_decisions_but_not_delete_them()
    {
        var family = await FamilyAsync();
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, family.Mother, "granted", [Item]);

        foreach (var sql in new[] { "DELETE FROM decision_heads WHERE pupil_id = {0}", "TRUNCATE decision_heads" })
        {
            var error = Assert.ThrowsAsync<PostgresException>(() => Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(sql, family.Pupil)));
            Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), sql);
        }
        Assert.That(await CheckAsync(family), Is.EqualTo("granted granted-by-guardian"));
    }

    /// <summary>Entries this transaction has read so far from the decisions and their heads, by index or by scanning the table.</summary>
    private static async Task<long> EntriesReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(i.indexrelid)), 0)::bigint
                   + (SELECT sum(pg_stat_get_xact_tuples_returned(t))::bigint FROM unnest(ARRAY['decisions'::regclass, 'decision_heads'::regclass]) t)
            FROM pg_index i WHERE i.indrelid IN ('decisions'::regclass, 'decision_heads'::regclass)
            """, connection, transaction);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
