using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

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
    DateTimeOffset AsKnownAt);

/// <summary>A channel as it stood at the moment.</summary>
/// <param name="MeaningSince">When its audience last changed, or it was retired or brought back: grants given before no longer count.</param>
/// <param name="Recall">Whether what was published there could be taken back then; no rule reads it, the proof shows it.</param>
public sealed record ChannelFacts(string Key, string NameNl, ChannelAudience Audience, bool Retired, DateTimeOffset MeaningSince,
    ChannelRecall Recall = ChannelRecall.Removable);

/// <summary>
/// The one facts model (DESIGN.md §4): every reader of consent — the check, the matrix, the class sheet, the takedown scan
/// and sweep, the announcements of changes, the parents' app — reads its facts here and evaluates them with the one pure
/// rules function (<see cref="ConsentRules"/>). One round trip of five statements: the pupils with their organisation's
/// policy, the guardians with authority, each person's latest decision per item that counts at the moment (as recorded
/// by <see cref="FactsRequest.AsKnownAt"/>), the items published forms ask, and the channels.
/// </summary>
public sealed class ConsentFactsReader(ConsentDbContext db)
{
    public async Task<ConsentFactSet> ReadAsync(FactsRequest request, CancellationToken ct)
    {
        if (request.PupilIds.Count == 0)
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

    /// <summary>The pupils in a group at the moment, as known then: enrolled (not left) and in that group.</summary>
    public Task<List<Guid>> PupilsOfGroupAsync(Guid groupId, DateTimeOffset at, DateTimeOffset asKnownAt, CancellationToken ct) =>
        db.Database.SqlQuery<Guid>($"""
            SELECT p.id AS "Value"
            FROM pupils p
            CROSS JOIN LATERAL (
                SELECT status, group_id FROM pupil_enrolments
                WHERE pupil_id = p.id AND valid_from <= {at} AND recorded_at <= {asKnownAt}
                ORDER BY valid_from DESC, id DESC LIMIT 1) e
            WHERE p.id IN (SELECT pupil_id FROM pupil_enrolments WHERE group_id = {groupId})
              AND e.group_id = {groupId} AND e.status = 'Active'
            """).ToListAsync(ct);

    /// <summary>The same read on a plain open connection (in <paramref name="transaction"/> when given).</summary>
    public static async Task<ConsentFactSet> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, FactsRequest request, CancellationToken ct)
    {
        var pupilIds = request.PupilIds.Distinct().ToArray();
        if (pupilIds.Length == 0)
        {
            return ConsentFactSet.Empty(request);
        }

        await using var batch = new NpgsqlBatch(connection) { Transaction = transaction };
        foreach (var command in Commands(request, pupilIds))
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
        if (pupilIds.Length == 0)
        {
            read(ConsentFactSet.Empty(request));
            return;
        }
        batch.Add(Commands(request, pupilIds), async (reader, ct) => read(await ReadResultsAsync(reader, request, ct)));
    }

    private static List<NpgsqlBatchCommand> Commands(FactsRequest request, Guid[] pupilIds)
    {
        var commands = new List<NpgsqlBatchCommand>();
        object?[] values =
        [
            request.OrganisationId, pupilIds, request.SchoolIds?.ToArray(), request.Item?.MediaType.ToString(), request.Item?.Channel,
            request.At, request.AsKnownAt,
        ];
        foreach (var (sql, parameters) in request.Item is null ? StatementsForEveryItem : Statements)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var (number, type) in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = values[number - 1] ?? DBNull.Value, NpgsqlDbType = type });
            }
            commands.Add(command);
        }
        return commands;
    }

    /// <summary>Reads the results of <see cref="Commands"/>, starting on the first statement's.</summary>
    private static async Task<ConsentFactSet> ReadResultsAsync(NpgsqlDataReader reader, FactsRequest request, CancellationToken ct)
    {
        var pupils = new Dictionary<Guid, PupilRow>();
        while (await reader.ReadAsync(ct))
        {
            pupils[reader.GetGuid(0)] = new PupilRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateOnly>(4), await reader.IsDBNullAsync(5, ct) ? null : reader.GetGuid(5),
                Enum.Parse<PupilStatus>(reader.GetString(6)), reader.GetFieldValue<DateTimeOffset>(7),
                new ConsentPolicy(Enum.Parse<GrantRequires>(reader.GetString(8)), reader.GetInt32(9), reader.GetInt32(10), reader.GetString(11),
                    Enum.Parse<ConsentAfterLeaving>(reader.GetString(12))));
        }

        await reader.NextResultAsync(ct);
        var authority = new List<(Guid PupilId, Guid GuardianId)>();
        while (await reader.ReadAsync(ct))
        {
            authority.Add((reader.GetGuid(0), reader.GetGuid(1)));
        }

        await reader.NextResultAsync(ct);
        var decisions = new List<DecisionRow>();
        while (await reader.ReadAsync(ct))
        {
            decisions.Add(new DecisionRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2),
                await reader.IsDBNullAsync(3, ct) ? null : reader.GetGuid(3), Enum.Parse<MediaType>(reader.GetString(4)),
                reader.GetString(5), Enum.Parse<ConsentOutcome>(reader.GetString(6)), reader.GetFieldValue<DateTimeOffset>(7),
                reader.GetFieldValue<DateTimeOffset>(8), reader.GetInt64(9), Enum.Parse<DecisionMethod>(reader.GetString(10)),
                await reader.IsDBNullAsync(11, ct) ? null : reader.GetGuid(11), reader.GetGuid(12), reader.GetString(13),
                Enum.Parse<ConsentValidity>(reader.GetString(14)), await reader.IsDBNullAsync(15, ct) ? null : reader.GetString(15),
                await reader.IsDBNullAsync(16, ct) ? null : reader.GetString(16), await reader.IsDBNullAsync(17, ct) ? null : reader.GetString(17),
                await reader.IsDBNullAsync(18, ct) ? null : reader.GetFieldValue<DateTimeOffset>(18)));
        }

        await reader.NextResultAsync(ct);
        var asked = new List<(Guid? SchoolId, MediaType MediaType, string Channel)>();
        while (await reader.ReadAsync(ct))
        {
            asked.Add((await reader.IsDBNullAsync(0, ct) ? null : reader.GetGuid(0), Enum.Parse<MediaType>(reader.GetString(1)), reader.GetString(2)));
        }

        await reader.NextResultAsync(ct);
        var channels = new Dictionary<string, ChannelFacts>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            channels[reader.GetString(0)] = new ChannelFacts(reader.GetString(0), reader.GetString(1),
                Enum.Parse<ChannelAudience>(reader.GetString(2)), reader.GetBoolean(3), reader.GetFieldValue<DateTimeOffset>(4),
                Enum.Parse<ChannelRecall>(reader.GetString(5)));
        }

        var guardians = authority.ToLookup(a => a.PupilId, a => a.GuardianId);
        return new ConsentFactSet(request.At, request.AsKnownAt,
            pupils.Values.ToDictionary(p => p.Id, p => new PupilFacts(p.Id, request.OrganisationId, p.SchoolId, p.ExternalId,
                p.DisplayName, p.DateOfBirth, p.Policy, guardians[p.Id].Distinct().ToList(), p.GroupId, p.Status, p.EnrolledSince)),
            decisions, asked, channels);
    }

    private sealed record PupilRow(Guid Id, Guid SchoolId, string ExternalId, string DisplayName, DateOnly DateOfBirth, Guid? GroupId,
        PupilStatus Status, DateTimeOffset EnrolledSince, ConsentPolicy Policy);

    private const NpgsqlDbType Uuids = NpgsqlDbType.Array | NpgsqlDbType.Uuid;

    private static readonly (int Number, NpgsqlDbType Type) Organisation = (1, NpgsqlDbType.Uuid);
    private static readonly (int Number, NpgsqlDbType Type) PupilIds = (2, Uuids);
    private static readonly (int Number, NpgsqlDbType Type) SchoolIds = (3, Uuids);
    private static readonly (int Number, NpgsqlDbType Type) MediaType = (4, NpgsqlDbType.Text);
    private static readonly (int Number, NpgsqlDbType Type) Channel = (5, NpgsqlDbType.Text);
    private static readonly (int Number, NpgsqlDbType Type) At = (6, NpgsqlDbType.TimestampTz);
    private static readonly (int Number, NpgsqlDbType Type) AsKnownAt = (7, NpgsqlDbType.TimestampTz);

    /// <summary>The organisation's policy at the moment as known then ($1 organisation, $2 at, $3 as known at).</summary>
    private const string PolicyAt = """
        SELECT grant_requires, school_year_end_month, school_year_end_day, time_zone, after_leaving
        FROM policy_changes
        WHERE organisation_id = $1 AND valid_from <= $2 AND recorded_at <= $3
        ORDER BY valid_from DESC, id DESC LIMIT 1
        """;

    // Each person's latest decision per item, given by the moment and recorded by the moment known: by moment given,
    // then recording order. A grant for a school year that has not begun on the local day of the moment does not count
    // yet and so supersedes nothing (the same rule as ConsentRules; the property tests hold them to each other).
    // History only grows (a board that asks every year has ten decisions per person and item after ten years), so the
    // latest are picked in the decisions index, which holds each person's decisions on an item newest first and covers
    // what is filtered on; only the chosen decisions are then read from the table. The versions whose school year has
    // not begun are found once first (a handful), so that the index is read with no join. A pupil's decisions all
    // belong to its organisation, so the organisation is checked on the chosen ones. {at} and {known} are the moment
    // and the moment known, $1 the organisation and $2 the pupils.
    private static readonly string DecisionsHead = $$"""
        WITH RECURSIVE policy AS ({{PolicyAt.Replace("$2", "{at}").Replace("$3", "{known}")}}),
        school_year AS (
            SELECT CASE WHEN local_day <= make_date(extract(year FROM local_day)::int, p.school_year_end_month, p.school_year_end_day)
                        THEN extract(year FROM local_day)::int - 1 ELSE extract(year FROM local_day)::int END AS start_year
            FROM policy p CROSS JOIN LATERAL (SELECT ({at} AT TIME ZONE p.time_zone)::date AS local_day) d),
        not_begun AS MATERIALIZED (
            SELECT coalesce((
                SELECT array_agg(v.id)
                FROM consent_form_versions v JOIN consent_forms f ON f.id = v.form_id
                WHERE f.organisation_id = $1 AND v.validity = 'SchoolYear' AND (left(v.school_year, 4)::int > y.start_year) IS NOT FALSE
            ), '{}') AS version_ids
            FROM school_year y),
        """;

    private const string DecisionsTail = """
        SELECT d.id, d.pupil_id, d.batch_id, d.guardian_id, d.media_type, d.channel_key, d.outcome, d.given_at, d.recorded_at,
               d.sequence, d.method, d.recorded_by_client_id, d.form_version_id, v.content_hash, v.validity, v.school_year,
               d.proof_reference, d.note, CASE WHEN v.withdrawn_at <= {known} THEN v.withdrawn_at END
        FROM latest l
        JOIN decisions d ON d.id = l.id
        JOIN consent_form_versions v ON v.id = d.form_version_id
        WHERE d.organisation_id = $1
        ORDER BY d.pupil_id, d.media_type, d.channel_key, d.guardian_id
        """;

    /// <summary>A decision that counts at the moment, as known then (d: decisions, n: not_begun).</summary>
    private const string Counts =
        "d.given_at <= {at} AND d.recorded_at <= {known} AND NOT (d.outcome = 'Granted' AND d.form_version_id = ANY(n.version_ids))";

    // One item ($3 media type, $4 channel): a check reads a handful of index entries per pupil however long the history.
    // For each pupil the guardians who decided are visited in index order, each jump landing on the next guardian's
    // latest counting decision (the first that counts in newest-first order); the pupil's own decisions (no guardian)
    // are looked up apart.
    private static readonly (string Sql, (int Number, NpgsqlDbType Type)[] Parameters) Decisions =
        ((DecisionsHead + $$"""
        pupils AS (SELECT DISTINCT unnest($2::uuid[]) AS pupil_id),
        guardians AS (
            SELECT p.pupil_id, f.id, f.guardian_id
            FROM pupils p
            CROSS JOIN not_begun n
            CROSS JOIN LATERAL (
                SELECT d.id, d.guardian_id FROM decisions d
                WHERE d.pupil_id = p.pupil_id AND d.media_type = $3 AND d.channel_key = $4 AND d.guardian_id IS NOT NULL AND {{Counts}}
                ORDER BY d.guardian_id, d.given_at DESC, d.sequence DESC LIMIT 1) f
            UNION ALL
            SELECT g.pupil_id, f.id, f.guardian_id
            FROM guardians g
            CROSS JOIN not_begun n
            CROSS JOIN LATERAL (
                SELECT d.id, d.guardian_id FROM decisions d
                WHERE d.pupil_id = g.pupil_id AND d.media_type = $3 AND d.channel_key = $4 AND d.guardian_id > g.guardian_id AND {{Counts}}
                ORDER BY d.guardian_id, d.given_at DESC, d.sequence DESC LIMIT 1) f),
        own AS (
            SELECT f.id
            FROM pupils p
            CROSS JOIN not_begun n
            CROSS JOIN LATERAL (
                SELECT d.id FROM decisions d
                WHERE d.pupil_id = p.pupil_id AND d.media_type = $3 AND d.channel_key = $4 AND d.guardian_id IS NULL AND {{Counts}}
                ORDER BY d.given_at DESC, d.sequence DESC LIMIT 1) f),
        latest AS (SELECT id FROM guardians UNION ALL SELECT id FROM own)

        """ + DecisionsTail).Replace("{at}", "$5").Replace("{known}", "$6"),
            [Organisation, PupilIds, MediaType, Channel, At, AsKnownAt]);

    /// <summary>
    /// Every item (a matrix, a class sheet): each pupil's decisions are read once from the index, newest first per
    /// person and item, with no sort and no table access.
    /// </summary>
    private static readonly (string Sql, (int Number, NpgsqlDbType Type)[] Parameters) DecisionsOfEveryItem =
        ((DecisionsHead + $$"""
        latest AS (
            SELECT DISTINCT ON (d.pupil_id, d.media_type, d.channel_key, d.guardian_id) d.id
            FROM decisions d
            CROSS JOIN not_begun n
            WHERE d.pupil_id = ANY($2) AND {{Counts}}
            ORDER BY d.pupil_id, d.media_type, d.channel_key, d.guardian_id, d.given_at DESC, d.sequence DESC)

        """ + DecisionsTail).Replace("{at}", "$3").Replace("{known}", "$4"), [Organisation, PupilIds, At, AsKnownAt]);

    // Each statement numbers the parameters it takes in order: $1, $2, ... are the listed ones. Every history is read
    // the same way: the latest change that holds at the moment (valid_from <= at), of those recorded by the moment known.
    private static readonly (string Sql, (int Number, NpgsqlDbType Type)[] Parameters)[] Statements =
    [
        ($$"""
        WITH policy AS ({{PolicyAt.Replace("$2", "$4").Replace("$3", "$5")}})
        SELECT p.id, p.school_id, p.external_id, p.display_name, b.date_of_birth, e.group_id, e.status, e.enrolled_since,
               pol.grant_requires, pol.school_year_end_month, pol.school_year_end_day, pol.time_zone, pol.after_leaving
        FROM pupils p
        CROSS JOIN policy pol
        CROSS JOIN LATERAL (
            SELECT status, group_id, enrolled_since FROM pupil_enrolments
            WHERE pupil_id = p.id AND valid_from <= $4 AND recorded_at <= $5
            ORDER BY valid_from DESC, id DESC LIMIT 1) e
        CROSS JOIN LATERAL (
            SELECT date_of_birth FROM pupil_birth_dates
            WHERE pupil_id = p.id AND recorded_at <= $5
            ORDER BY recorded_at DESC, id DESC LIMIT 1) b
        WHERE p.organisation_id = $1 AND p.id = ANY($2) AND ($3::uuid[] IS NULL OR p.school_id = ANY($3))
        """, [Organisation, PupilIds, SchoolIds, At, AsKnownAt]),
        ("""
        SELECT l.pupil_id, l.guardian_id
        FROM (
            SELECT DISTINCT ON (c.pupil_id, c.guardian_id) c.pupil_id, c.guardian_id, c.has_parental_authority
            FROM guardian_link_changes c
            WHERE c.pupil_id = ANY($1) AND c.valid_from <= $2 AND c.recorded_at <= $3
            ORDER BY c.pupil_id, c.guardian_id, c.valid_from DESC, c.id DESC) l
        WHERE l.has_parental_authority
        """, [PupilIds, At, AsKnownAt]),
        Decisions,
        ("""
        SELECT DISTINCT f.school_id, i.media_type, i.channel_key
        FROM consent_form_items i
        JOIN consent_form_versions v ON v.id = i.version_id
        JOIN consent_forms f ON f.id = v.form_id
        WHERE i.organisation_id = $1 AND v.published_at <= $4 AND v.published_at <= $5
          AND (v.withdrawn_at IS NULL OR v.withdrawn_at > $4 OR v.withdrawn_at > $5)
          AND ($2::text IS NULL OR (i.media_type = $2 AND i.channel_key = $3))
        """, [Organisation, MediaType, Channel, At, AsKnownAt]),
        ("""
        SELECT c.key, c.name_nl, h.audience, h.retired, h.meaning_since, h.recall
        FROM channels c
        CROSS JOIN LATERAL (
            SELECT audience, retired, meaning_since, recall FROM channel_changes h
            WHERE h.organisation_id = c.organisation_id AND h.channel_key = c.key AND h.valid_from <= $2 AND h.recorded_at <= $3
            ORDER BY h.valid_from DESC, h.id DESC LIMIT 1) h
        WHERE c.organisation_id = $1
        """, [Organisation, At, AsKnownAt]),
    ];

    /// <summary>The statements of a read of every item: the same, with the decisions of every item.</summary>
    private static readonly (string Sql, (int Number, NpgsqlDbType Type)[] Parameters)[] StatementsForEveryItem =
        [.. Statements.Select(s => ReferenceEquals(s.Sql, Decisions.Sql) ? DecisionsOfEveryItem : s)];
}

/// <summary>The facts <see cref="ConsentFactsReader"/> read, and their evaluation by the rules.</summary>
public sealed class ConsentFactSet
{
    private readonly ILookup<(Guid PupilId, MediaType MediaType, string Channel), DecisionRow> _decisions;
    private readonly ILookup<Guid?, (MediaType MediaType, string Channel)> _asked;

    internal ConsentFactSet(DateTimeOffset at, DateTimeOffset asKnownAt, IReadOnlyDictionary<Guid, PupilFacts> pupils,
        IReadOnlyList<DecisionRow> decisions, IReadOnlyList<(Guid? SchoolId, MediaType MediaType, string Channel)> asked,
        IReadOnlyDictionary<string, ChannelFacts> channels)
    {
        At = at;
        AsKnownAt = asKnownAt;
        Pupils = pupils;
        Channels = channels;
        _decisions = decisions.ToLookup(d => (d.PupilId, d.MediaType, d.ChannelKey));
        _asked = asked.ToLookup(a => a.SchoolId, a => (a.MediaType, a.Channel));
    }

    public static ConsentFactSet Empty(FactsRequest request) =>
        new(request.At, request.AsKnownAt, new Dictionary<Guid, PupilFacts>(), [], [], new Dictionary<string, ChannelFacts>());

    public DateTimeOffset At { get; }

    public DateTimeOffset AsKnownAt { get; }

    /// <summary>The pupils found (of the organisation, at schools the caller may see).</summary>
    public IReadOnlyDictionary<Guid, PupilFacts> Pupils { get; }

    /// <summary>The organisation's channels, retired ones included.</summary>
    public IReadOnlyDictionary<string, ChannelFacts> Channels { get; }

    /// <summary>Whether a published form asked the item of the school's pupils by the moment.</summary>
    public bool Asked(Guid schoolId, (MediaType MediaType, string Channel) item) =>
        _asked[null].Contains(item) || _asked[schoolId].Contains(item);

    /// <summary>The items the pupil's consent covers: those asked of the pupil's school and those anyone decided on.</summary>
    public IEnumerable<(MediaType MediaType, string Channel)> ItemsOf(Guid pupilId) =>
        Pupils.TryGetValue(pupilId, out var pupil)
            ? _asked[null].Concat(_asked[pupil.SchoolId])
                .Concat(_decisions.Where(g => g.Key.PupilId == pupilId).Select(g => (g.Key.MediaType, g.Key.Channel)))
                .Distinct()
            : [];

    /// <summary>Every media type on every channel in use at the moment: the columns of a matrix or a class sheet.</summary>
    public IEnumerable<(MediaType MediaType, string Channel)> ChannelItems =>
        Channels.Values.Where(c => !c.Retired)
            .SelectMany(c => Enum.GetValues<MediaType>().Select(m => (m, c.Key)));

    /// <summary>Each person's latest counting decision on the item, in recording order.</summary>
    public IReadOnlyList<DecisionRow> DecisionsOf(Guid pupilId, (MediaType MediaType, string Channel) item) =>
        [.. _decisions[(pupilId, item.MediaType, item.Channel)].OrderBy(d => d.Sequence)];

    /// <summary>
    /// The pupil's consent for the item at the moment, counting <paramref name="added"/> as well: decisions the current
    /// transaction has just recorded.
    /// </summary>
    public EffectiveConsent Evaluate(Guid pupilId, (MediaType MediaType, string Channel) item, IEnumerable<DecisionFact>? added = null)
    {
        var pupil = Pupils[pupilId];
        var decisions = _decisions[(pupilId, item.MediaType, item.Channel)].Select(d => d.ToFact()).Concat(added ?? []).ToList();
        var channel = Channels.GetValueOrDefault(item.Channel);
        var limits = new GrantLimits(pupil.EnrolledSince, pupil.Status == PupilStatus.Left,
            channel?.MeaningSince ?? DateTimeOffset.MinValue, channel?.Retired ?? false);
        return ConsentRules.Evaluate(
            new ConsentFacts(pupil.DateOfBirth, pupil.GuardiansWithAuthority, decisions, Asked(pupil.SchoolId, item), limits),
            pupil.Policy, At);
    }
}
