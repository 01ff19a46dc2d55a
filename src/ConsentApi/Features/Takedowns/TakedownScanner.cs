using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Observability;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Takedowns;

/// <summary>
/// Finds online publications showing pupils whose consent for that channel and media type is no longer granted, and
/// opens a takedown per publication or adds the pupils to the open one. Runs inside the transaction of the change that
/// may have ended consent (<see cref="ConsentChanges"/>), and periodically for what time alone ends (school-year expiry,
/// a 16th birthday).
/// <para>
/// Opening and joining are single statements that cannot fail on each other (<c>INSERT … ON CONFLICT DO NOTHING</c>
/// against the one-open-takedown-per-publication index): two withdrawals for pupils of the same publication, or the
/// sweep and a withdrawal, both succeed and end in one takedown holding both pupils.
/// </para>
/// </summary>
public sealed class TakedownScanner(
    ConsentDbContext db, ConsentEvaluator evaluator, EventOutbox events, TimeProvider clock, AfterCommit afterCommit, ConsentMetrics metrics)
    : IConsentConsequence
{
    public Task ApplyAsync(Guid organisationId, IReadOnlyCollection<Guid>? pupilIds, CancellationToken ct) =>
        ScanAsync(organisationId, pupilIds, ct);

    /// <summary>Scans the organisation's online publications showing any of <paramref name="pupilIds"/> (all when null).</summary>
    public async Task ScanAsync(Guid organisationId, IReadOnlyCollection<Guid>? pupilIds, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ids = pupilIds?.ToList();
        var publications = await db.Publications.AsNoTracking().Include(p => p.Pupils)
            .Where(p => p.OrganisationId == organisationId && p.Status == PublicationStatus.Online
                        && (ids == null || p.Pupils.Any(x => x.Recognisable && ids.Contains(x.PupilId))))
            .ToListAsync(ct);
        // A pupil shown unrecognisable (blurred, from behind) needs no consent: their consent ending takes nothing down.
        foreach (var publication in publications)
        {
            publication.Pupils.RemoveAll(x => !x.Recognisable);
        }
        if (publications.Count == 0)
        {
            return;
        }
        // Held until commit: a publication being removed (which completes its takedown) is either removed first, and
        // skipped here, or waits until this scan has opened or joined its takedown. No takedown opens for a removed item.
        var candidates = publications.Select(p => p.Id).ToArray();
        var online = (await db.Database.SqlQuery<Guid>($"""
                SELECT id AS "Value" FROM publications
                WHERE id = ANY({candidates}) AND status = {nameof(PublicationStatus.Online)}
                ORDER BY id FOR SHARE
                """).ToListAsync(ct)).ToHashSet();
        publications.RemoveAll(p => !online.Contains(p.Id));
        // Every scan takes its row locks in the same order (publications, then pupils, by id), so concurrent scans wait
        // for each other in line and never in a cycle.
        publications.Sort((x, y) => PostgresUuidOrder.Instance.Compare(x.Id, y.Id));

        var pairs = publications.SelectMany(p => p.Pupils.Select(x => (x.PupilId, p.MediaType, p.ChannelKey))).ToList();
        var consent = await evaluator.EvaluateAsync(organisationId, pairs, now, now, ct);
        var channelKeys = publications.Select(p => p.ChannelKey).Distinct().ToList();
        var recall = await db.Channels.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && channelKeys.Contains(c.Key))
            .ToDictionaryAsync(c => c.Key, c => c.Recall, ct);
        foreach (var publication in publications)
        {
            var denied = publication.Pupils
                .Select(x => (x.PupilId, Consent: consent[(x.PupilId, publication.MediaType, publication.ChannelKey)]))
                .Where(x => !x.Consent.Allowed)
                .OrderBy(x => x.PupilId, PostgresUuidOrder.Instance)
                .ToList();
            if (denied.Count > 0)
            {
                // What cannot be recalled (printed matter handed out) is not removed but no longer reprinted or handed out.
                var kind = recall.GetValueOrDefault(publication.ChannelKey) == ChannelRecall.NotRecallable
                    ? TakedownKind.DoNotReprint : TakedownKind.Removal;
                await OpenOrJoinAsync(publication, kind, denied, now, ct);
            }
        }
    }

    private async Task OpenOrJoinAsync(
        Publication publication, TakedownKind kind, List<(Guid PupilId, EffectiveConsent Consent)> denied, DateTimeOffset now,
        CancellationToken ct)
    {
        var (takedownId, opened, openKind) = await OpenAsync(publication, kind, now, ct);
        var added = new List<TakedownEventPupil>();
        foreach (var (pupilId, consent) in denied)
        {
            var inserted = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO takedown_pupil (takedown_id, pupil_id, state, reason, added_at)
                VALUES ({takedownId}, {pupilId}, {consent.State.ToString()}, {consent.Reason}, {now})
                ON CONFLICT (takedown_id, pupil_id) DO NOTHING
                """, ct);
            if (inserted == 1)
            {
                added.Add(new TakedownEventPupil(pupilId, consent.State, consent.Reason));
            }
        }
        if (added.Count > 0)
        {
            await events.AddAsync(opened ? EventTypes.TakedownOpened : EventTypes.TakedownUpdated, publication.OrganisationId,
                publication.SchoolId,
                new TakedownEvent(takedownId, publication.Id, publication.ChannelKey, publication.MediaType, added, openKind), ct);
        }
    }

    /// <summary>The publication's open takedown: opened by this statement, or the one another transaction opened first.</summary>
    private async Task<(Guid Id, bool Opened, TakedownKind Kind)> OpenAsync(
        Publication publication, TakedownKind kind, DateTimeOffset now, CancellationToken ct)
    {
        while (true)
        {
            var id = Guid.CreateVersion7();
            // Waits for a concurrent opener to commit (or roll back) and then does nothing (or inserts).
            var inserted = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO takedowns (id, organisation_id, school_id, publication_id, status, kind, opened_at)
                VALUES ({id}, {publication.OrganisationId}, {publication.SchoolId}, {publication.Id}, {nameof(TakedownStatus.Open)},
                        {kind.ToString()}, {now})
                ON CONFLICT (publication_id) WHERE status = 'Open' DO NOTHING
                """, ct);
            if (inserted == 1)
            {
                // Counted once the scan's transaction commits (the command's, or the sweep's).
                afterCommit.Add(() => metrics.TakedownOpened(kind));
                return (id, true, kind);
            }
            // A new statement sees what the other transaction committed.
            var open = await db.Takedowns.AsNoTracking()
                .Where(t => t.PublicationId == publication.Id && t.Status == TakedownStatus.Open)
                .Select(t => new { t.Id, t.Kind }).SingleOrDefaultAsync(ct);
            if (open is not null)
            {
                return (open.Id, false, open.Kind);
            }
            // Completed in between: open a new one.
        }
    }
}
