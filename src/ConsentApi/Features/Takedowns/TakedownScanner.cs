using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Takedowns;

/// <summary>
/// Finds online publications showing pupils whose consent for that channel and media type is no longer granted, and
/// opens a takedown per publication (or adds the pupils to the open one). Runs inside the transaction of the change
/// that may have ended consent, and periodically for what time alone ends (school-year expiry, a 16th birthday).
/// </summary>
public sealed class TakedownScanner(ConsentDbContext db, ConsentEvaluator evaluator, EventOutbox events, TimeProvider clock)
{
    /// <summary>Scans the organisation's online publications showing any of <paramref name="pupilIds"/> (all when null).</summary>
    public async Task ScanAsync(Guid organisationId, IReadOnlyCollection<Guid>? pupilIds, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ids = pupilIds?.ToList();
        var publications = await db.Publications.Include(p => p.Pupils)
            .Where(p => p.OrganisationId == organisationId && p.Status == PublicationStatus.Online
                        && (ids == null || p.Pupils.Any(x => ids.Contains(x.PupilId))))
            .ToListAsync(ct);
        if (publications.Count == 0)
        {
            return;
        }

        var pairs = publications.SelectMany(p => p.Pupils.Select(x => (x.PupilId, p.MediaType, p.ChannelKey))).ToList();
        var consent = await evaluator.EvaluateAsync(organisationId, pairs, now, ct);
        var publicationIds = publications.Select(p => p.Id).ToList();
        var open = await db.Takedowns.Include(t => t.Pupils)
            .Where(t => t.Status == TakedownStatus.Open && publicationIds.Contains(t.PublicationId))
            .ToDictionaryAsync(t => t.PublicationId, ct);

        foreach (var publication in publications)
        {
            var denied = publication.Pupils
                .Select(x => (x.PupilId, Consent: consent[(x.PupilId, publication.MediaType, publication.ChannelKey)]))
                .Where(x => !x.Consent.Allowed)
                .ToList();
            if (denied.Count == 0)
            {
                continue;
            }

            var opened = !open.TryGetValue(publication.Id, out var takedown);
            takedown ??= new Takedown
            {
                OrganisationId = organisationId, SchoolId = publication.SchoolId, PublicationId = publication.Id, OpenedAt = now,
            };
            var added = denied.Where(d => takedown.Pupils.All(p => p.PupilId != d.PupilId))
                .Select(d => new TakedownPupil
                {
                    TakedownId = takedown.Id, PupilId = d.PupilId, State = d.Consent.State, Reason = d.Consent.Reason, AddedAt = now,
                })
                .ToList();
            if (added.Count == 0)
            {
                continue;
            }
            takedown.Pupils.AddRange(added);
            if (opened)
            {
                db.Takedowns.Add(takedown);
                open[publication.Id] = takedown;
            }
            await events.AddAsync(opened ? EventTypes.TakedownOpened : EventTypes.TakedownUpdated, organisationId, publication.SchoolId,
                new TakedownEvent(takedown.Id, publication.Id, publication.ChannelKey, publication.MediaType,
                    added.Select(p => new TakedownEventPupil(p.PupilId, p.State, p.Reason)).ToList()), ct);
        }
    }
}
