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
public sealed class ConsentAnnouncer(ConsentDbContext db, ConsentEvaluator evaluator, EventOutbox events)
{
    // Read ahead under the pupils' locks (AddReads): their announced states (tracked, so that changing them updates the
    // rows) and their schools.
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
                db.AnnouncedConsents.Attach(row);
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
        var announced = unread.Count == 0 ? [] : await db.AnnouncedConsents.Where(a => unread.Contains(a.PupilId)).ToListAsync(ct);
        announced.AddRange(ids.Where(_announced.ContainsKey).SelectMany(id => _announced[id]));
        var announcedByItem = announced.ToDictionary(a => (a.PupilId, a.MediaType, Channel: a.ChannelKey));
        var lastSequence = announced.GroupBy(a => a.PupilId).ToDictionary(g => g.Key, g => g.Max(a => a.Sequence));
        var itemsByPupil = before.Keys.Concat(after.Keys).Concat(announcedByItem.Keys).Distinct().ToLookup(k => k.PupilId);
        var schools = ids.All(_schools.ContainsKey)
            ? ids.ToDictionary(id => id, id => _schools[id])
            : await db.Pupils.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.SchoolId, ct);

        foreach (var pupilId in ids.Order(PostgresUuidOrder.Instance))
        {
            var changes = itemsByPupil[pupilId]
                .Select(item => (Item: item,
                    Old: announcedByItem.TryGetValue(item, out var last) ? last.State : before.GetValueOrDefault(item, ConsentState.NotAsked),
                    New: after.TryGetValue(item, out var current) ? current.State : ConsentState.NotAsked))
                .Where(x => x.Old != x.New)
                .OrderBy(x => x.Item.MediaType).ThenBy(x => x.Item.Channel, StringComparer.Ordinal)
                .ToList();
            if (changes.Count == 0)
            {
                continue;
            }

            var sequence = lastSequence.GetValueOrDefault(pupilId) + 1;
            foreach (var (item, _, state) in changes)
            {
                if (announcedByItem.TryGetValue(item, out var row))
                {
                    row.State = state;
                    row.Sequence = sequence;
                    row.ChangedAt = now;
                }
                else
                {
                    db.AnnouncedConsents.Add(new AnnouncedConsent
                    {
                        PupilId = pupilId, MediaType = item.MediaType, ChannelKey = item.Channel, State = state, Sequence = sequence,
                        ChangedAt = now,
                    });
                }
            }
            await events.AddAsync(EventTypes.ConsentChanged, organisationId, schools[pupilId], new ConsentChangedEvent(pupilId, sequence,
                changes.Select(x => new ConsentChangedItem(x.Item.MediaType, x.Item.Channel, x.Old, x.New)).ToList()), ct);
        }
    }
}
