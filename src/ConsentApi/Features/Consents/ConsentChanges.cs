using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <summary>
/// The one serialisation rule and the one consequences step for every command that changes what a pupil's consent rests
/// on (decisions, guardian links, roster changes, policy) or what it must allow (publications).
/// <para>
/// Serialisation: a command locks the pupils it touches before it reads their state: the pupil rows, in id order, with
/// <c>FOR NO KEY UPDATE</c> (row locks live on the rows, so a whole school can be locked at once), under a shared lock on
/// the organisation that only a policy change takes exclusively. So each command sees the state the previous one left,
/// and two commands never wait for each other in a cycle.
/// </para>
/// <para>
/// Consequences: before the command commits, <see cref="ApplyAsync"/> announces the changed states of the pupils whose
/// facts changed (<see cref="ConsentAnnouncer"/>) and opens or joins takedowns for their online publications. Handlers
/// never do this by hand.
/// </para>
/// </summary>
public sealed class ConsentChanges(
    ConsentDbContext db, ConsentEvaluator evaluator, ConsentAnnouncer announcer, IEnumerable<IConsentConsequence> consequences,
    TimeProvider clock)
{
    /// <summary>How long a command waits for the pupils or the organisation it needs, at most.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(8);

    private readonly SortedSet<Guid> _locked = new(PostgresUuidOrder.Instance);
    private readonly HashSet<Guid> _changed = [];
    private readonly HashSet<Guid> _shown = [];
    private readonly Dictionary<(Guid PupilId, MediaType MediaType, string Channel), ConsentState> _before = [];
    private Guid? _organisationId;
    private bool _organisationLocked;
    private bool _wholeOrganisation;

    /// <summary>True once the command has locked anything: then <see cref="ApplyAsync"/> has work to do.</summary>
    public bool Any => _organisationId is not null;

    /// <summary>
    /// Locks <paramref name="pupilIds"/> of the organisation whose consent facts the command is about to change, and takes
    /// note of their state now. Pupils that do not exist (or belong elsewhere) are skipped; the handler's own lookup says so.
    /// </summary>
    public async Task LockForChangeAsync(Guid organisationId, IReadOnlyCollection<Guid> pupilIds, CancellationToken ct)
    {
        var locked = await LockAsync(organisationId, pupilIds, ct);
        await NoteBeforeAsync(locked, ct);
    }

    /// <summary>Locks pupils shown in a publication being registered: their takedowns are checked before commit.</summary>
    public async Task LockForPublicationAsync(Guid organisationId, IReadOnlyCollection<Guid> pupilIds, CancellationToken ct)
    {
        var locked = await LockAsync(organisationId, pupilIds, ct);
        _shown.UnionWith(locked);
    }

    /// <summary>
    /// Locks every pupil of a school (a roster sync may touch any of them); call <see cref="WillChangeAsync"/> for those
    /// whose facts the command then changes, before changing them.
    /// </summary>
    public async Task LockSchoolAsync(Guid organisationId, Guid schoolId, CancellationToken ct)
    {
        await LockOrganisationAsync(organisationId, exclusive: false, ct);
        var ids = await db.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM pupils WHERE organisation_id = {organisationId} AND school_id = {schoolId}
            ORDER BY id FOR NO KEY UPDATE
            """).ToListAsync(ct);
        _locked.UnionWith(ids);
    }

    /// <summary>
    /// Takes note of the state of pupils whose facts the command is about to change. They are normally locked already
    /// (<see cref="LockSchoolAsync"/>); one created and committed since is locked now.
    /// </summary>
    public async Task WillChangeAsync(IReadOnlyCollection<Guid> pupilIds, CancellationToken ct)
    {
        if (_organisationId is not { } organisationId)
        {
            throw new InvalidOperationException("Lock the school before saying which of its pupils change.");
        }
        await NoteBeforeAsync(await LockAsync(organisationId, pupilIds, ct), ct);
    }

    /// <summary>
    /// Locks the whole organisation (a policy or channel change): waits for every command holding any of its pupils, and
    /// holds off new ones until commit. Consequences are then checked for all its online publications, and the pupils with
    /// decisions on <paramref name="channel"/> (every channel when null) get their changed consent announced.
    /// </summary>
    public async Task LockOrganisationForChangeAsync(Guid organisationId, CancellationToken ct, string? channel = null)
    {
        await LockOrganisationAsync(organisationId, exclusive: true, ct);
        _wholeOrganisation = true;
        var decided = await db.Decisions.Where(d => d.OrganisationId == organisationId && (channel == null || d.ChannelKey == channel))
            .Select(d => d.PupilId).Distinct().ToListAsync(ct);
        await NoteBeforeAsync(decided, ct);
    }

    /// <summary>
    /// Runs inside the command's transaction, after its handler and before commit, while the locks are held: announces
    /// changed states and opens or joins takedowns.
    /// </summary>
    public async Task ApplyAsync(CancellationToken ct)
    {
        if (_organisationId is not { } organisationId)
        {
            return;
        }
        await db.SaveChangesAsync(ct);
        var now = clock.GetUtcNow();
        if (_changed.Count > 0)
        {
            await announcer.AnnounceAsync(organisationId, _changed, _before, now, ct);
        }
        IReadOnlyCollection<Guid>? pupils = _wholeOrganisation ? null : [.. _changed.Union(_shown)];
        if (pupils is null || pupils.Count > 0)
        {
            foreach (var consequence in consequences)
            {
                await consequence.ApplyAsync(organisationId, pupils, ct);
            }
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Forgets everything, for a command that is run again from the start.</summary>
    public void Reset()
    {
        _locked.Clear();
        _changed.Clear();
        _shown.Clear();
        _before.Clear();
        _organisationId = null;
        _organisationLocked = false;
        _wholeOrganisation = false;
    }

    private async Task<List<Guid>> LockAsync(Guid organisationId, IReadOnlyCollection<Guid> pupilIds, CancellationToken ct)
    {
        await LockOrganisationAsync(organisationId, exclusive: false, ct);
        var wanted = pupilIds.Where(id => !_locked.Contains(id)).Distinct().ToArray();
        if (wanted.Length > 0)
        {
            // ORDER BY makes PostgreSQL lock the rows in id order: two commands locking overlapping sets never deadlock.
            var locked = await db.Database.SqlQuery<Guid>($"""
                SELECT id AS "Value" FROM pupils WHERE organisation_id = {organisationId} AND id = ANY({wanted})
                ORDER BY id FOR NO KEY UPDATE
                """).ToListAsync(ct);
            _locked.UnionWith(locked);
        }
        return pupilIds.Where(_locked.Contains).Distinct().ToList();
    }

    private async Task LockOrganisationAsync(Guid organisationId, bool exclusive, CancellationToken ct)
    {
        if (_organisationId is { } locked && locked != organisationId)
        {
            throw new InvalidOperationException("A command changes the consent of one organisation only.");
        }
        _organisationId = organisationId;
        var key = AdvisoryLocks.Key(organisationId, AdvisoryLocks.Consent);
        // lock_timeout (for the rest of the transaction) turns a wait that would outlast the request into a clear 503
        // (DatabaseOutage.Busy) instead of a statement time-out.
        var wait = $"{(int)LockWait.TotalMilliseconds}ms";
        if (exclusive)
        {
            await db.Database.ExecuteSqlAsync($"SELECT set_config('lock_timeout', {wait}, true), pg_advisory_xact_lock({key})", ct);
        }
        else if (!_organisationLocked)
        {
            await db.Database.ExecuteSqlAsync($"SELECT set_config('lock_timeout', {wait}, true), pg_advisory_xact_lock_shared({key})", ct);
        }
        _organisationLocked = true;
    }

    private async Task NoteBeforeAsync(IReadOnlyCollection<Guid> pupilIds, CancellationToken ct)
    {
        var fresh = pupilIds.Where(_changed.Add).ToList();
        if (fresh.Count == 0)
        {
            return;
        }
        foreach (var (item, consent) in await evaluator.StatesAsync(_organisationId!.Value, fresh, clock.GetUtcNow(), ct))
        {
            _before[item] = consent.State;
        }
    }
}

/// <summary>PostgreSQL's order of uuids (their bytes, as written), which is not <see cref="Guid.CompareTo(Guid)"/>'s.</summary>
public sealed class PostgresUuidOrder : IComparer<Guid>
{
    public static readonly PostgresUuidOrder Instance = new();

    public int Compare(Guid x, Guid y) => string.CompareOrdinal(x.ToString("N"), y.ToString("N"));
}

/// <summary>
/// What follows from changed consent, applied by <see cref="ConsentChanges.ApplyAsync"/> before commit, under the pupils'
/// locks: the takedowns. Declared here and implemented where it belongs, so that the consent folder depends on none.
/// </summary>
public interface IConsentConsequence
{
    /// <param name="pupilIds">The pupils whose consent may have changed or who are shown in a new publication; null for the
    /// whole organisation (a policy or channel change).</param>
    Task ApplyAsync(Guid organisationId, IReadOnlyCollection<Guid>? pupilIds, CancellationToken ct);
}
