using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// A pupil's row holds its enrolment and date of birth as their histories end, pupil_authority the guardians holding
/// authority as the link history ends, each with the latest moment in those histories; a read of a moment and a moment known at or after that moment answers from the row
/// alone, any other read from the histories. These hold the row to the histories after every kind of change, with
/// concurrent writers, and the reader to reading the histories exactly when they could answer otherwise.
/// </summary>
public sealed class PupilCurrentFactsTests : ApiTest
{
    private const string Item = "photo:website";
    private static readonly (MediaType, string) Photo = (MediaType.Photo, "website");

    [Test]
    public async Task The_row_holds_what_the_histories_end_with_after_every_kind_of_change()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), [Item]))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Noor Visser", externalId: "P-NOOR");
        await AssertRowsHoldHistoriesAsync(tenant, "a new pupil");

        var mother = await CreateGuardianAsync(full, "Anouk Visser", "O-ANOUK");
        var father = await CreateGuardianAsync(full, "Joris Visser", "O-JORIS");
        await LinkAsync(full, pupil, mother);
        await LinkAsync(full, pupil, father);
        await AssertRowsHoldHistoriesAsync(tenant, "two guardians linked before any decision (they hold from the start)");

        await DecideAsync(full, pupil, version, mother, "granted", [Item]);
        await LinkAsync(full, pupil, father, hasParentalAuthority: false);
        await AssertRowsHoldHistoriesAsync(tenant, "authority ended after a decision");
        (await full.DeleteAsync($"/v1/pupils/{pupil}/guardians/{father}")).EnsureSuccessStatusCode();
        await AssertRowsHoldHistoriesAsync(tenant, "a guardian unlinked");

        var changed = await full.PutAsJsonAsync($"/v1/pupils/{pupil}",
            new { externalId = "P-NOOR", displayName = "Noor Visser", dateOfBirth = new DateOnly(2015, 3, 1) });
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await changed.Content.ReadAsStringAsync());
        await AssertRowsHoldHistoriesAsync(tenant, "a date of birth corrected");

        var left = await full.PutAsJsonAsync($"/v1/pupils/{pupil}",
            new { externalId = "P-NOOR", displayName = "Noor Visser", dateOfBirth = new DateOnly(2015, 3, 1), status = "left" });
        Assert.That(left.StatusCode, Is.EqualTo(HttpStatusCode.OK), await left.Content.ReadAsStringAsync());
        await AssertRowsHoldHistoriesAsync(tenant, "the pupil left");

        // The roster brings the pupil back in a group, with the father again and a new guardian, and adds a pupil.
        var roster = await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", new
        {
            groups = new[] { new { externalId = "G-7", name = "Groep 7", schoolYear = "2026-2027" } },
            guardians = new[]
            {
                new { externalId = "O-ANOUK", displayName = "Anouk Visser" },
                new { externalId = "O-JORIS", displayName = "Joris Visser" },
                new { externalId = "O-SEM", displayName = "Sem de Wit" },
            },
            pupils = new[]
            {
                new
                {
                    externalId = "P-NOOR", displayName = "Noor Visser", dateOfBirth = new DateOnly(2015, 3, 1), groupExternalId = "G-7",
                    guardians = new[] { new { externalId = "O-ANOUK", hasParentalAuthority = true }, new { externalId = "O-JORIS", hasParentalAuthority = true } },
                },
                new
                {
                    externalId = "P-LIV", displayName = "Liv de Wit", dateOfBirth = new DateOnly(2016, 5, 9), groupExternalId = "G-7",
                    guardians = new[] { new { externalId = "O-SEM", hasParentalAuthority = true } },
                },
            },
        });
        Assert.That(roster.StatusCode, Is.EqualTo(HttpStatusCode.OK), await roster.Content.ReadAsStringAsync());
        await AssertRowsHoldHistoriesAsync(tenant, "a roster sync: returned to a group, relinked, a pupil added");

        var facts = await ReadAsync(tenant.OrganisationId, pupil, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        Assert.That(facts.Pupils[pupil].GuardiansWithAuthority, Is.EquivalentTo(new[] { mother, father }));
    }

    [TestCase(2)]
    [TestCase(20)]
    public async Task Concurrent_link_changes_leave_the_row_with_the_guardians_the_history_ends_with(int writers)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), [Item]))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Noor Visser");
        var guardians = new List<Guid>();
        for (var i = 0; i < Math.Min(writers, 10); i++)
        {
            guardians.Add(await CreateGuardianAsync(full, $"Ouder {i}"));
        }
        await LinkAsync(full, pupil, guardians[0]);
        // With a decision on record, every link change holds from its moment.
        await DecideAsync(full, pupil, version, guardians[0], "granted", [Item]);

        // Each writer links a guardian, with or without authority, or unlinks it: several writers per guardian at 20.
        var responses = await Task.WhenAll(Enumerable.Range(0, writers).Select(n =>
        {
            var guardian = guardians[n % guardians.Count];
            return (n / guardians.Count % 3) switch
            {
                0 when n % 4 == 3 => full.DeleteAsync($"/v1/pupils/{pupil}/guardians/{guardian}"),
                0 => full.PutAsJsonAsync($"/v1/pupils/{pupil}/guardians/{guardian}", new { hasParentalAuthority = n % 3 != 2 }),
                _ => full.PutAsJsonAsync($"/v1/pupils/{pupil}/guardians/{guardian}", new { hasParentalAuthority = n % 2 == 0 }),
            };
        }));

        foreach (var response in responses)
        {
            Assert.That(response.StatusCode, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.NoContent, HttpStatusCode.NotFound),
                await response.Content.ReadAsStringAsync());
        }
        await AssertRowsHoldHistoriesAsync(tenant, $"{writers} concurrent link changes");
        var linked = await ScalarAsync<Guid[]>(
            $"SELECT ARRAY(SELECT guardian_id FROM guardian_links WHERE pupil_id = '{pupil}' AND has_parental_authority ORDER BY guardian_id)");
        var facts = await ReadAsync(tenant.OrganisationId, pupil, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        Assert.That(facts.Pupils[pupil].GuardiansWithAuthority, Is.EquivalentTo(linked), "a check of now counts the guardians linked now");
    }

    [Test]
    public async Task A_link_change_committed_after_one_with_a_later_moment_still_ends_the_history()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), [Item]))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Noor Visser");
        var mother = await CreateGuardianAsync(full, "Anouk Visser");
        await LinkAsync(full, pupil, mother);
        await DecideAsync(full, pupil, version, mother, "granted", [Item]);
        var now = DateTimeOffset.UtcNow;

        // Two commands took their moments in one order and the pupil's lock in the other: the later moment commits first.
        await ChangeLinkAtAsync(pupil, now.AddSeconds(2), $"UPDATE guardian_links SET has_parental_authority = false WHERE pupil_id = '{pupil}'");
        await ChangeLinkAtAsync(pupil, now.AddSeconds(1), $"UPDATE guardian_links SET has_parental_authority = true WHERE pupil_id = '{pupil}'");

        await AssertRowsHoldHistoriesAsync(tenant, "two link changes recorded in the other order than their moments");
        var facts = await ReadAsync(tenant.OrganisationId, pupil, now.AddSeconds(3), now.AddSeconds(3));
        Assert.That(facts.Pupils[pupil].GuardiansWithAuthority, Is.EqualTo(new[] { mother }), "the authority given back by the change committed last");
    }

    private async Task ChangeLinkAtAsync(Guid pupil, DateTimeOffset moment, string change)
    {
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(
            $"SELECT set_config('consent.now', '{moment:O}', true); SELECT FROM pupils WHERE id = '{pupil}' FOR NO KEY UPDATE; {change}",
            connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    [Test]
    public async Task A_read_of_now_takes_the_row_and_a_read_as_known_before_a_change_takes_the_histories()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), [Item]))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Noor Visser");
        var mother = await CreateGuardianAsync(full, "Anouk Visser");
        var father = await CreateGuardianAsync(full, "Joris Visser");
        await LinkAsync(full, pupil, mother);
        await LinkAsync(full, pupil, father);
        await DecideAsync(full, pupil, version, mother, "granted", [Item]);
        await DecideAsync(full, pupil, version, father, "granted", [Item]);
        var beforeUnlink = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        (await full.DeleteAsync($"/v1/pupils/{pupil}/guardians/{father}")).EnsureSuccessStatusCode();
        var now = DateTimeOffset.UtcNow;

        var (ofNow, scansOfNow) = await ReadCountingHistoryScansAsync(tenant.OrganisationId, pupil, now, now);
        var (knownBefore, scansKnownBefore) = await ReadCountingHistoryScansAsync(tenant.OrganisationId, pupil, now, beforeUnlink);
        var (atBefore, scansAtBefore) = await ReadCountingHistoryScansAsync(tenant.OrganisationId, pupil, beforeUnlink, now);

        Assert.Multiple(() =>
        {
            Assert.That(ofNow.Pupils[pupil].GuardiansWithAuthority, Is.EqualTo(new[] { mother }));
            Assert.That(ofNow.Evaluate(pupil, Photo).State, Is.EqualTo(ConsentState.Granted));
            Assert.That(scansOfNow, Is.Zero, "a read of now finds nothing in the histories the row does not hold");
            Assert.That(knownBefore.Pupils[pupil].GuardiansWithAuthority, Is.EquivalentTo(new[] { mother, father }), "as known before the unlink");
            Assert.That(scansKnownBefore, Is.Positive);
            Assert.That(atBefore.Pupils[pupil].GuardiansWithAuthority, Is.EquivalentTo(new[] { mother, father }), "at a moment before the unlink");
            Assert.That(scansAtBefore, Is.Positive);
        });
    }

    [Test]
    public async Task The_api_role_cannot_delete_the_kept_guardians_nor_write_the_kept_moment_of_a_pupils_row()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Noor Visser");
        var mother = await CreateGuardianAsync(full, "Anouk Visser");
        await LinkAsync(full, pupil, mother);

        foreach (var sql in new[] { "DELETE FROM pupil_authority WHERE pupil_id = {0}", "TRUNCATE pupil_authority" })
        {
            var error = Assert.ThrowsAsync<PostgresException>(() => Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(sql, pupil)));
            Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), sql);
        }
        // Written by a statement, the kept moment and enrolment start stay what the row's changes made them.
        var kept = await ScalarAsync<DateTime>($"SELECT facts_recorded_at FROM pupils WHERE id = '{pupil}'");
        await Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
            "UPDATE pupils SET facts_recorded_at = 'infinity', enrolled_since = now() WHERE id = {0}", pupil));
        Assert.That(await ScalarAsync<DateTime>($"SELECT facts_recorded_at FROM pupils WHERE id = '{pupil}'"), Is.EqualTo(kept));
        await AssertRowsHoldHistoriesAsync(tenant, "a statement writing the kept columns alone");
        await Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
            "UPDATE pupils SET facts_recorded_at = '-infinity', enrolled_since = now(), status = 'Left', left_on = current_date WHERE id = {0}", pupil));
        await AssertRowsHoldHistoriesAsync(tenant, "a statement writing the kept columns with a change of status");
        Assert.That(await ScalarAsync<DateTime>($"SELECT facts_recorded_at FROM pupils WHERE id = '{pupil}'"),
            Is.GreaterThan(DateTime.UtcNow.AddMinutes(-5)), "the status change's moment, not the one written");
    }

    private async Task<ConsentFactSet> ReadAsync(Guid organisationId, Guid pupil, DateTimeOffset at, DateTimeOffset asKnownAt) =>
        (await ReadCountingHistoryScansAsync(organisationId, pupil, at, asKnownAt)).Facts;

    /// <summary>The pupil's facts for one item, and how many scans of the three histories (tables or indexes) the read made.</summary>
    private async Task<(ConsentFactSet Facts, long HistoryScans)> ReadCountingHistoryScansAsync(
        Guid organisationId, Guid pupil, DateTimeOffset at, DateTimeOffset asKnownAt)
    {
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        // Counted in one transaction, whose counts are its own until it ends.
        await using var transaction = await connection.BeginTransactionAsync();
        var before = await HistoryScansAsync(connection, transaction);
        var facts = await ConsentFactsReader.ReadAsync(connection, transaction,
            new FactsRequest(organisationId, [pupil], null, Photo, at, asKnownAt), CancellationToken.None);
        return (facts, await HistoryScansAsync(connection, transaction) - before);
    }

    private static async Task<long> HistoryScansAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(sum(pg_stat_get_xact_numscans(r)), 0)::bigint
            FROM (SELECT t::regclass::oid AS r FROM unnest(ARRAY['pupil_enrolments', 'pupil_birth_dates', 'guardian_link_changes']) t
                  UNION ALL
                  SELECT indexrelid FROM pg_index
                  WHERE indrelid IN ('pupil_enrolments'::regclass, 'pupil_birth_dates'::regclass, 'guardian_link_changes'::regclass)) x
            """, connection, transaction);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Every pupil's (of the tenant) kept facts against its histories: the row's status, group, date of birth and enrolment start and the
    /// guardians with authority are what the histories end with (unless the row marks its histories as the only answer),
    /// and no history row lies after the moment kept with them.
    /// </summary>
    private async Task AssertRowsHoldHistoriesAsync(Tenant tenant, string after)
    {
        var mismatches = await ListAsync("""
            SELECT p.id::text || ': ' || concat_ws(', ',
                CASE WHEN p.facts_recorded_at < 'infinity' AND ROW(p.status, p.group_id, p.enrolled_since) IS DISTINCT FROM
                          (SELECT ROW(e.status, e.group_id, e.enrolled_since) FROM pupil_enrolments e WHERE e.pupil_id = p.id
                           ORDER BY e.valid_from DESC, e.id DESC LIMIT 1) THEN 'enrolment' END,
                CASE WHEN p.facts_recorded_at < 'infinity' AND p.date_of_birth IS DISTINCT FROM
                          (SELECT b.date_of_birth FROM pupil_birth_dates b WHERE b.pupil_id = p.id
                           ORDER BY b.recorded_at DESC, b.id DESC LIMIT 1) THEN 'date of birth' END,
                CASE WHEN coalesce(a.guardian_ids, '{}') IS DISTINCT FROM ARRAY(
                          SELECT l.guardian_id FROM (
                              SELECT DISTINCT ON (c.guardian_id) c.guardian_id, c.has_parental_authority
                              FROM guardian_link_changes c WHERE c.pupil_id = p.id
                              ORDER BY c.guardian_id, c.valid_from DESC, c.id DESC) l
                          WHERE l.has_parental_authority ORDER BY l.guardian_id) THEN 'guardians (history)' END,
                CASE WHEN coalesce(a.guardian_ids, '{}') IS DISTINCT FROM ARRAY(
                          SELECT guardian_id FROM guardian_links WHERE pupil_id = p.id AND has_parental_authority ORDER BY guardian_id)
                     THEN 'guardians (links)' END,
                CASE WHEN p.facts_recorded_at = 'infinity' THEN 'histories only' END,
                CASE WHEN EXISTS (SELECT FROM pupil_enrolments e WHERE e.pupil_id = p.id AND greatest(e.valid_from, e.recorded_at) > p.facts_recorded_at)
                       OR EXISTS (SELECT FROM pupil_birth_dates b WHERE b.pupil_id = p.id AND b.recorded_at > p.facts_recorded_at)
                     THEN 'an enrolment or date of birth after the row''s moment' END,
                CASE WHEN EXISTS (SELECT FROM guardian_link_changes c WHERE c.pupil_id = p.id
                                  AND greatest(c.valid_from, c.recorded_at) > coalesce(a.recorded_at, '-infinity'))
                     THEN 'a link change after the guardians'' moment' END)
            FROM pupils p LEFT JOIN pupil_authority a ON a.pupil_id = p.id
            WHERE p.organisation_id = '
            """ + tenant.OrganisationId + "'");
        Assert.That(mismatches.Where(m => !m.EndsWith(": ", StringComparison.Ordinal)), Is.Empty, $"after {after}");
    }

    private async Task<List<string>> ListAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
