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
    public async Task AnnounceAsync(
        Guid organisationId, IReadOnlyCollection<Guid> pupilIds,
        IReadOnlyDictionary<(Guid PupilId, MediaType MediaType, string Channel), ConsentState> before, DateTimeOffset now,
        CancellationToken ct)
    {
        var ids = pupilIds.ToList();
        var after = await evaluator.StatesAsync(organisationId, ids, now, ct);
        var announced = await db.AnnouncedConsents.Where(a => ids.Contains(a.PupilId)).ToListAsync(ct);
        var announcedByItem = announced.ToDictionary(a => (a.PupilId, a.MediaType, Channel: a.ChannelKey));
        var lastSequence = announced.GroupBy(a => a.PupilId).ToDictionary(g => g.Key, g => g.Max(a => a.Sequence));
        var itemsByPupil = before.Keys.Concat(after.Keys).Concat(announcedByItem.Keys).Distinct().ToLookup(k => k.PupilId);
        var schools = await db.Pupils.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.SchoolId, ct);

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
