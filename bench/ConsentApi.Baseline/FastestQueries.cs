using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using Npgsql;
using NpgsqlTypes;

namespace ConsentApi.Baseline;

/// <summary>
/// The reads with the fastest correct SQL written for them, served under <c>/fastest</c>: the same answers as the API
/// (the harness compares them before timing anything), from one round trip of prepared statements that read only what
/// the answer needs, at the moment now (no as-known-at, which these calls do not pass). Each person's latest decision is
/// picked per pupil with <c>DISTINCT ON</c> in a <c>LATERAL</c> over the covering decisions index (index order, no sort,
/// index only), and the rules are then evaluated in C# by the one rules function (<see cref="ConsentRules"/>).
/// </summary>
/// <summary>The connections of the fastest SQL (generic plans; see Program.cs).</summary>
public sealed record FastestDb(NpgsqlDataSource Source);

public static class FastestQueries
{
    // The organisation's policy now. $1 organisation, $2 now.
    private const string PolicySql = """
        SELECT grant_requires, school_year_end_month, school_year_end_day, time_zone, after_leaving
        FROM policy_changes WHERE organisation_id = $1 AND valid_from <= $2
        ORDER BY valid_from DESC, id DESC LIMIT 1
        """;

    // The channels now (one, for a check). $1 organisation, $2 now, $3 channel or null.
    private const string ChannelsSql = """
        SELECT c.key, c.name_nl, h.retired, h.meaning_since
        FROM channels c
        CROSS JOIN LATERAL (
            SELECT retired, meaning_since FROM channel_changes h
            WHERE h.organisation_id = c.organisation_id AND h.channel_key = c.key AND h.valid_from <= $2
            ORDER BY h.valid_from DESC, h.id DESC LIMIT 1) h
        WHERE c.organisation_id = $1 AND ($3::text IS NULL OR c.key = $3)
        """;

    // The items published forms ask now (one, for a check). $1 organisation, $2 now, $3 media type or null, $4 channel.
    private const string AskedSql = """
        SELECT DISTINCT f.school_id, i.media_type, i.channel_key
        FROM consent_form_items i
        JOIN consent_form_versions v ON v.id = i.version_id
        JOIN consent_forms f ON f.id = v.form_id
        WHERE i.organisation_id = $1 AND v.published_at <= $2 AND (v.withdrawn_at IS NULL OR v.withdrawn_at > $2)
          AND ($3::text IS NULL OR (i.media_type = $3 AND i.channel_key = $4))
        """;

    // The pupils now with their guardians holding authority. {pupils} yields the pupil ids; $2 now. The pupil's row and
    // pupil_authority hold its facts as its histories end, with the latest moment in them: at or before now, they are the
    // answer; otherwise (a change recorded out of order) the histories are read.
    private const string PupilsSql = """
        SELECT p.id, p.school_id, p.external_id, p.display_name,
               CASE WHEN f.current THEN p.date_of_birth ELSE b.date_of_birth END,
               CASE WHEN f.current THEN p.status ELSE e.status END,
               CASE WHEN f.current THEN p.enrolled_since ELSE e.enrolled_since END,
               CASE WHEN a.recorded_at IS NULL THEN '{}' WHEN a.recorded_at <= $2 THEN a.guardian_ids ELSE ARRAY(SELECT l.guardian_id FROM (
                   SELECT DISTINCT ON (c.guardian_id) c.guardian_id, c.has_parental_authority
                   FROM guardian_link_changes c WHERE c.pupil_id = p.id AND c.valid_from <= $2
                   ORDER BY c.guardian_id, c.valid_from DESC, c.id DESC) l
                 WHERE l.has_parental_authority) END
        FROM ({pupils}) x
        JOIN pupils p ON p.id = x.id
        CROSS JOIN LATERAL (SELECT p.facts_recorded_at <= $2 AS current) f
        LEFT JOIN pupil_authority a ON a.pupil_id = p.id
        LEFT JOIN LATERAL (
            SELECT status, group_id, enrolled_since FROM pupil_enrolments
            WHERE NOT f.current AND pupil_id = p.id AND valid_from <= $2 ORDER BY valid_from DESC, id DESC LIMIT 1) e ON true
        LEFT JOIN LATERAL (
            SELECT date_of_birth FROM pupil_birth_dates WHERE NOT f.current AND pupil_id = p.id ORDER BY recorded_at DESC, id DESC LIMIT 1) b ON true
        WHERE p.organisation_id = $1 AND (f.current OR e.status IS NOT NULL AND b.date_of_birth IS NOT NULL) {group}
        """;

    // Grants under a school-year form version whose school year has not begun on today's local day do not count yet and
    // so supersede nothing (ConsentRules): such versions (a handful at most) are excluded in the index scan itself.
    private const string NotBegun = """
        NOT (d.outcome = 'Granted' AND d.form_version_id = ANY(ARRAY(
            SELECT v.id FROM consent_form_versions v JOIN consent_forms f ON f.id = v.form_id
            CROSS JOIN (SELECT school_year_end_month m, school_year_end_day dd, ($2 AT TIME ZONE time_zone)::date AS today
                        FROM policy_changes WHERE organisation_id = $1 AND valid_from <= $2 ORDER BY valid_from DESC, id DESC LIMIT 1) p
            WHERE f.organisation_id = $1 AND v.validity = 'SchoolYear'
              AND (left(v.school_year, 4)::int > CASE WHEN p.today <= make_date(extract(year FROM p.today)::int, p.m, p.dd)
                                                      THEN extract(year FROM p.today)::int - 1 ELSE extract(year FROM p.today)::int END) IS NOT FALSE)))
        """;

    // One item: per pupil, each person's latest counting decision, from the index only. $3 media type, $4 channel. At
    // history depth 1 this is faster than reading decision_heads as the API does (bench/pgbench/run.sh, 30 pupils, this
    // statement as decisions-distinct-on.sql: 14,320 against 13,840 statements a second on 2026-12-01); at depth 10 the
    // heads are (8,710 against 13,370): the fastest SQL for the data sets the scale runs measure is this one. The
    // alternating rounds measure it at every depth they run, against the API's SQL by hand as well.
    private static readonly string OneItemDecisionsSql = $"""
        SELECT x.id, d.guardian_id, d.outcome, d.given_at, d.sequence, d.id, v.validity, v.school_year, v.withdrawn_at
        FROM unnest($5::uuid[]) x(id)
        CROSS JOIN LATERAL (
            SELECT DISTINCT ON (d.guardian_id) d.guardian_id, d.outcome, d.given_at, d.sequence, d.id, d.form_version_id
            FROM decisions d
            WHERE d.pupil_id = x.id AND d.media_type = $3 AND d.channel_key = $4 AND d.given_at <= $2 AND {NotBegun}
            ORDER BY d.guardian_id, d.given_at DESC, d.sequence DESC) d
        JOIN consent_form_versions v ON v.id = d.form_version_id
        """;

    // Every item: per pupil, each person's latest counting decision per item, from the index only; {more} adds what a
    // matrix shows of each chosen decision (read from the table for those alone).
    private const string EveryItemDecisionsSql = """
        SELECT x.id, d.guardian_id, d.outcome, d.given_at, d.sequence, d.id, v.validity, v.school_year, v.withdrawn_at,
               d.media_type, d.channel_key {more}
        FROM ({pupils}) x
        CROSS JOIN LATERAL (
            SELECT DISTINCT ON (d.media_type, d.channel_key, d.guardian_id)
                   d.media_type, d.channel_key, d.guardian_id, d.outcome, d.given_at, d.sequence, d.id, d.form_version_id, d.recorded_at
            FROM decisions d
            WHERE d.pupil_id = x.id AND d.given_at <= $2 AND {notBegun}
            ORDER BY d.media_type, d.channel_key, d.guardian_id, d.given_at DESC, d.sequence DESC) d
        JOIN consent_form_versions v ON v.id = d.form_version_id {join}
        """;

    private const string GivenPupils = "SELECT DISTINCT unnest($5::uuid[]) AS id";

    // The pupils in the group now: enrolled (not left) and in that group. $5 group.
    private const string GroupPupils = """
        SELECT p.pupil_id AS id FROM (SELECT DISTINCT pupil_id FROM pupil_enrolments WHERE group_id = $5) p
        CROSS JOIN LATERAL (SELECT status, group_id FROM pupil_enrolments WHERE pupil_id = p.pupil_id AND valid_from <= $2
                            ORDER BY valid_from DESC, id DESC LIMIT 1) e
        WHERE e.group_id = $5 AND e.status = 'Active'
        """;

    private static readonly string MatrixDecisionsSql = EveryItemDecisionsSql.Replace("{pupils}", GivenPupils).Replace("{notBegun}", NotBegun)
        .Replace("{more}", ", d.recorded_at, t.batch_id, t.method, t.recorded_by_client_id, t.form_version_id, v.content_hash, t.proof_reference, t.note")
        .Replace("{join}", "JOIN decisions t ON t.id = d.id");

    private static readonly string OverviewDecisionsSql = EveryItemDecisionsSql.Replace("{pupils}", GroupPupils).Replace("{notBegun}", NotBegun)
        .Replace("{more}", "").Replace("{join}", "");

    private static readonly string CheckPupilsSql = PupilsSql.Replace("{pupils}", GivenPupils).Replace("{group}", "");
    private static readonly string GroupPupilsSql = PupilsSql.Replace("{pupils}", GroupPupils).Replace("{group}", "AND p.school_id = $6");

    private const string GroupSql = """
        SELECT g.name, g.school_year, s.name FROM groups g JOIN schools s ON s.id = g.school_id
        WHERE g.id = $5 AND g.school_id = $6 AND s.organisation_id = $1
        """;

    public static async Task<PublicationCheckResponse?> CheckAsync(NpgsqlDataSource db, Tenant tenant, CheckPublicationRequest request, CancellationToken ct)
    {
        var at = Now();
        var item = (MediaType: request.MediaType!.Value, request.Channel);
        var pupilIds = request.PupilIds.Distinct().ToArray();
        var media = item.MediaType.ToString();
        var facts = await ReadAsync(db, at, false, [
            (PolicySql, [Org(tenant), At(at)]),
            (ChannelsSql, [Org(tenant), At(at), Text(item.Channel)]),
            (AskedSql, [Org(tenant), At(at), Text(media), Text(item.Channel)]),
            (CheckPupilsSql, [Org(tenant), At(at), Unused(), Unused(), Ids(pupilIds)]),
            (OneItemDecisionsSql, [Org(tenant), At(at), Text(media), Text(item.Channel), Ids(pupilIds)]),
        ], item, ct);
        if (pupilIds.Any(id => !facts.Pupils.ContainsKey(id)))
        {
            return null;
        }
        var results = pupilIds.Select(id =>
        {
            var consent = facts.Evaluate(id, item);
            return new PupilCheckResult(id, consent.State, consent.Reason, consent.Allowed);
        }).ToList();
        return new PublicationCheckResponse(results.All(r => r.Allowed), at, at, item.MediaType, item.Channel, results);
    }

    public static async Task<ConsentMatrixResponse?> MatrixAsync(NpgsqlDataSource db, Tenant tenant, Guid pupilId, CancellationToken ct)
    {
        var at = Now();
        Guid[] ids = [pupilId];
        var facts = await ReadAsync(db, at, true, [
            (PolicySql, [Org(tenant), At(at)]),
            (ChannelsSql, [Org(tenant), At(at), Text(null)]),
            (AskedSql, [Org(tenant), At(at), Text(null), Text(null)]),
            (CheckPupilsSql, [Org(tenant), At(at), Unused(), Unused(), Ids(ids)]),
            (MatrixDecisionsSql, [Org(tenant), At(at), Unused(), Unused(), Ids(ids)]),
        ], null, ct);
        if (!facts.Pupils.TryGetValue(pupilId, out var pupil))
        {
            return null;
        }
        var pupilIs16 = facts.Policy.Calendar.IsSixteen(pupil.DateOfBirth, at);
        var items = facts.ChannelItems.Concat(facts.ItemsOf(pupil)).Distinct()
            .OrderBy(i => i.MediaType).ThenBy(i => i.Channel, StringComparer.Ordinal);
        return new ConsentMatrixResponse(pupilId, at, at, items.Select(item =>
        {
            var result = facts.Evaluate(pupilId, item);
            var basis = result.Basis.Select(b => b.Id).ToHashSet();
            return new ConsentItemState(item.MediaType, item.Channel, result.State, result.Reason, result.Allowed,
                facts.Rows[(pupilId, item.MediaType, item.Channel)].OrderBy(r => r.Sequence)
                    .Where(r => basis.Contains(r.Id) || (pupilIs16 && r.GuardianId is not null))
                    .Select(r => r.ToResponse(pupilIs16)).ToList());
        }).ToList());
    }

    public static async Task<ConsentOverviewResponse?> OverviewAsync(NpgsqlDataSource db, Tenant tenant, Guid schoolId, Guid groupId, CancellationToken ct)
    {
        var at = Now();
        var facts = await ReadAsync(db, at, false, [
            (GroupSql, [Org(tenant), Unused(), Unused(), Unused(), Id(groupId), Id(schoolId)]),
            (PolicySql, [Org(tenant), At(at)]),
            (ChannelsSql, [Org(tenant), At(at), Text(null)]),
            (AskedSql, [Org(tenant), At(at), Text(null), Text(null)]),
            (GroupPupilsSql, [Org(tenant), At(at), Unused(), Unused(), Id(groupId), Id(schoolId)]),
            (OverviewDecisionsSql, [Org(tenant), At(at), Unused(), Unused(), Id(groupId)]),
        ], null, ct);
        if (facts.Group is not { } group)
        {
            return null;
        }
        var columns = facts.ChannelItems.OrderBy(i => i.MediaType).ThenBy(i => i.Channel, StringComparer.Ordinal)
            .Select(i => new OverviewColumn(i.MediaType, i.Channel, facts.Channels[i.Channel].NameNl))
            .ToList();
        var sheet = facts.Pupils.Values
            .OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.Id)
            .Select(p => new OverviewPupil(p.Id, p.ExternalId, p.DisplayName, columns.Select(c =>
            {
                var consent = facts.Evaluate(p.Id, (c.MediaType, c.Channel));
                return new OverviewCell(c.MediaType, c.Channel, consent.State, consent.Reason, consent.Allowed);
            }).ToList()))
            .ToList();
        return new ConsentOverviewResponse(schoolId, group.SchoolName, groupId, group.Name, group.SchoolYear, at, at,
            facts.Policy.TimeZone, columns, sheet);
    }

    private static async Task<Facts> ReadAsync(NpgsqlDataSource db, DateTimeOffset at, bool fullRows,
        (string Sql, NpgsqlParameter?[] Parameters)[] statements, (MediaType MediaType, string Channel)? item, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var (sql, parameters) in statements)
        {
            Add(batch, sql, parameters);
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        (string, string, string)? group = null;
        if (statements.Length == 6)
        {
            if (await reader.ReadAsync(ct))
            {
                group = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
            }
            await reader.NextResultAsync(ct);
        }
        var facts = await ReadFactsAsync(reader, at, fullRows, item, ct);
        facts.Group = group;
        return facts;
    }

    /// <summary>The statements reading every item's facts of <paramref name="pupilIds"/> now (policy, channels, asked, pupils, decisions).</summary>
    internal static (string Sql, NpgsqlParameter?[] Parameters)[] PupilFacts(Guid organisationId, DateTimeOffset at, Guid[] pupilIds) =>
    [
        (PolicySql, [Id(organisationId), At(at)]),
        (ChannelsSql, [Id(organisationId), At(at), Text(null)]),
        (AskedSql, [Id(organisationId), At(at), Text(null), Text(null)]),
        (CheckPupilsSql, [Id(organisationId), At(at), Unused(), Unused(), Ids(pupilIds)]),
        (EveryItemDecisionsSql.Replace("{pupils}", GivenPupils).Replace("{notBegun}", NotBegun).Replace("{more}", "").Replace("{join}", ""),
            [Id(organisationId), At(at), Unused(), Unused(), Ids(pupilIds)]),
    ];

    internal static void Add(NpgsqlBatch batch, string sql, NpgsqlParameter?[] parameters)
    {
        var command = new NpgsqlBatchCommand(Trim(sql, parameters));
        command.Parameters.AddRange(parameters.OfType<NpgsqlParameter>().ToArray());
        batch.BatchCommands.Add(command);
    }

    /// <summary>Reads the five result sets of the facts statements, the reader standing on the first.</summary>
    internal static async Task<Facts> ReadFactsAsync(NpgsqlDataReader reader, DateTimeOffset at, bool fullRows,
        (MediaType MediaType, string Channel)? item, CancellationToken ct)
    {
        var facts = new Facts(at);
        facts.Policy = await reader.ReadAsync(ct)
            ? new ConsentPolicy(Enum.Parse<GrantRequires>(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3),
                Enum.Parse<ConsentAfterLeaving>(reader.GetString(4)))
            : ConsentPolicy.Default;
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            facts.Channels[reader.GetString(0)] = (reader.GetString(1), reader.GetBoolean(2), reader.GetFieldValue<DateTimeOffset>(3));
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            facts.Asked.Add((reader.IsDBNull(0) ? null : reader.GetGuid(0), Enum.Parse<MediaType>(reader.GetString(1)), reader.GetString(2)));
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var pupil = new Pupil(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateOnly>(4), reader.GetString(5) == nameof(PupilStatus.Left), reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetFieldValue<Guid[]>(7));
            facts.Pupils[pupil.Id] = pupil;
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var fact = new DecisionFact(reader.GetGuid(5), reader.IsDBNull(1) ? null : reader.GetGuid(1),
                Enum.Parse<ConsentOutcome>(reader.GetString(2)), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(4),
                Enum.Parse<ConsentValidity>(reader.GetString(6)), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8));
            var (media, channel) = item ?? (Enum.Parse<MediaType>(reader.GetString(9)), reader.GetString(10));
            var pupilId = reader.GetGuid(0);
            facts.DecisionList.Add((pupilId, media, channel, fact));
            if (fullRows)
            {
                facts.RowList.Add(new DecisionRow(fact.Id, pupilId, reader.GetGuid(12), fact.GuardianId, media, channel, fact.Outcome,
                    fact.GivenAt, reader.GetFieldValue<DateTimeOffset>(11), fact.Sequence, Enum.Parse<DecisionMethod>(reader.GetString(13)),
                    reader.IsDBNull(14) ? null : reader.GetGuid(14), reader.GetGuid(15), reader.GetString(16), fact.Validity, fact.SchoolYear,
                    reader.IsDBNull(17) ? null : reader.GetString(17), reader.IsDBNull(18) ? null : reader.GetString(18), fact.FormWithdrawnAt));
            }
        }
        facts.Decisions = facts.DecisionList.ToLookup(d => (d.PupilId, d.MediaType, d.Channel), d => d.Fact);
        facts.Rows = facts.RowList.ToLookup(r => (r.PupilId, r.MediaType, r.ChannelKey));
        return facts;
    }

    internal sealed record Pupil(Guid Id, Guid SchoolId, string ExternalId, string DisplayName, DateOnly DateOfBirth, bool Left,
        DateTimeOffset EnrolledSince, Guid[] Guardians);

    internal sealed class Facts(DateTimeOffset at)
    {
        public (string Name, string SchoolYear, string SchoolName)? Group { get; set; }
        public ConsentPolicy Policy { get; set; } = ConsentPolicy.Default;
        public Dictionary<string, (string NameNl, bool Retired, DateTimeOffset MeaningSince)> Channels { get; } = new(StringComparer.Ordinal);
        public List<(Guid? SchoolId, MediaType MediaType, string Channel)> Asked { get; } = [];
        public Dictionary<Guid, Pupil> Pupils { get; } = [];
        public List<(Guid PupilId, MediaType MediaType, string Channel, DecisionFact Fact)> DecisionList { get; } = [];
        public ILookup<(Guid, MediaType, string), DecisionFact> Decisions { get; set; } = null!;
        public List<DecisionRow> RowList { get; } = [];
        public ILookup<(Guid PupilId, MediaType MediaType, string Channel), DecisionRow> Rows { get; set; } = null!;

        public IEnumerable<(MediaType MediaType, string Channel)> ChannelItems =>
            Channels.Where(c => !c.Value.Retired).SelectMany(c => Enum.GetValues<MediaType>().Select(m => (m, c.Key)));

        public IEnumerable<(MediaType MediaType, string Channel)> ItemsOf(Pupil pupil) =>
            Asked.Where(a => a.SchoolId is null || a.SchoolId == pupil.SchoolId).Select(a => (a.MediaType, a.Channel))
                .Concat(DecisionList.Where(d => d.PupilId == pupil.Id).Select(d => (d.MediaType, d.Channel))).Distinct();

        public EffectiveConsent Evaluate(Guid pupilId, (MediaType MediaType, string Channel) item, IEnumerable<DecisionFact>? added = null)
        {
            var pupil = Pupils[pupilId];
            var asked = Asked.Any(a => (a.SchoolId is null || a.SchoolId == pupil.SchoolId) && a.MediaType == item.MediaType && a.Channel == item.Channel);
            var known = Channels.TryGetValue(item.Channel, out var channel);
            var limits = new GrantLimits(pupil.EnrolledSince, pupil.Left, known ? channel.MeaningSince : DateTimeOffset.MinValue, known && channel.Retired);
            return ConsentRules.Evaluate(
                new ConsentFacts(pupil.DateOfBirth, pupil.Guardians, [.. Decisions[(pupilId, item.MediaType, item.Channel)], .. added ?? []], asked, limits),
                Policy, at);
        }
    }

    // Each statement takes the parameters it names ($1..$6) in order; unused slots are dropped and the rest renumbered.
    private static string Trim(string sql, NpgsqlParameter?[] parameters)
    {
        var number = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i] is not null)
            {
                number++;
                sql = sql.Replace($"${i + 1}", $"${{{number}}}");
            }
        }
        return System.Text.RegularExpressions.Regex.Replace(sql, @"\$\{(\d+)\}", "$$$1");
    }

    internal static NpgsqlParameter Org(Tenant tenant) => new NpgsqlParameter<Guid> { TypedValue = tenant.OrganisationId };
    internal static NpgsqlParameter At(DateTimeOffset at) => new NpgsqlParameter<DateTimeOffset> { TypedValue = at };
    internal static NpgsqlParameter Id(Guid id) => new NpgsqlParameter<Guid> { TypedValue = id };
    internal static NpgsqlParameter Ids(Guid[] ids) => new NpgsqlParameter<Guid[]> { TypedValue = ids };
    internal static NpgsqlParameter Text(string? text) => new() { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
    internal static NpgsqlParameter? Unused() => null;

    /// <summary>Now, to the microsecond PostgreSQL keeps, as the API's clock gives it.</summary>
    internal static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
