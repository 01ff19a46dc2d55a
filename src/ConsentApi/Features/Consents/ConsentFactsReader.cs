using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ConsentApi.Features.Consents;

/// <summary>What a reader of consent asks for: some pupils of one organisation, one item or all, at a moment, as known then.</summary>
/// <param name="SchoolIds">The schools the caller may see; null when it may see every school of the organisation.</param>
/// <param name="Item">One item (a check, a publication); null for every item (a matrix, a class sheet, a change).</param>
/// <param name="At">The moment the answer is about.</param>
/// <param name="AsKnownAt">What the record knew: decisions recorded after this moment do not count.</param>
public sealed record FactsRequest(
    Guid OrganisationId,
    IReadOnlyCollection<Guid> PupilIds,
    IReadOnlyCollection<Guid>? SchoolIds,
    (MediaType MediaType, string Channel)? Item,
    DateTimeOffset At,
    DateTimeOffset AsKnownAt)
{
    /// <summary>
    /// Instead of <see cref="PupilIds"/>: the pupils in this group at the moment, as known then (enrolled, not left, in
    /// the group). The facts then carry the group too (<see cref="ConsentFactSet.Group"/>), all in the same round trip.
    /// </summary>
    public Guid? GroupId { get; init; }

    /// <summary>
    /// Whether the answer shows the decisions it rests on (a matrix, a dossier): how, by whom and under which text each
    /// was recorded is then read too (<see cref="ConsentFactSet.DecisionsOf"/>). A check or a class sheet needs only what
    /// the rules read, which the decisions index holds (for one item, each person's newest decision: decision_heads).
    /// </summary>
    public bool WithDecisionDetails { get; init; }
}

/// <summary>A channel as it stood at the moment.</summary>
/// <param name="MeaningSince">When its audience last changed, or it was retired or brought back: grants given before no longer count.</param>
/// <param name="Recall">Whether what was published there could be taken back then; no rule reads it, the proof shows it.</param>
public sealed record ChannelFacts(string Key, string NameNl, ChannelAudience Audience, bool Retired, DateTimeOffset MeaningSince,
    ChannelRecall Recall = ChannelRecall.Removable);

/// <summary>The group a class sheet is about, with its school and the organisation's time zone at the moment.</summary>
public sealed record GroupFacts(Guid Id, string Name, string SchoolYear, Guid SchoolId, string SchoolName, string TimeZone);

/// <summary>
/// The one facts model (DESIGN.md §4): every reader of consent — the check, the matrix, the class sheet, the takedown scan
/// and sweep, the announcements of changes, the parents' app — reads its facts here and evaluates them with the one pure
/// rules function (<see cref="ConsentRules"/>). One round trip of five statements (six for a group), each planned once
/// per connection: the organisation's policy, the pupils with the guardians holding authority, each person's latest
/// decision per item that counts at the moment (as recorded by <see cref="FactsRequest.AsKnownAt"/>), the items published
/// forms ask, and the channels.
/// </summary>
public sealed class ConsentFactsReader(ConsentDbContext db)
{
    public async Task<ConsentFactSet> ReadAsync(FactsRequest request, CancellationToken ct)
    {
        if (request.PupilIds.Count == 0 && request.GroupId is null)
        {
            return ConsentFactSet.Empty(request);
        }
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await ReadAsync((NpgsqlConnection)db.Database.GetDbConnection(),
                db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction, request, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The same read on a plain open connection (in <paramref name="transaction"/> when given).</summary>
    public static async Task<ConsentFactSet> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, FactsRequest request, CancellationToken ct)
    {
        var pupilIds = request.PupilIds.Distinct().ToArray();
        if (pupilIds.Length == 0 && request.GroupId is null)
        {
            return ConsentFactSet.Empty(request);
        }

        await using var batch = new NpgsqlBatch(connection) { Transaction = transaction };
        // Alone, without a transaction, the batch is its own transaction, which ends the plans' setting with it.
        foreach (var command in Commands(request, pupilIds, restorePlans: transaction is not null))
        {
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        return await ReadResultsAsync(reader, request, ct);
    }

    /// <summary>
    /// Adds this read's statements to <paramref name="batch"/>, to go in one round trip with other statements (locks first,
    /// then this); the facts are in <paramref name="read"/>'s result once the batch ran.
    /// </summary>
    public static void AddTo(ReadBatch batch, FactsRequest request, Action<ConsentFactSet> read)
    {
        var pupilIds = request.PupilIds.Distinct().ToArray();
        if (pupilIds.Length == 0 && request.GroupId is null)
        {
            read(ConsentFactSet.Empty(request));
            return;
        }
        batch.Add(Commands(request, pupilIds, restorePlans: true), async (reader, ct) => read(await ReadResultsAsync(reader, request, ct)));
    }

    private static List<NpgsqlBatchCommand> Commands(FactsRequest request, Guid[] pupilIds, bool restorePlans)
    {
        var statements = StatementSets[(request.GroupId is not null, request.Item is not null, request.WithDecisionDetails, request.SchoolIds is not null)];
        var commands = new List<NpgsqlBatchCommand>(statements.Length);
        foreach (var statement in restorePlans ? statements : statements.AsSpan(..^1))
        {
            var command = new NpgsqlBatchCommand(statement.Sql);
            foreach (var parameter in statement.Parameters)
            {
                var (value, type) = ValueOf(parameter, request, pupilIds);
                command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = type });
            }
            commands.Add(command);
        }
        return commands;
    }

    private static (object? Value, NpgsqlDbType Type) ValueOf(Parameter parameter, FactsRequest request, Guid[] pupilIds) => parameter switch
    {
        Parameter.Organisation => (request.OrganisationId, NpgsqlDbType.Uuid),
        Parameter.PupilIds => (pupilIds, Uuids),
        Parameter.Group => (request.GroupId, NpgsqlDbType.Uuid),
        Parameter.SchoolIds => (request.SchoolIds?.ToArray(), Uuids),
        Parameter.MediaType => (request.Item?.MediaType.ToString(), NpgsqlDbType.Text),
        Parameter.Channel => (request.Item?.Channel, NpgsqlDbType.Text),
        Parameter.At => (request.At, NpgsqlDbType.TimestampTz),
        Parameter.AsKnownAt => (request.AsKnownAt, NpgsqlDbType.TimestampTz),
        _ => throw new ArgumentOutOfRangeException(nameof(parameter), parameter, null),
    };

    /// <summary>Reads the results of <see cref="Commands"/>, starting on the first statement's.</summary>
    private static async Task<ConsentFactSet> ReadResultsAsync(NpgsqlDataReader reader, FactsRequest request, CancellationToken ct)
    {
        await reader.NextResultAsync(ct); // past GenericPlans
        GroupFacts? group = null;
        if (request.GroupId is { } groupId)
        {
            if (await reader.ReadAsync(ct))
            {
                group = new GroupFacts(groupId, reader.GetString(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3),
                    reader.GetString(4));
            }
            await reader.NextResultAsync(ct);
        }

        // The organisation's policy at the moment: without one (none recorded by the moment known), no pupil is found and a
        // group's sheet keeps the organisation's own time zone.
        ConsentPolicy? policy = null;
        if (await reader.ReadAsync(ct))
        {
            policy = new ConsentPolicy(Enum.Parse<GrantRequires>(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2),
                reader.GetString(3), Enum.Parse<ConsentAfterLeaving>(reader.GetString(4)));
            if (group is not null)
            {
                group = group with { TimeZone = policy.TimeZone };
            }
        }

        await reader.NextResultAsync(ct);
        var pupils = new Dictionary<Guid, PupilFacts>();
        while (policy is not null && await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            pupils[id] = new PupilFacts(id, request.OrganisationId, reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateOnly>(4), policy,
                reader.GetFieldValue<Guid[]>(8), reader.IsDBNull(5) ? null : reader.GetGuid(5), Enum.Parse<PupilStatus>(reader.GetString(6)),
                reader.GetFieldValue<DateTimeOffset>(7));
        }

        await reader.NextResultAsync(ct);
        // Indexed by item as they are read: every evaluation looks its pupil's decisions up by (pupil, item).
        var decisions = new Dictionary<(Guid PupilId, MediaType MediaType, string Channel), List<DecisionFact>>();
        var rows = request.WithDecisionDetails ? new List<DecisionRow>() : null;
        // The statement's columns: the rules' first (0-8), the item's for every item (9-10), then the details (recorded_at,
        // form version, batch, method, recorded by, content hash, proof, note).
        var d = request.Item is null ? 11 : 9;
        while (await reader.ReadAsync(ct))
        {
            var pupilId = reader.GetGuid(0);
            if (!pupils.ContainsKey(pupilId))
            {
                // Only a found pupil's facts count (of the organisation, at a school the caller may see).
                continue;
            }
            var fact = new DecisionFact(reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2),
                Enum.Parse<ConsentOutcome>(reader.GetString(3)), reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt64(5),
                Enum.Parse<ConsentValidity>(reader.GetString(6)), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8));
            // For one item the statement read only that item's decisions: each row's item is the one asked for.
            var (mediaType, channel) = request.Item ?? (Enum.Parse<MediaType>(reader.GetString(9)), reader.GetString(10));
            ref var ofItem = ref CollectionsMarshal.GetValueRefOrAddDefault(decisions, (pupilId, mediaType, channel), out _);
            (ofItem ??= []).Add(fact);
            if (rows is not null)
            {
                rows.Add(new DecisionRow(fact.Id, pupilId, reader.GetGuid(d + 2), fact.GuardianId, mediaType, channel, fact.Outcome,
                    fact.GivenAt, reader.GetFieldValue<DateTimeOffset>(d), fact.Sequence, Enum.Parse<DecisionMethod>(reader.GetString(d + 3)),
                    reader.IsDBNull(d + 4) ? null : reader.GetGuid(d + 4), reader.GetGuid(d + 1), reader.GetString(d + 5),
                    fact.Validity, fact.SchoolYear, reader.IsDBNull(d + 6) ? null : reader.GetString(d + 6),
                    reader.IsDBNull(d + 7) ? null : reader.GetString(d + 7), fact.FormWithdrawnAt));
            }
        }

        await reader.NextResultAsync(ct);
        var asked = new List<(Guid? SchoolId, MediaType MediaType, string Channel)>();
        while (await reader.ReadAsync(ct))
        {
            asked.Add((reader.IsDBNull(0) ? null : reader.GetGuid(0), Enum.Parse<MediaType>(reader.GetString(1)), reader.GetString(2)));
        }

        await reader.NextResultAsync(ct);
        var channels = new Dictionary<string, ChannelFacts>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            channels[reader.GetString(0)] = new ChannelFacts(reader.GetString(0), reader.GetString(1),
                Enum.Parse<ChannelAudience>(reader.GetString(2)), reader.GetBoolean(3), reader.GetFieldValue<DateTimeOffset>(4),
                Enum.Parse<ChannelRecall>(reader.GetString(5)));
        }

        await reader.NextResultAsync(ct); // past RestorePlans (when sent), so that a batch's next reader starts on its own result
        return new ConsentFactSet(request.At, request.AsKnownAt, pupils, decisions, rows, asked, channels, group);
    }

    private const NpgsqlDbType Uuids = NpgsqlDbType.Array | NpgsqlDbType.Uuid;

    /// <summary>What the statements take, written <c>{Name}</c> in their text and numbered $1, $2, ... in order of use.</summary>
    private enum Parameter { Organisation, PupilIds, Group, SchoolIds, MediaType, Channel, At, AsKnownAt }

    private sealed record Statement(string Sql, Parameter[] Parameters);

    private static Statement Numbered(string sql)
    {
        var used = new List<Parameter>();
        var text = Regex.Replace(sql, @"\{([A-Za-z]+)\}", match =>
        {
            var parameter = Enum.Parse<Parameter>(match.Groups[1].Value);
            if (!used.Contains(parameter))
            {
                used.Add(parameter);
            }
            return $"${used.IndexOf(parameter) + 1}";
        });
        return new Statement(text, [.. used]);
    }

    // Every history is read the same way: the latest change that holds at the moment (valid_from <= at), of those
    // recorded by the moment known.

    /// <summary>The organisation's policy at the moment as known then.</summary>
    private const string PolicyAt = """
        SELECT grant_requires, school_year_end_month, school_year_end_day, time_zone, after_leaving
        FROM policy_changes
        WHERE organisation_id = {Organisation} AND valid_from <= {At} AND recorded_at <= {AsKnownAt}
        ORDER BY valid_from DESC, id DESC LIMIT 1
        """;

    /// <summary>The pupils in the group at the moment, as known then: enrolled (not left) and in that group.</summary>
    private const string PupilsOfGroup = """
        ARRAY(
            SELECT g.pupil_id FROM (SELECT DISTINCT pupil_id FROM pupil_enrolments WHERE group_id = {Group}) g
            CROSS JOIN LATERAL (
                SELECT status, group_id FROM pupil_enrolments
                WHERE pupil_id = g.pupil_id AND valid_from <= {At} AND recorded_at <= {AsKnownAt}
                ORDER BY valid_from DESC, id DESC LIMIT 1) e
            WHERE e.group_id = {Group} AND e.status = 'Active')
        """;

    /// <summary>The group, its school, and the organisation's own time zone (the policy's, read next, comes first).</summary>
    private const string Group = """
        SELECT g.name, g.school_year, s.id, s.name, o.time_zone
        FROM groups g
        JOIN schools s ON s.id = g.school_id
        JOIN organisations o ON o.id = s.organisation_id
        WHERE g.id = {Group} AND s.organisation_id = {Organisation} {GroupAtSchools}
        """;

    /// <summary>
    /// The pupils found, with their enrolment, date of birth and the guardians holding parental authority. These are kept
    /// as their histories end, with the latest moment in those histories: the enrolment and date of birth on the pupil's
    /// row, the guardians in pupil_authority (see the PupilCurrentFacts migration). Where that moment is at or before the
    /// moment asked and the moment known, nothing in the history is left out and the kept facts are the answer; otherwise
    /// the history is read. A check of now reads two rows per pupil where the histories cost four lookups, each on pages
    /// of its own. The organisation's policy is a statement of its own (one row) rather than joined to every pupil's.
    /// </summary>
    private const string Pupils = """
        SELECT p.id, p.school_id, p.external_id, p.display_name,
               CASE WHEN f.current THEN p.date_of_birth ELSE b.date_of_birth END,
               CASE WHEN f.current THEN p.group_id ELSE e.group_id END,
               CASE WHEN f.current THEN p.status ELSE e.status END,
               CASE WHEN f.current THEN p.enrolled_since ELSE e.enrolled_since END,
               CASE WHEN a.recorded_at IS NULL THEN '{}'
                    WHEN a.recorded_at <= {At} AND a.recorded_at <= {AsKnownAt} THEN a.guardian_ids
                    ELSE ARRAY(
                        SELECT l.guardian_id FROM (
                            SELECT DISTINCT ON (c.guardian_id) c.guardian_id, c.has_parental_authority
                            FROM guardian_link_changes c
                            WHERE c.pupil_id = p.id AND c.valid_from <= {At} AND c.recorded_at <= {AsKnownAt}
                            ORDER BY c.guardian_id, c.valid_from DESC, c.id DESC) l
                        WHERE l.has_parental_authority ORDER BY l.guardian_id) END
        FROM pupils p
        CROSS JOIN LATERAL (SELECT p.facts_recorded_at <= {At} AND p.facts_recorded_at <= {AsKnownAt} AS current) f
        LEFT JOIN pupil_authority a ON a.pupil_id = p.id
        LEFT JOIN LATERAL (
            SELECT status, group_id, enrolled_since FROM pupil_enrolments
            WHERE NOT f.current AND pupil_id = p.id AND valid_from <= {At} AND recorded_at <= {AsKnownAt}
            ORDER BY valid_from DESC, id DESC LIMIT 1) e ON true
        LEFT JOIN LATERAL (
            SELECT date_of_birth FROM pupil_birth_dates
            WHERE NOT f.current AND pupil_id = p.id AND recorded_at <= {AsKnownAt}
            ORDER BY recorded_at DESC, id DESC LIMIT 1) b ON true
        WHERE p.organisation_id = {Organisation} AND p.id = ANY({Pupils}) {PupilsAtSchools}
          AND (f.current OR e.status IS NOT NULL AND b.date_of_birth IS NOT NULL)
        """;

    // Each person's latest decision per item, given by the moment and recorded by the moment known: by moment given,
    // then recording order. A grant for a school year that has not begun on the local day of the moment does not count
    // yet and so supersedes nothing (the same rule as ConsentRules; the property tests hold them to each other). Those
    // versions (a handful) are found once per statement, an uncorrelated subquery PostgreSQL runs before the scans
    // (an InitPlan), so that the index is read with no join. Found through a chain of common table expressions (policy,
    // school year, versions) and with two more columns, the check's statement ran 8-13 % fewer times a second
    // (bench/pgbench/run.sh, 30 pupils: 10,500-10,750 against 11,700 at history depth 1, 10,400-10,600 against
    // 11,600-12,100 at depth 10). The decisions index holds each person's decisions on an item newest first and covers
    // everything the rules read, so the latest are picked in index order with no sort and no table access; only what a
    // response shows of them (method, batch, proof) is read from the table, and only when asked for.
    private const string NotBegun = """
        ARRAY(
            SELECT v.id
            FROM (SELECT school_year_end_month AS month, school_year_end_day AS day, ({At} AT TIME ZONE time_zone)::date AS today
                  FROM policy_changes
                  WHERE organisation_id = {Organisation} AND valid_from <= {At} AND recorded_at <= {AsKnownAt}
                  ORDER BY valid_from DESC, id DESC LIMIT 1) p
            CROSS JOIN consent_form_versions v
            JOIN consent_forms f ON f.id = v.form_id
            WHERE f.organisation_id = {Organisation} AND v.validity = 'SchoolYear'
              AND (left(v.school_year, 4)::int > CASE WHEN p.today <= make_date(extract(year FROM p.today)::int, p.month, p.day)
                                                      THEN extract(year FROM p.today)::int - 1
                                                      ELSE extract(year FROM p.today)::int END) IS NOT FALSE)
        """;

    // What the rules read of each decision come first; the item when the read is of every item; then what a response
    // shows of it. A column the check does not read still costs it: with two more, the check's five statements ran 4 %
    // fewer times a second (pgbench, the statements pipelined as the API sends them).
    private const string DecisionsSelect = """
        SELECT d.pupil_id, d.id, d.guardian_id, d.outcome, d.given_at, d.sequence,
               v.validity, v.school_year, CASE WHEN v.withdrawn_at <= {AsKnownAt} THEN v.withdrawn_at END
        """;

    private const string ItemColumns = ", d.media_type, d.channel_key";

    private const string Details = """
        , d.recorded_at, d.form_version_id, t.batch_id, t.method, t.recorded_by_client_id, v.content_hash, t.proof_reference, t.note
        """;

    /// <summary>What counts at the moment, as known then, of the decisions in the index (d).</summary>
    private const string LatestColumns = """
        d.pupil_id, d.media_type, d.channel_key, d.guardian_id, d.given_at, d.sequence, d.id, d.outcome, d.form_version_id, d.recorded_at
        FROM decisions d
        WHERE d.given_at <= {At} AND d.recorded_at <= {AsKnownAt} AND NOT (d.outcome = 'Granted' AND d.form_version_id = ANY({NotBegun}))
        """;

    // One item with the decisions' details (a publication's dossier shows every guardian's): per pupil, the people who
    // decided on it in index order, each one's newest counting decision first.
    private const string LatestOfOneItem = """
        FROM unnest({Pupils}) x(id)
        CROSS JOIN LATERAL (
            SELECT DISTINCT ON (d.guardian_id)
        """ + "\n" + LatestColumns + "\n" + """
              AND d.pupil_id = x.id AND d.media_type = {MediaType} AND d.channel_key = {Channel}
            ORDER BY d.guardian_id, d.given_at DESC, d.sequence DESC) d
        JOIN consent_form_versions v ON v.id = d.form_version_id
        """;

    // One item without the decisions' details (a check, a publication's consent): each person's newest decision on the
    // item, kept in decision_heads as decisions are inserted, is their latest counting one whenever it counts at the
    // moment asked, as known then; a check of now reads one entry per person however long the history behind it. Only a
    // head that does not count (given after the moment, recorded after the moment known, a grant for a school year not
    // begun) sends the read to that person's history, newest first, for the first entry that does: the lateral join's
    // condition is on the head alone, so PostgreSQL skips it for a head that counts (a one-time filter). The versions
    // not begun are found once (OFFSET 0 keeps the subquery whole; pulled up into its uses, it ran once per use). With
    // the heads kept in a common table expression instead, read twice (those that count, those that do not), the
    // statement ran 11,500-11,900 times a second against 13,400-13,900 now, at history depth 1 and 10 alike, and the
    // fastest SQL's DISTINCT ON over the index 13,500-13,900 at depth 1 (pgbench, 30 pupils).
    private const string OneItemFromHeads = """
        SELECT h.pupil_id, coalesce(d.id, h.id), h.guardian_id, coalesce(d.outcome, h.outcome), coalesce(d.given_at, h.given_at),
               coalesce(d.sequence, h.sequence), v.validity, v.school_year, CASE WHEN v.withdrawn_at <= {AsKnownAt} THEN v.withdrawn_at END
        FROM (SELECT {NotBegun} AS version_ids OFFSET 0) n
        CROSS JOIN decision_heads h
        CROSS JOIN LATERAL (
            SELECT h.given_at <= {At} AND h.recorded_at <= {AsKnownAt}
                   AND NOT (h.outcome = 'Granted' AND h.form_version_id = ANY(n.version_ids)) AS counts) k
        LEFT JOIN LATERAL (
            SELECT d.id, d.outcome, d.given_at, d.sequence, d.form_version_id
            FROM decisions d
            WHERE NOT k.counts
              AND d.given_at <= {At} AND d.recorded_at <= {AsKnownAt} AND NOT (d.outcome = 'Granted' AND d.form_version_id = ANY(n.version_ids))
              AND d.pupil_id = h.pupil_id AND d.media_type = {MediaType} AND d.channel_key = {Channel}
              AND d.guardian_id IS NOT DISTINCT FROM h.guardian_id
            ORDER BY d.guardian_id, d.given_at DESC, d.sequence DESC LIMIT 1) d ON true
        JOIN consent_form_versions v ON v.id = coalesce(d.form_version_id, h.form_version_id)
        WHERE h.pupil_id = ANY({Pupils}) AND h.media_type = {MediaType} AND h.channel_key = {Channel} AND (k.counts OR d.id IS NOT NULL)
        """;

    // Every item (a matrix, a class sheet): each pupil's decisions read once from the index, in its order.
    private const string LatestOfEveryItem = """
        FROM (
            SELECT DISTINCT ON (d.pupil_id, d.media_type, d.channel_key, d.guardian_id)
        """ + "\n" + LatestColumns + "\n" + """
              AND d.pupil_id = ANY({Pupils})
            ORDER BY d.pupil_id, d.media_type, d.channel_key, d.guardian_id, d.given_at DESC, d.sequence DESC) d
        JOIN consent_form_versions v ON v.id = d.form_version_id
        """;

    private const string Asked = """
        SELECT DISTINCT f.school_id, i.media_type, i.channel_key
        FROM consent_form_items i
        JOIN consent_form_versions v ON v.id = i.version_id
        JOIN consent_forms f ON f.id = v.form_id
        WHERE i.organisation_id = {Organisation} AND v.published_at <= {At} AND v.published_at <= {AsKnownAt}
          AND (v.withdrawn_at IS NULL OR v.withdrawn_at > {At} OR v.withdrawn_at > {AsKnownAt})
          {AskedItem}
        """;

    /// <summary>The organisation's channels (only the item's, for one item), retired ones included.</summary>
    private const string Channels = """
        SELECT c.key, c.name_nl, h.audience, h.retired, h.meaning_since, h.recall
        FROM channels c
        CROSS JOIN LATERAL (
            SELECT audience, retired, meaning_since, recall FROM channel_changes h
            WHERE h.organisation_id = c.organisation_id AND h.channel_key = c.key AND h.valid_from <= {At} AND h.recorded_at <= {AsKnownAt}
            ORDER BY h.valid_from DESC, h.id DESC LIMIT 1) h
        WHERE c.organisation_id = {Organisation} {ChannelOfItem}
        """;

    // Every read is planned once per connection, as the fastest baseline's are: left to choose, PostgreSQL planned the
    // one-pupil reads (a matrix, the parents' app, recording) afresh on every execution, because a generic plan is costed
    // for ten pupil ids and at a million pupils that looked dearer than planning for the one; planning then cost more
    // than running the statements. The setting is the transaction's (set_config's third argument), and the facts leave
    // it as they found it: what a command runs after them is planned as the command chose (recording decisions plans its
    // whole transaction generically; others leave it to PostgreSQL).
    private static readonly Statement GenericPlans = new(
        "SELECT set_config('consent.plans_before', current_setting('plan_cache_mode'), true), set_config('plan_cache_mode', 'force_generic_plan', true)",
        []);

    private static readonly Statement RestorePlans = new(
        "SELECT set_config('plan_cache_mode', current_setting('consent.plans_before'), true)", []);

    // Each kind of read has statements of its own rather than one text with optional filters ("$n IS NULL OR ..."):
    // PostgreSQL plans a prepared statement once (a generic plan) only while that costs no more than planning it for
    // the values at hand, and with such optional filters it planned the class sheet's pupils afresh on every execution.

    /// <summary>The statements of each kind of read: (for a group, for one item, with the decisions' details, for some schools only).</summary>
    private static readonly Dictionary<(bool Group, bool OneItem, bool Details, bool SomeSchools), Statement[]> StatementSets =
        (from forGroup in new[] { false, true }
         from oneItem in new[] { false, true }
         from details in new[] { false, true }
         from someSchools in new[] { false, true }
         select (Key: (forGroup, oneItem, details, someSchools), Statements: StatementsFor(forGroup, oneItem, details, someSchools)))
        .ToDictionary(s => s.Key, s => s.Statements);

    /// <summary>
    /// The statements a check of one item for given pupils sends (no group, no decisions' details, every school), each with
    /// the names of the parameters it numbers $1, $2, ...: bench/pgbench/check-statements.sql is their copy for pgbench.
    /// The statements that switch the transaction to generic plans and back, first and last in the set, are left out.
    /// </summary>
    internal static IEnumerable<(string Sql, string[] Parameters)> CheckStatements() =>
        StatementSets[(false, true, false, false)][1..^1].Select(s => (s.Sql, s.Parameters.Select(p => p.ToString()).ToArray()));

    private static Statement[] StatementsFor(bool forGroup, bool oneItem, bool details, bool someSchools)
    {
        var decisions = oneItem && !details
            ? OneItemFromHeads
            : string.Join('\n', DecisionsSelect, oneItem ? "" : ItemColumns, details ? Details : "",
                oneItem ? LatestOfOneItem : LatestOfEveryItem, details ? "JOIN decisions t ON t.id = d.id" : "");
        string[] statements = forGroup ? [Group, PolicyAt, Pupils, decisions, Asked, Channels] : [PolicyAt, Pupils, decisions, Asked, Channels];
        return [GenericPlans, .. statements.Select(sql => Numbered(sql
            .Replace("{NotBegun}", NotBegun)
            .Replace("{Pupils}", forGroup ? PupilsOfGroup : "{PupilIds}")
            .Replace("{PupilsAtSchools}", someSchools ? "AND p.school_id = ANY({SchoolIds})" : "")
            .Replace("{GroupAtSchools}", someSchools ? "AND s.id = ANY({SchoolIds})" : "")
            .Replace("{ChannelOfItem}", oneItem ? "AND c.key = {Channel}" : "")
            .Replace("{AskedItem}", oneItem ? "AND i.media_type = {MediaType} AND i.channel_key = {Channel}" : ""))), RestorePlans];
    }
}

/// <summary>The facts <see cref="ConsentFactsReader"/> read, and their evaluation by the rules.</summary>
public sealed class ConsentFactSet
{
    private readonly Dictionary<(Guid PupilId, MediaType MediaType, string Channel), List<DecisionFact>> _decisions;
    private readonly ILookup<(Guid PupilId, MediaType MediaType, string Channel), DecisionRow>? _rows;
    private readonly ILookup<Guid?, (MediaType MediaType, string Channel)> _asked;

    internal ConsentFactSet(DateTimeOffset at, DateTimeOffset asKnownAt, IReadOnlyDictionary<Guid, PupilFacts> pupils,
        Dictionary<(Guid PupilId, MediaType MediaType, string Channel), List<DecisionFact>> decisions, IReadOnlyList<DecisionRow>? rows,
        IReadOnlyList<(Guid? SchoolId, MediaType MediaType, string Channel)> asked, IReadOnlyDictionary<string, ChannelFacts> channels,
        GroupFacts? group = null)
    {
        At = at;
        AsKnownAt = asKnownAt;
        Pupils = pupils;
        Channels = channels;
        Group = group;
        _decisions = decisions;
        _rows = rows?.ToLookup(d => (d.PupilId, d.MediaType, d.ChannelKey));
        _asked = asked.ToLookup(a => a.SchoolId, a => (a.MediaType, a.Channel));
    }

    public static ConsentFactSet Empty(FactsRequest request) =>
        new(request.At, request.AsKnownAt, new Dictionary<Guid, PupilFacts>(), [], request.WithDecisionDetails ? [] : null, [],
            new Dictionary<string, ChannelFacts>());

    /// <summary>The group asked for (<see cref="FactsRequest.GroupId"/>), when it exists and the caller may see it.</summary>
    public GroupFacts? Group { get; }

    public DateTimeOffset At { get; }

    public DateTimeOffset AsKnownAt { get; }

    /// <summary>The pupils found (of the organisation, at schools the caller may see).</summary>
    public IReadOnlyDictionary<Guid, PupilFacts> Pupils { get; }

    /// <summary>The organisation's channels, retired ones included; for one item, that item's channel.</summary>
    public IReadOnlyDictionary<string, ChannelFacts> Channels { get; }

    /// <summary>Whether a published form asked the item of the school's pupils by the moment.</summary>
    public bool Asked(Guid schoolId, (MediaType MediaType, string Channel) item) =>
        _asked[null].Contains(item) || _asked[schoolId].Contains(item);

    /// <summary>The items the pupil's consent covers: those asked of the pupil's school and those anyone decided on.</summary>
    public IEnumerable<(MediaType MediaType, string Channel)> ItemsOf(Guid pupilId) =>
        Pupils.TryGetValue(pupilId, out var pupil)
            ? _asked[null].Concat(_asked[pupil.SchoolId])
                .Concat(_decisions.Keys.Where(k => k.PupilId == pupilId).Select(k => (k.MediaType, k.Channel)))
                .Distinct()
            : [];

    /// <summary>Every media type on every channel in use at the moment: the columns of a matrix or a class sheet.</summary>
    public IEnumerable<(MediaType MediaType, string Channel)> ChannelItems =>
        Channels.Values.Where(c => !c.Retired)
            .SelectMany(c => Enum.GetValues<MediaType>().Select(m => (m, c.Key)));

    /// <summary>Each person's latest counting decision on the item, in recording order.</summary>
    public IReadOnlyList<DecisionRow> DecisionsOf(Guid pupilId, (MediaType MediaType, string Channel) item) =>
        [.. (_rows ?? throw new InvalidOperationException($"Read with {nameof(FactsRequest.WithDecisionDetails)} to show the decisions."))
            [(pupilId, item.MediaType, item.Channel)].OrderBy(d => d.Sequence)];

    /// <summary>
    /// The pupil's consent for the item at the moment, counting <paramref name="added"/> as well: decisions the current
    /// transaction has just recorded.
    /// </summary>
    public EffectiveConsent Evaluate(Guid pupilId, (MediaType MediaType, string Channel) item, IEnumerable<DecisionFact>? added = null)
    {
        var pupil = Pupils[pupilId];
        IReadOnlyList<DecisionFact> decisions = _decisions.TryGetValue((pupilId, item.MediaType, item.Channel), out var read) ? read : [];
        if (added is not null)
        {
            decisions = [.. decisions, .. added];
        }
        var channel = Channels.GetValueOrDefault(item.Channel);
        var limits = new GrantLimits(pupil.EnrolledSince, pupil.Status == PupilStatus.Left,
            channel?.MeaningSince ?? DateTimeOffset.MinValue, channel?.Retired ?? false);
        return ConsentRules.Evaluate(
            new ConsentFacts(pupil.DateOfBirth, pupil.GuardiansWithAuthority, decisions, Asked(pupil.SchoolId, item), limits),
            pupil.Policy, At);
    }
}
