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
    // Online publications showing the pupils of a command that records decisions, read ahead and held FOR SHARE (AddReads).
    private readonly Dictionary<Guid, Shown> _shown = [];
    private readonly HashSet<Guid> _read = [];

    /// <summary>A publication as the scan needs it: its item and the pupils shown recognisably.</summary>
    private sealed record Shown(Guid Id, Guid OrganisationId, Guid SchoolId, string ChannelKey, MediaType MediaType, List<Guid> Pupils);

    public Task ApplyAsync(Guid organisationId, IReadOnlyCollection<Guid>? pupilIds, ConsentAfter? after, CancellationToken ct) =>
        pupilIds is not null && pupilIds.All(_read.Contains)
            ? OpenOrJoinAsync(organisationId, [.. _shown.Values.Where(p => p.Pupils.Any(pupilIds.Contains))], after, ct)
            : ScanAsync(organisationId, pupilIds, ct);

    /// <summary>
    /// Adds the read of the online publications showing <paramref name="pupilIds"/> recognisably to a batch, with the lock
    /// <see cref="ScanAsync"/> takes on them.
    /// </summary>
    public void AddReads(ReadBatch batch, Guid organisationId, IReadOnlyCollection<Guid> pupilIds)
    {
        var ids = pupilIds.ToArray();
        // Held until commit, as in ScanAsync: a publication being removed is either removed first, and not read here, or
        // waits until this command has opened or joined its takedown.
        batch.Add($"""
            SELECT p.id, p.school_id, p.channel_key, p.media_type, x.pupil_id
            FROM publications p JOIN publication_pupil x ON x.publication_id = p.id AND x.recognisable
            WHERE p.organisation_id = $1 AND p.status = '{nameof(PublicationStatus.Online)}'
              AND p.id IN (SELECT publication_id FROM publication_pupil WHERE pupil_id = ANY($2) AND recognisable)
            ORDER BY p.id
            FOR SHARE OF p
            """, [organisationId, ids], async (reader, ct) =>
        {
            _read.UnionWith(ids);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetGuid(0);
                if (!_shown.TryGetValue(id, out var shown))
                {
                    _shown[id] = shown = new Shown(id, organisationId, reader.GetGuid(1), reader.GetString(2),
                        Enum.Parse<MediaType>(reader.GetString(3)), []);
                }
                if (!shown.Pupils.Contains(reader.GetGuid(4)))
                {
                    shown.Pupils.Add(reader.GetGuid(4));
                }
            }
        });
    }

    public void Reset()
    {
        _shown.Clear();
        _read.Clear();
    }

    /// <summary>Scans the organisation's online publications showing any of <paramref name="pupilIds"/> (all when null).</summary>
    public async Task ScanAsync(Guid organisationId, IReadOnlyCollection<Guid>? pupilIds, CancellationToken ct)
    {
        var ids = pupilIds?.ToList();
        var publications = await db.Publications.AsNoTracking().Include(p => p.Pupils)
            .Where(p => p.OrganisationId == organisationId && p.Status == PublicationStatus.Online
                        && (ids == null || p.Pupils.Any(x => x.Recognisable && ids.Contains(x.PupilId))))
            .ToListAsync(ct);
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
        // A pupil shown unrecognisable (blurred, from behind) needs no consent: their consent ending takes nothing down.
        await OpenOrJoinAsync(organisationId, [.. publications.Where(p => online.Contains(p.Id))
            .Select(p => new Shown(p.Id, p.OrganisationId, p.SchoolId, p.ChannelKey, p.MediaType,
                [.. p.Pupils.Where(x => x.Recognisable).Select(x => x.PupilId)]))], null, ct);
    }

    /// <param name="after">The consent now of the pupils whose decisions the command recorded, not yet saved.</param>
    private async Task OpenOrJoinAsync(Guid organisationId, List<Shown> publications, ConsentAfter? after, CancellationToken ct)
    {
        publications.RemoveAll(p => p.Pupils.Count == 0);
        if (publications.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow();
        // Every scan takes its row locks in the same order (publications, then pupils, by id), so concurrent scans wait
        // for each other in line and never in a cycle.
        publications.Sort((x, y) => PostgresUuidOrder.Instance.Compare(x.Id, y.Id));

        var pairs = publications.SelectMany(p => p.Pupils.Select(x => (PupilId: x, p.MediaType, p.ChannelKey))).ToList();
        var consent = after is null
            ? []
            : pairs.Where(p => after.Knows(p.PupilId)).Distinct()
                .ToDictionary(p => p, p => after.Evaluate(p.PupilId, (p.MediaType, p.ChannelKey)));
        var unknown = pairs.Where(p => !consent.ContainsKey(p)).ToList();
        if (unknown.Count > 0)
        {
            foreach (var (pair, state) in await evaluator.EvaluateAsync(organisationId, unknown, now, now, ct))
            {
                consent[pair] = state;
            }
        }
        var channelKeys = publications.Select(p => p.ChannelKey).Distinct().ToList();
        // The channels as the facts read under the locks hold them, or else as they are.
        var knownPupil = after is null ? null : pairs.Select(p => (Guid?)p.PupilId).FirstOrDefault(id => after.Knows(id!.Value));
        var recall = knownPupil is { } pupilId
            ? after!.Channels(pupilId).Values.ToDictionary(c => c.Key, c => c.Recall)
            : await db.Channels.AsNoTracking()
                .Where(c => c.OrganisationId == organisationId && channelKeys.Contains(c.Key))
                .ToDictionaryAsync(c => c.Key, c => c.Recall, ct);
        foreach (var publication in publications)
        {
            var denied = publication.Pupils
                .Select(x => (PupilId: x, Consent: consent[(x, publication.MediaType, publication.ChannelKey)]))
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
        Shown publication, TakedownKind kind, List<(Guid PupilId, EffectiveConsent Consent)> denied, DateTimeOffset now,
        CancellationToken ct)
    {
        if (await OpenAndJoinAsync(publication, kind, denied, now, ct) is { } done)
        {
            await AnnounceAsync(publication, done.TakedownId, done.Opened, done.Kind, done.Added, ct);
            return;
        }
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
        await AnnounceAsync(publication, takedownId, opened, openKind, added, ct);
    }

    private async Task AnnounceAsync(
        Shown publication, Guid takedownId, bool opened, TakedownKind kind, List<TakedownEventPupil> added, CancellationToken ct)
    {
        if (opened)
        {
            // Counted once the scan's transaction commits (the command's, or the sweep's).
            afterCommit.Add(() => metrics.TakedownOpened(kind));
        }
        if (added.Count > 0)
        {
            await events.AddAsync(opened ? EventTypes.TakedownOpened : EventTypes.TakedownUpdated, publication.OrganisationId,
                publication.SchoolId,
                new TakedownEvent(takedownId, publication.Id, publication.ChannelKey, publication.MediaType, added, kind), ct);
        }
    }

    /// <summary>
    /// Opens the publication's takedown, or takes the open one, and adds the pupils to it, in one statement; null when a
    /// takedown opened by another transaction committed while this statement ran, which it cannot see (the caller then
    /// goes step by step, each step a new statement that sees it).
    /// </summary>
    private async Task<(Guid TakedownId, bool Opened, TakedownKind Kind, List<TakedownEventPupil> Added)?> OpenAndJoinAsync(
        Shown publication, TakedownKind kind, List<(Guid PupilId, EffectiveConsent Consent)> denied, DateTimeOffset now,
        CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var pupils = denied.Select(d => d.PupilId).ToArray();
        var states = denied.Select(d => d.Consent.State.ToString()).ToArray();
        var reasons = denied.Select(d => d.Consent.Reason).ToArray();
        // Pupils are added in the order given (PostgreSQL's uuid order), like the scan's other row locks.
        var rows = await db.Database.SqlQuery<JoinedRow>($"""
            WITH opened AS (
                INSERT INTO takedowns (id, organisation_id, school_id, publication_id, status, kind, opened_at)
                VALUES ({id}, {publication.OrganisationId}, {publication.SchoolId}, {publication.Id}, {nameof(TakedownStatus.Open)},
                        {kind.ToString()}, {now})
                ON CONFLICT (publication_id) WHERE status = 'Open' DO NOTHING
                RETURNING id, kind),
            open AS (
                SELECT id, kind, true AS opened FROM opened
                UNION ALL
                SELECT id, kind, false FROM takedowns
                WHERE publication_id = {publication.Id} AND status = 'Open' AND NOT EXISTS (SELECT 1 FROM opened)),
            joined AS (
                INSERT INTO takedown_pupil (takedown_id, pupil_id, state, reason, added_at)
                SELECT o.id, x.pupil_id, x.state, x.reason, {now}
                FROM open o CROSS JOIN unnest({pupils}::uuid[], {states}::text[], {reasons}::text[]) WITH ORDINALITY AS x(pupil_id, state, reason, n)
                ORDER BY x.n
                ON CONFLICT (takedown_id, pupil_id) DO NOTHING
                RETURNING pupil_id)
            SELECT o.id AS takedown_id, o.kind, o.opened, j.pupil_id
            FROM open o LEFT JOIN joined j ON true
            """).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return null;
        }
        var joined = rows.Where(r => r.PupilId is not null).Select(r => r.PupilId!.Value).ToHashSet();
        return (rows[0].TakedownId, rows[0].Opened, Enum.Parse<TakedownKind>(rows[0].Kind),
            [.. denied.Where(d => joined.Contains(d.PupilId)).Select(d => new TakedownEventPupil(d.PupilId, d.Consent.State, d.Consent.Reason))]);
    }

    private sealed class JoinedRow
    {
        public Guid TakedownId { get; init; }
        public required string Kind { get; init; }
        public bool Opened { get; init; }
        public Guid? PupilId { get; init; }
    }

    /// <summary>The publication's open takedown: opened by this statement, or the one another transaction opened first.</summary>
    private async Task<(Guid Id, bool Opened, TakedownKind Kind)> OpenAsync(
        Shown publication, TakedownKind kind, DateTimeOffset now, CancellationToken ct)
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
