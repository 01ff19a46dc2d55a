using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using Npgsql;

namespace ConsentApi.Baseline;

/// <summary>The organisation whose data the baseline serves (it authenticates nobody).</summary>
public sealed record Tenant(Guid OrganisationId);

/// <summary>The API's reads, by hand: the same statements, the same rules, the same response records.</summary>
public static class Queries
{
    private const string CheckSql = """
        SELECT p.id, p.date_of_birth, o.grant_requires, o.school_year_end_month, o.school_year_end_day, EXISTS (
            SELECT 1
            FROM channels AS c0
            WHERE c0.organisation_id = p.organisation_id AND c0.key = @channel), EXISTS (
            SELECT 1
            FROM consent_form_items AS c1
            INNER JOIN consent_form_versions AS c2 ON c1.version_id = c2.id
            INNER JOIN consent_forms AS c3 ON c2.form_id = c3.id
            WHERE c1.organisation_id = p.organisation_id AND c1.media_type = @mediaType0 AND c1.channel_key = @channel AND c2.status = 'Published' AND c2.published_at <= @at AND (c3.school_id IS NULL OR c3.school_id = p.school_id)), g0.guardian_id, d0.id, d0.guardian_id, d0.outcome, d0.given_at, d0.sequence, c.validity, c.school_year
        FROM pupils AS p
        INNER JOIN organisations AS o ON p.organisation_id = o.id
        LEFT JOIN (
            SELECT g.guardian_id, g.pupil_id AS pupil_id0
            FROM guardian_links AS g
            WHERE g.has_parental_authority
        ) AS g0 ON p.id = g0.pupil_id0
        LEFT JOIN (
            SELECT d.id, d.form_version_id, d.given_at, d.guardian_id, d.outcome, d.sequence, d.pupil_id AS pupil_id0
            FROM decisions AS d
            WHERE d.media_type = @mediaType AND d.channel_key = @channel AND d.given_at <= @at
        ) AS d0 ON p.id = d0.pupil_id0
        LEFT JOIN consent_form_versions AS c ON d0.id IS NOT NULL AND d0.form_version_id = c.id
        WHERE p.organisation_id = @organisationId AND (NOT (@limitedToSchools) OR p.school_id = ANY (@schoolIds)) AND p.id = ANY (@pupilIds)
        """;

    public static async Task<PublicationCheckResponse> CheckAsync(NpgsqlDataSource db, Tenant tenant, CheckPublicationRequest request, CancellationToken ct)
    {
        var at = Now();
        var mediaType = request.MediaType!.Value;
        var pupilIds = request.PupilIds.Distinct().ToList();
        await using var command = db.CreateCommand(CheckSql);
        command.Parameters.AddWithValue("channel", request.Channel);
        command.Parameters.AddWithValue("mediaType0", mediaType.ToString());
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("mediaType", mediaType.ToString());
        command.Parameters.AddWithValue("organisationId", tenant.OrganisationId);
        command.Parameters.AddWithValue("limitedToSchools", false);
        command.Parameters.AddWithValue("schoolIds", Array.Empty<Guid>());
        command.Parameters.AddWithValue("pupilIds", pupilIds.ToArray());

        var pupils = new Dictionary<Guid, (DateOnly DateOfBirth, ConsentPolicy Policy, bool Asked, HashSet<Guid> Authority, Dictionary<Guid, DecisionFact> Decisions)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetGuid(0);
                if (!pupils.TryGetValue(id, out var pupil))
                {
                    pupil = (reader.GetFieldValue<DateOnly>(1), Policy(reader, 2), reader.GetBoolean(6), [], []);
                    pupils[id] = pupil;
                }
                if (!reader.IsDBNull(7))
                {
                    pupil.Authority.Add(reader.GetGuid(7));
                }
                if (!reader.IsDBNull(8))
                {
                    var decisionId = reader.GetGuid(8);
                    pupil.Decisions[decisionId] = new DecisionFact(decisionId, reader.IsDBNull(9) ? null : reader.GetGuid(9),
                        Enum.Parse<ConsentOutcome>(reader.GetString(10)), reader.GetFieldValue<DateTimeOffset>(11), reader.GetInt64(12),
                        Enum.Parse<ConsentValidity>(reader.GetString(13)), reader.IsDBNull(14) ? null : reader.GetString(14));
                }
            }
        }

        var results = pupilIds.Select(id =>
        {
            var p = pupils[id];
            var consent = ConsentRules.Evaluate(new ConsentFacts(p.DateOfBirth, p.Authority.ToList(), p.Decisions.Values.ToList(), p.Asked), p.Policy, at);
            return new PupilCheckResult(id, consent.State, consent.Reason, consent.Allowed);
        }).ToList();
        return new PublicationCheckResponse(results.All(r => r.Allowed), at, mediaType, request.Channel, results);
    }

    private const string PupilFactsSql = """
        SELECT p.id AS "Id", p.organisation_id AS "OrganisationId", p.school_id AS "SchoolId", p.external_id AS "ExternalId", p.display_name AS "DisplayName", p.date_of_birth AS "DateOfBirth", o.grant_requires AS "GrantRequires", o.school_year_end_month AS "SchoolYearEndMonth", o.school_year_end_day AS "SchoolYearEndDay", g0.guardian_id AS "GuardianId"
        FROM pupils AS p
        INNER JOIN organisations AS o ON p.organisation_id = o.id
        LEFT JOIN (
            SELECT g.guardian_id, g.pupil_id AS pupil_id0
            FROM guardian_links AS g
            WHERE g.has_parental_authority
        ) AS g0 ON p.id = g0.pupil_id0

        """;

    private const string DecisionRowsSql = """
        SELECT d.id, d.pupil_id, d.batch_id, d.guardian_id, d.media_type, d.channel_key, d.outcome, d.given_at, d.recorded_at, d.sequence, d.method, d.recorded_by_client_id, d.form_version_id, c.content_hash, c.validity, c.school_year, d.proof_reference, d.note
        FROM decisions AS d
        INNER JOIN consent_form_versions AS c ON d.form_version_id = c.id
        """;

    private const string AskedSql = """
        SELECT DISTINCT c.media_type AS "MediaType", c.channel_key AS "ChannelKey"
        FROM consent_form_items AS c
        INNER JOIN consent_form_versions AS c0 ON c.version_id = c0.id
        INNER JOIN consent_forms AS c1 ON c0.form_id = c1.id
        WHERE c.organisation_id = @organisationId AND c0.status = 'Published' AND c0.published_at <= @at AND (c1.school_id IS NULL OR c1.school_id = @schoolId)
        """;

    public static async Task<ConsentMatrixResponse?> MatrixAsync(NpgsqlDataSource db, Tenant tenant, Guid pupilId, CancellationToken ct)
    {
        var at = Now();
        await using var connection = await db.OpenConnectionAsync(ct);
        List<PupilFacts> found;
        await using (var command = new NpgsqlCommand(PupilFactsSql + "WHERE p.organisation_id = @organisationId AND p.id = @query_PupilId", connection))
        {
            command.Parameters.AddWithValue("organisationId", tenant.OrganisationId);
            command.Parameters.AddWithValue("query_PupilId", pupilId);
            found = await ReadPupilFactsAsync(command, ct);
        }
        if (found.Count == 0)
        {
            return null;
        }
        var (organisationId, schoolId, dateOfBirth, policy, authority) =
            (found[0].OrganisationId, found[0].SchoolId, found[0].DateOfBirth, found[0].Policy, found[0].GuardiansWithAuthority);

        var decisions = new List<DecisionRow>();
        await using (var command = new NpgsqlCommand(DecisionRowsSql + "\nWHERE d.pupil_id = @pupil_Id AND d.given_at <= @at\nORDER BY d.id", connection))
        {
            command.Parameters.AddWithValue("pupil_Id", pupilId);
            command.Parameters.AddWithValue("at", at);
            await ReadDecisionRowsAsync(command, decisions, ct);
        }
        var asked = await AskedAsync(connection, organisationId, schoolId, at, ct);
        var channels = new List<string>();
        await using (var command = new NpgsqlCommand(
            "SELECT c.key\nFROM channels AS c\nWHERE c.organisation_id = @pupil_OrganisationId AND (c.retired_at IS NULL OR c.retired_at > @at)", connection))
        {
            command.Parameters.AddWithValue("pupil_OrganisationId", organisationId);
            command.Parameters.AddWithValue("at", at);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                channels.Add(reader.GetString(0));
            }
        }

        var items = channels.SelectMany(c => Enum.GetValues<MediaType>().Select(m => (m, c)))
            .Concat(asked)
            .Concat(decisions.Select(d => (d.MediaType, d.ChannelKey)))
            .Distinct().OrderBy(i => i.Item1).ThenBy(i => i.Item2, StringComparer.Ordinal);
        var byItem = decisions.ToLookup(d => (d.MediaType, d.ChannelKey));
        return new ConsentMatrixResponse(pupilId, at, items.Select(item =>
        {
            var rows = byItem[item].ToList();
            var result = ConsentRules.Evaluate(
                new ConsentFacts(dateOfBirth, authority, rows.Select(r => r.ToFact()).ToList(), asked.Contains(item)), policy, at);
            var basis = result.Basis.Select(b => b.Id).ToHashSet();
            return new ConsentItemState(item.Item1, item.Item2, result.State, result.Reason, result.Allowed,
                rows.Where(r => basis.Contains(r.Id)).Select(r => r.ToResponse()).ToList());
        }).ToList());
    }

    private const string OverviewGroupSql = """
        SELECT g.id, g.name, g.school_year, s0.id, s0.name, s0.organisation_id, o.grant_requires, o.school_year_end_month, o.school_year_end_day
        FROM groups AS g
        INNER JOIN (
            SELECT s.id, s.name, s.organisation_id
            FROM schools AS s
            WHERE s.organisation_id = @organisationId
        ) AS s0 ON g.school_id = s0.id
        INNER JOIN organisations AS o ON s0.organisation_id = o.id
        WHERE g.id = @query_GroupId AND g.school_id = @query_SchoolId
        LIMIT 2
        """;

    public static async Task<ConsentOverviewResponse?> OverviewAsync(NpgsqlDataSource db, Tenant tenant, Guid schoolId, Guid groupId, CancellationToken ct)
    {
        var at = Now();
        await using var connection = await db.OpenConnectionAsync(ct);
        (string Name, string SchoolYear, string SchoolName, Guid OrganisationId, ConsentPolicy Policy)? group = null;
        await using (var command = new NpgsqlCommand(OverviewGroupSql, connection))
        {
            command.Parameters.AddWithValue("organisationId", tenant.OrganisationId);
            command.Parameters.AddWithValue("query_GroupId", groupId);
            command.Parameters.AddWithValue("query_SchoolId", schoolId);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                group = (reader.GetString(1), reader.GetString(2), reader.GetString(4), reader.GetGuid(5), Policy(reader, 6));
            }
        }
        if (group is not { } g)
        {
            return null;
        }

        List<PupilFacts> pupils;
        await using (var command = new NpgsqlCommand(PupilFactsSql + "WHERE p.group_id = @group_Id AND p.status = 'Active'", connection))
        {
            command.Parameters.AddWithValue("group_Id", groupId);
            pupils = await ReadPupilFactsAsync(command, ct);
        }
        var rows = new List<DecisionRow>();
        await using (var command = new NpgsqlCommand(DecisionRowsSql + "\nWHERE d.pupil_id = ANY (@pupilIds) AND d.given_at <= @at\nORDER BY d.id", connection))
        {
            command.Parameters.AddWithValue("pupilIds", pupils.Select(p => p.Id).ToArray());
            command.Parameters.AddWithValue("at", at);
            await ReadDecisionRowsAsync(command, rows, ct);
        }
        var decisions = rows.ToLookup(d => (d.PupilId, d.MediaType, d.ChannelKey), d => d.ToFact());
        var asked = await AskedAsync(connection, g.OrganisationId, schoolId, at, ct);
        var channels = new Dictionary<string, string>();
        await using (var command = new NpgsqlCommand("""
            SELECT c.id, c.audience, c.key, c.name_en, c.name_nl, c.organisation_id, c.retired_at
            FROM channels AS c
            WHERE c.organisation_id = @group_OrganisationId AND (c.retired_at IS NULL OR c.retired_at > @at)
            """, connection))
        {
            command.Parameters.AddWithValue("group_OrganisationId", g.OrganisationId);
            command.Parameters.AddWithValue("at", at);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                channels[reader.GetString(2)] = reader.GetString(4);
            }
        }

        var columns = channels.Keys.SelectMany(c => Enum.GetValues<MediaType>().Select(m => (m, c)))
            .Distinct().OrderBy(i => i.m).ThenBy(i => i.c, StringComparer.Ordinal)
            .Select(i => new OverviewColumn(i.m, i.c, channels[i.c]))
            .ToList();
        var sheet = pupils
            .OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.Id)
            .Select(p => new OverviewPupil(p.Id, p.ExternalId, p.DisplayName, columns.Select(c =>
            {
                var consent = ConsentRules.Evaluate(
                    new ConsentFacts(p.DateOfBirth, p.GuardiansWithAuthority, decisions[(p.Id, c.MediaType, c.Channel)].ToList(),
                        asked.Contains((c.MediaType, c.Channel))),
                    g.Policy, at);
                return new OverviewCell(c.MediaType, c.Channel, consent.State, consent.Reason, consent.Allowed);
            }).ToList()))
            .ToList();
        return new ConsentOverviewResponse(schoolId, g.SchoolName, groupId, g.Name, g.SchoolYear, at, columns, sheet);
    }

    private static async Task<HashSet<(MediaType, string)>> AskedAsync(NpgsqlConnection connection, Guid organisationId, Guid schoolId,
        DateTimeOffset at, CancellationToken ct)
    {
        var asked = new HashSet<(MediaType, string)>();
        await using var command = new NpgsqlCommand(AskedSql, connection);
        command.Parameters.AddWithValue("organisationId", organisationId);
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("schoolId", schoolId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            asked.Add((Enum.Parse<MediaType>(reader.GetString(0)), reader.GetString(1)));
        }
        return asked;
    }

    private static async Task<List<PupilFacts>> ReadPupilFactsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var rows = new List<(PupilFacts Pupil, Guid? GuardianId)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rows.Add((new PupilFacts(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4),
                    reader.GetFieldValue<DateOnly>(5), Policy(reader, 6), []), reader.IsDBNull(9) ? null : reader.GetGuid(9)));
            }
        }
        return rows.GroupBy(r => r.Pupil.Id).Select(g => g.First().Pupil with
        {
            GuardiansWithAuthority = g.Where(r => r.GuardianId is not null).Select(r => r.GuardianId!.Value).Distinct().ToList(),
        }).ToList();
    }

    private static async Task ReadDecisionRowsAsync(NpgsqlCommand command, List<DecisionRow> rows, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new DecisionRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetGuid(3),
                Enum.Parse<MediaType>(reader.GetString(4)), reader.GetString(5), Enum.Parse<ConsentOutcome>(reader.GetString(6)),
                reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8), reader.GetInt64(9),
                Enum.Parse<DecisionMethod>(reader.GetString(10)), reader.IsDBNull(11) ? null : reader.GetGuid(11), reader.GetGuid(12),
                reader.GetString(13), Enum.Parse<ConsentValidity>(reader.GetString(14)), reader.IsDBNull(15) ? null : reader.GetString(15),
                reader.IsDBNull(16) ? null : reader.GetString(16), reader.IsDBNull(17) ? null : reader.GetString(17)));
        }
    }

    private static ConsentPolicy Policy(NpgsqlDataReader reader, int first) =>
        new(Enum.Parse<GrantRequires>(reader.GetString(first)), reader.GetInt32(first + 1), reader.GetInt32(first + 2));

    /// <summary>Now, to the microsecond PostgreSQL keeps, as the API's clock gives it.</summary>
    private static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
