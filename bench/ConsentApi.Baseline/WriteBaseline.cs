using System.Text.Json;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure;
using ConsentApi.Infrastructure.Persistence;
using Npgsql;
using NpgsqlTypes;
using static ConsentApi.Baseline.FastestQueries;

namespace ConsentApi.Baseline;

/// <summary>
/// Recording a person's decisions by hand, served under <c>/fastest</c>: what the API writes for
/// <c>POST /v1/pupils/{id}/decisions</c>, in one transaction under the same locks, in two round trips. The first takes
/// the organisation's shared advisory lock and the pupil's row lock (<c>FOR NO KEY UPDATE</c>, as
/// <see cref="ConsentChanges"/> does), then reads what the checks need, the pupil's facts (every item, now), the
/// announced states, the webhook subscriptions and the takedown scan's query (online publications showing the pupil,
/// <c>FOR SHARE</c>). The states before and after are evaluated in C# by the rules function, the new decisions added in
/// memory. The second inserts the decisions, the <c>consent.changed</c> event with its deliveries and the announced
/// states, opens or joins takedowns where consent ended, writes the audit event and commits.
/// Not done here: the API's idempotency ledger (the bench sends no key), and the guardian's authority at a past
/// <c>givenAt</c> (the bench decides now, by guardians who hold authority).
/// </summary>
public static class WriteBaseline
{
    private static readonly JsonSerializerOptions Json = ConsentApiServices.CreateJsonOptions();

    private const string PupilSql = """
        SELECT p.school_id, p.date_of_birth, p.erased_at IS NOT NULL, e.status, pol.grant_requires, pol.school_year_end_month,
               pol.school_year_end_day, pol.time_zone, o.name
        FROM pupils p JOIN organisations o ON o.id = p.organisation_id
        CROSS JOIN LATERAL (SELECT status FROM pupil_enrolments WHERE pupil_id = p.id AND valid_from <= $3
                            ORDER BY valid_from DESC, id DESC LIMIT 1) e
        CROSS JOIN LATERAL (SELECT grant_requires, school_year_end_month, school_year_end_day, time_zone FROM policy_changes
                            WHERE organisation_id = p.organisation_id AND valid_from <= $3 ORDER BY valid_from DESC, id DESC LIMIT 1) pol
        WHERE p.id = $2 AND p.organisation_id = $1
        """;

    private const string VersionSql = """
        SELECT v.form_id, v.number, v.published_at, v.withdrawn_at, v.superseded_at, v.validity, v.school_year, v.content_hash,
               v.text_en IS NOT NULL, ARRAY(SELECT i.media_type || ':' || i.channel_key FROM consent_form_items i WHERE i.version_id = v.id)
        FROM consent_form_versions v JOIN consent_forms f ON f.id = v.form_id
        WHERE v.id = $3 AND f.organisation_id = $1 AND (f.school_id IS NULL OR f.school_id = (SELECT school_id FROM pupils WHERE id = $2))
        """;

    private const string GuardianSql = """
        SELECT EXISTS (SELECT FROM guardians WHERE id = $3 AND organisation_id = $1),
               (SELECT has_parental_authority FROM guardian_links WHERE pupil_id = $2 AND guardian_id = $3)
        """;

    private const string ScanSql = """
        SELECT p.id, p.school_id, p.media_type, p.channel_key FROM publications p
        WHERE p.organisation_id = $1 AND p.status = 'Online'
          AND EXISTS (SELECT FROM publication_pupil x WHERE x.publication_id = p.id AND x.pupil_id = $2 AND x.recognisable)
        ORDER BY p.id FOR SHARE
        """;

    private const string InsertDecisionsSql = """
        INSERT INTO decisions (id, organisation_id, pupil_id, batch_id, form_version_id, media_type, channel_key, outcome, guardian_id,
                               method, given_at, recorded_at, recorded_by_client_id, proof_reference, note, language)
        SELECT id, $1, $2, $3, $4, media_type, channel_key, outcome, $5, $6, $7, $8, $9, $10, $11, $12
        FROM unnest($13::uuid[], $14::text[], $15::text[], $16::text[]) AS d(id, media_type, channel_key, outcome)
        """;

    private const string AnnounceSql = """
        INSERT INTO announced_consents (pupil_id, media_type, channel_key, state, sequence, changed_at)
        SELECT $1, media_type, channel_key, state, $2, $3 FROM unnest($4::text[], $5::text[], $6::text[]) AS a(media_type, channel_key, state)
        ON CONFLICT (pupil_id, media_type, channel_key) DO UPDATE SET state = excluded.state, sequence = excluded.sequence, changed_at = excluded.changed_at
        """;

    private const string EventSql = """
        INSERT INTO outbox_events (id, organisation_id, school_id, type, payload, occurred_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
        """;

    private const string DeliveriesSql = """
        INSERT INTO webhook_deliveries (id, subscription_id, event_id, status, attempts, next_attempt_at, created_at)
        SELECT id, subscription_id, $1, 'Pending', 0, $2, $2 FROM unnest($3::uuid[], $4::uuid[]) AS s(id, subscription_id)
        """;

    private const string TakedownSql = """
        WITH opened AS (
            INSERT INTO takedowns (id, organisation_id, school_id, publication_id, status, kind, opened_at)
            VALUES ($1, $2, $3, $4, 'Open', 'Removal', $5)
            ON CONFLICT (publication_id) WHERE status = 'Open' DO NOTHING RETURNING id)
        INSERT INTO takedown_pupil (takedown_id, pupil_id, state, reason, added_at)
        SELECT coalesce((SELECT id FROM opened), (SELECT id FROM takedowns WHERE publication_id = $4 AND status = 'Open')), $6, $7, $8, $5
        ON CONFLICT (takedown_id, pupil_id) DO NOTHING
        """;

    private const string AuditSql = """
        INSERT INTO audit_events (id, organisation_id, client_id, action, resource_type, resource_id, request_id, occurred_at)
        VALUES ($1, $2, $3, 'RecordDecisions', 'pupil', $4, $5, $6)
        """;

    public static async Task<IResult> RecordAsync(NpgsqlDataSource db, Tenant tenant, Guid clientId, Guid pupilId,
        RecordDecisionsRequest request, string requestId, CancellationToken ct)
    {
        var now = Now();
        var givenAt = request.GivenAt ?? now;
        var org = tenant.OrganisationId;
        await using var connection = await db.OpenConnectionAsync(ct);
        try
        {
            return await RecordAsync(connection, org, clientId, pupilId, request, requestId, now, givenAt, ct);
        }
        catch
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
                await rollback.ExecuteNonQueryAsync(CancellationToken.None);
            }
            throw;
        }
    }

    private static async Task<IResult> RecordAsync(NpgsqlConnection connection, Guid org, Guid clientId, Guid pupilId,
        RecordDecisionsRequest request, string requestId, DateTimeOffset now, DateTimeOffset givenAt, CancellationToken ct)
    {
        var guardianId = request.DecidedBy == DecidedBy.Guardian ? request.GuardianId : null;
        await using var read = new NpgsqlBatch(connection);
        Add(read, "BEGIN", []);
        Add(read, "SELECT set_config('lock_timeout', '8000ms', true), pg_advisory_xact_lock_shared($1)",
            [new NpgsqlParameter<long> { TypedValue = AdvisoryLocks.Key(org, AdvisoryLocks.Consent) }]);
        Add(read, "SELECT id FROM pupils WHERE organisation_id = $1 AND id = $2 ORDER BY id FOR NO KEY UPDATE", [Id(org), Id(pupilId)]);
        Add(read, PupilSql, [Id(org), Id(pupilId), At(givenAt)]);
        Add(read, VersionSql, [Id(org), Id(pupilId), Id(request.FormVersionId!.Value)]);
        Add(read, GuardianSql, [Id(org), Id(pupilId), Id(guardianId ?? Guid.Empty)]);
        foreach (var (sql, parameters) in PupilFacts(org, now, [pupilId]))
        {
            Add(read, sql, parameters);
        }
        Add(read, "SELECT media_type, channel_key, state, sequence FROM announced_consents WHERE pupil_id = $1", [Id(pupilId)]);
        Add(read, "SELECT id, event_types, school_id FROM webhook_subscriptions WHERE organisation_id = $1 AND status <> 'Disabled'", [Id(org)]);
        Add(read, ScanSql, [Id(org), Id(pupilId)]);

        Guid schoolId;
        DateOnly dateOfBirth;
        bool erased, left;
        ConsentPolicy policyThen;
        string organisationName;
        (Guid FormId, int Number, DateTimeOffset? PublishedAt, DateTimeOffset? WithdrawnAt, DateTimeOffset? SupersededAt,
            ConsentValidity Validity, string? SchoolYear, string? ContentHash, bool HasEnglish, HashSet<string> Items)? version = null;
        bool guardianVisible;
        bool? authority;
        Facts facts;
        var announced = new Dictionary<(MediaType, string), (ConsentState State, long Sequence)>();
        var subscriptions = new List<(Guid Id, string[] Types, Guid? SchoolId)>();
        var publications = new List<(Guid Id, Guid SchoolId, MediaType MediaType, string Channel)>();
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            // BEGIN returns no result: the reader stands on the advisory lock's.
            await reader.NextResultAsync(ct);
            var locked = await reader.ReadAsync(ct);
            await reader.NextResultAsync(ct);
            if (!locked || !await reader.ReadAsync(ct))
            {
                await reader.DisposeAsync();
                await RollbackAsync(connection, ct);
                return Results.NotFound();
            }
            schoolId = reader.GetGuid(0);
            dateOfBirth = reader.GetFieldValue<DateOnly>(1);
            erased = reader.GetBoolean(2);
            left = reader.GetString(3) == nameof(PupilStatus.Left);
            policyThen = new ConsentPolicy(Enum.Parse<GrantRequires>(reader.GetString(4)), reader.GetInt32(5), reader.GetInt32(6), reader.GetString(7));
            organisationName = reader.GetString(8);
            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                version = (reader.GetGuid(0), reader.GetInt32(1), Nullable(reader, 2), Nullable(reader, 3), Nullable(reader, 4),
                    Enum.Parse<ConsentValidity>(reader.GetString(5)), reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetBoolean(8), [.. reader.GetFieldValue<string[]>(9)]);
            }
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            guardianVisible = reader.GetBoolean(0);
            authority = reader.IsDBNull(1) ? null : reader.GetBoolean(1);
            await reader.NextResultAsync(ct);
            facts = await ReadFactsAsync(reader, now, false, null, ct);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                announced[(Enum.Parse<MediaType>(reader.GetString(0)), reader.GetString(1))] =
                    (Enum.Parse<ConsentState>(reader.GetString(2)), reader.GetInt64(3));
            }
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                subscriptions.Add((reader.GetGuid(0), reader.GetFieldValue<string[]>(1), reader.IsDBNull(2) ? null : reader.GetGuid(2)));
            }
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                publications.Add((reader.GetGuid(0), reader.GetGuid(1), Enum.Parse<MediaType>(reader.GetString(2)), reader.GetString(3)));
            }
        }

        // The API's refusals, in its order (DecisionRecorder).
        var grants = request.Items.Any(i => i.Outcome == ConsentOutcome.Granted);
        string? refusal = erased && grants ? "erased" : left && grants ? "left" : null;
        if (refusal is null && version is { } v)
        {
            var lastDay = v.SchoolYear is { } year ? policyThen.LastDayOf(year) : DateOnly.MaxValue;
            refusal = v.PublishedAt is null ? "draft"
                : givenAt < v.PublishedAt ? "predates"
                : grants && (v.WithdrawnAt <= givenAt || v.SupersededAt <= givenAt
                             || (v.Validity == ConsentValidity.SchoolYear && policyThen.Calendar.DayOf(givenAt) > lastDay)) ? "cannot count"
                : request.Items.Any(i => !v.Items.Contains($"{i.MediaType}:{i.Channel}")) ? "not asked"
                : request.DecidedBy == DecidedBy.Guardian && (!guardianVisible || authority != true) ? "no authority"
                : (request.DecidedBy == DecidedBy.Guardian) == policyThen.Calendar.IsSixteen(dateOfBirth, givenAt) ? "age" : null;
        }
        if (version is null || refusal is not null)
        {
            await RollbackAsync(connection, ct);
            return version is null ? Results.NotFound() : Results.Conflict(refusal);
        }
        var form = version.Value;

        // The decisions, and the states before and after them, by the one rules function.
        var batchId = Guid.CreateVersion7();
        var language = request.Language ?? "nl";
        var decisions = request.Items.Select(i => (Id: Guid.CreateVersion7(), Item: (MediaType: i.MediaType!.Value, i.Channel), Outcome: i.Outcome!.Value))
            .ToList();
        var pupil = facts.Pupils[pupilId];
        var before = facts.ItemsOf(pupil).ToDictionary(i => i, i => facts.Evaluate(pupilId, i).State);
        var added = decisions.ToLookup(d => d.Item, d => new DecisionFact(d.Id, guardianId, d.Outcome, givenAt, long.MaxValue,
            form.Validity, form.SchoolYear, form.WithdrawnAt));
        var after = before.Keys.Concat(decisions.Select(d => d.Item)).Distinct()
            .ToDictionary(i => i, i => facts.Evaluate(pupilId, i, added[i]));
        var changes = before.Keys.Concat(after.Keys).Concat(announced.Keys).Distinct()
            .Select(item => (Item: item,
                Old: announced.TryGetValue(item, out var last) ? last.State : before.GetValueOrDefault(item, ConsentState.NotAsked),
                New: after.TryGetValue(item, out var now2) ? now2.State : ConsentState.NotAsked))
            .Where(x => x.Old != x.New)
            .OrderBy(x => x.Item.Item1).ThenBy(x => x.Item.Item2, StringComparer.Ordinal)
            .ToList();

        await using var write = new NpgsqlBatch(connection);
        var proof = erased ? null : request.ProofReference;
        var note = erased ? null : request.Note;
        Add(write, InsertDecisionsSql,
        [
            Id(org), Id(pupilId), Id(batchId), Id(request.FormVersionId!.Value), Nullable(guardianId), Text(request.Method!.Value.ToString()),
            At(givenAt), At(now), Id(clientId), Text(proof), Text(note), Text(language),
            Ids([.. decisions.Select(d => d.Id)]), Texts(decisions.Select(d => d.Item.MediaType.ToString())),
            Texts(decisions.Select(d => d.Item.Channel)), Texts(decisions.Select(d => d.Outcome.ToString())),
        ]);
        if (changes.Count > 0)
        {
            var sequence = (announced.Count == 0 ? 0 : announced.Values.Max(a => a.Sequence)) + 1;
            Add(write, AnnounceSql,
            [
                Id(pupilId), new NpgsqlParameter<long> { TypedValue = sequence }, At(now), Texts(changes.Select(c => c.Item.Item1.ToString())),
                Texts(changes.Select(c => c.Item.Item2)), Texts(changes.Select(c => c.New.ToString())),
            ]);
            var eventId = Guid.CreateVersion7();
            var data = new ConsentApi.Infrastructure.Events.ConsentChangedEvent(pupilId, sequence,
                changes.Select(c => new ConsentApi.Infrastructure.Events.ConsentChangedItem(c.Item.Item1, c.Item.Item2, c.Old, c.New)).ToList());
            var type = ConsentApi.Infrastructure.Events.EventTypes.ConsentChanged;
            Add(write, EventSql,
            [
                Id(eventId), Id(org), Id(schoolId), Text(type),
                Text(JsonSerializer.Serialize(new { id = eventId, type, timestamp = now, schoolId = (Guid?)schoolId, data }, Json)), At(now),
            ]);
            var wanted = subscriptions.Where(s => s.Types.Contains(type) && (s.SchoolId is null || s.SchoolId == schoolId)).ToList();
            if (wanted.Count > 0)
            {
                Add(write, DeliveriesSql, [Id(eventId), At(now), Ids([.. wanted.Select(_ => Guid.CreateVersion7())]), Ids([.. wanted.Select(s => s.Id)])]);
            }
        }
        foreach (var publication in publications)
        {
            var item = (publication.MediaType, publication.Channel);
            var consent = after.TryGetValue(item, out var known) ? known : facts.Evaluate(pupilId, item);
            if (!consent.Allowed)
            {
                Add(write, TakedownSql, [Id(Guid.CreateVersion7()), Id(org), Id(publication.SchoolId), Id(publication.Id), At(now), Id(pupilId),
                    Text(consent.State.ToString()), Text(consent.Reason)]);
            }
        }
        Add(write, AuditSql, [Id(Guid.CreateVersion7()), Id(org), Id(clientId), Id(pupilId), Text(requestId), At(now)]);
        Add(write, "COMMIT", []);
        await write.ExecuteNonQueryAsync(ct);

        var by = request.DecidedBy!.Value;
        var responses = decisions.Select(d => new DecisionResponse(d.Id, batchId, d.Item.MediaType, d.Item.Channel, d.Outcome, by, guardianId,
            request.Method!.Value, givenAt, now, clientId, request.FormVersionId!.Value, form.ContentHash!, proof, note, false)).ToList();
        var receipt = new ConsentReceipt(batchId, "consent-api-receipt/1 (ISO/IEC TS 27560)", now,
            new ReceiptController(org, organisationName), new ReceiptSubject(pupilId, schoolId), new ReceiptDecider(by, guardianId),
            new ReceiptNotice(form.FormId, request.FormVersionId!.Value, form.Number, form.ContentHash!, language),
            decisions.OrderBy(d => d.Item.MediaType).ThenBy(d => d.Item.Channel, StringComparer.Ordinal)
                .Select(d => new ReceiptPurpose(d.Item.MediaType, d.Item.Channel, facts.Channels[d.Item.Channel].NameNl, d.Outcome)).ToList(),
            request.Method!.Value, givenAt, proof, Withdrawal);
        return Results.Created($"/v1/pupils/{pupilId}/consents/history", new RecordedDecisionsResponse(batchId, pupilId, responses, receipt));
    }

    private const string Withdrawal =
        "Consent can be withdrawn at any time, as easily as it was given: record 'refused' for the item in the parents' app, " +
        "or ask the school office. Toestemming kunt u altijd intrekken, net zo eenvoudig als u die gaf: via de ouderapp of de administratie.";

    private static async Task RollbackAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
        await rollback.ExecuteNonQueryAsync(ct);
    }

    private static DateTimeOffset? Nullable(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static NpgsqlParameter Nullable(Guid? id) => new() { Value = (object?)id ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private static NpgsqlParameter<string[]> Texts(IEnumerable<string> texts) => new NpgsqlParameter<string[]> { TypedValue = [.. texts] };
}
