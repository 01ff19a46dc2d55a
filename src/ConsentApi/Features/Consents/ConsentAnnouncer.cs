using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <summary>
/// Announces changed consent: for each pupil, every item whose state now differs from the state last announced for it
/// (or, never announced, from its state before the command) goes into one <c>consent.changed</c> event, numbered by the
/// pupil's sequence, and becomes the item's announced state (table <c>announced_consents</c>). Runs under the pupils'
/// locks (<see cref="ConsentChanges"/>), so a pupil's events form one unbroken chain whatever changed in between.
/// </summary>
public sealed class ConsentAnnouncer(ConsentDbContext db, ConsentEvaluator evaluator, EventOutbox events, CommandWrites writes)
{
    // Read ahead under the pupils' locks (AddReads): their announced states and their schools.
    private readonly Dictionary<Guid, List<AnnouncedConsent>> _announced = [];
    private readonly Dictionary<Guid, Guid> _schools = [];

    /// <summary>Adds the reads of the pupils' announced states and schools to a batch; they are locked already.</summary>
    public void AddReads(ReadBatch batch, IReadOnlyCollection<Guid> pupilIds)
    {
        var ids = pupilIds.ToArray();
        batch.Add("""
            SELECT p.id, p.school_id, a.media_type, a.channel_key, a.state, a.sequence, a.changed_at
            FROM pupils p LEFT JOIN announced_consents a ON a.pupil_id = p.id
            WHERE p.id = ANY($1)
            """, [ids], async (reader, ct) =>
        {
            foreach (var id in ids)
            {
                _announced.TryAdd(id, []);
            }
            while (await reader.ReadAsync(ct))
            {
                var pupilId = reader.GetGuid(0);
                _schools[pupilId] = reader.GetGuid(1);
                if (await reader.IsDBNullAsync(2, ct))
                {
                    continue;
                }
                var row = new AnnouncedConsent
                {
                    PupilId = pupilId, MediaType = Enum.Parse<MediaType>(reader.GetString(2)), ChannelKey = reader.GetString(3),
                    State = Enum.Parse<ConsentState>(reader.GetString(4)), Sequence = reader.GetInt64(5),
                    ChangedAt = reader.GetFieldValue<DateTimeOffset>(6),
                };
                _announced[pupilId].Add(row);
            }
        });
    }

    /// <summary>Forgets what was read ahead, for a command that is run again from the start.</summary>
    public void Reset()
    {
        _announced.Clear();
        _schools.Clear();
    }

    /// <param name="known">The pupils' states now when the caller has them (decisions only, not yet saved); read when null.</param>
    public async Task AnnounceAsync(
        Guid organisationId, IReadOnlyCollection<Guid> pupilIds,
        IReadOnlyDictionary<(Guid PupilId, MediaType MediaType, string Channel), ConsentState> before,
        IReadOnlyDictionary<(Guid PupilId, MediaType MediaType, string Channel), EffectiveConsent>? known, DateTimeOffset now,
        CancellationToken ct)
    {
        var ids = pupilIds.ToList();
        var after = known ?? await evaluator.StatesAsync(organisationId, ids, now, ct);
        var unread = ids.Where(id => !_announced.ContainsKey(id)).ToList();
        var announced = unread.Count == 0 ? [] : await db.AnnouncedConsents.AsNoTracking().Where(a => unread.Contains(a.PupilId)).ToListAsync(ct);
        announced.AddRange(ids.Where(_announced.ContainsKey).SelectMany(id => _announced[id]));
        var announcedByItem = announced.ToDictionary(a => (a.PupilId, a.MediaType, Channel: a.ChannelKey));
        var lastSequence = announced.GroupBy(a => a.PupilId).ToDictionary(g => g.Key, g => g.Max(a => a.Sequence));
        var itemsByPupil = before.Keys.Concat(after.Keys).Concat(announcedByItem.Keys).Distinct().ToLookup(k => k.PupilId);
        var schools = ids.All(_schools.ContainsKey)
            ? ids.ToDictionary(id => id, id => _schools[id])
            : await db.Pupils.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.SchoolId, ct);

        var announcements =
            new List<(Guid PupilId, long Sequence, List<((Guid, MediaType MediaType, string Channel) Item, ConsentState Old, ConsentState New)> Changes)>();
        foreach (var pupilId in ids.Order(PostgresUuidOrder.Instance))
        {
            var changes = itemsByPupil[pupilId]
                .Select(item => (Item: item,
                    Old: announcedByItem.TryGetValue(item, out var last) ? last.State : before.GetValueOrDefault(item, ConsentState.NotAsked),
                    New: after.TryGetValue(item, out var current) ? current.State : ConsentState.NotAsked))
                .Where(x => x.Old != x.New)
                .OrderBy(x => x.Item.MediaType).ThenBy(x => x.Item.Channel, StringComparer.Ordinal)
                .ToList();
            if (changes.Count > 0)
            {
                announcements.Add((pupilId, lastSequence.GetValueOrDefault(pupilId) + 1, changes));
            }
        }
        if (announcements.Count == 0)
        {
            return;
        }
        // Every changed item's new announced state in one statement, and then the events: they join it in the command's
        // statements, so that its save stays one round trip.
        writes.Add(Upsert([.. announcements.SelectMany(a => a.Changes.Select(x => new AnnouncedConsent
        {
            PupilId = a.PupilId, MediaType = x.Item.MediaType, ChannelKey = x.Item.Channel, State = x.New, Sequence = a.Sequence, ChangedAt = now,
        }))], now));
        foreach (var (pupilId, sequence, changes) in announcements)
        {
            await events.AddAsync(EventTypes.ConsentChanged, organisationId, schools[pupilId], new ConsentChangedEvent(pupilId, sequence,
                changes.Select(x => new ConsentChangedItem(x.Item.MediaType, x.Item.Channel, x.Old, x.New)).ToList()), ct);
        }
    }

    /// <summary>The items' new announced states, inserted or replacing the last, in one statement.</summary>
    private static Npgsql.NpgsqlBatchCommand Upsert(List<AnnouncedConsent> rows, DateTimeOffset now) => ReadBatch.Statement("""
        INSERT INTO announced_consents (pupil_id, media_type, channel_key, state, sequence, changed_at)
        SELECT a.pupil_id, a.media_type, a.channel_key, a.state, a.sequence, $1
        FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS a(pupil_id, media_type, channel_key, state, sequence)
        ON CONFLICT (pupil_id, media_type, channel_key)
        DO UPDATE SET state = excluded.state, sequence = excluded.sequence, changed_at = excluded.changed_at
        """, now, rows.Select(r => r.PupilId).ToArray(), rows.Select(r => r.MediaType.ToString()).ToArray(),
        rows.Select(r => r.ChannelKey).ToArray(), rows.Select(r => r.State.ToString()).ToArray(), rows.Select(r => r.Sequence).ToArray());
}
