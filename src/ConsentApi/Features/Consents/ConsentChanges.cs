using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

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
/// <para>
/// Recording decisions is the hot path, so it costs few round trips (<see cref="LockForDecisionsAsync"/>): the locks in
/// one; the state before, the announced states, the subscriptions and the online publications showing the pupils in the
/// next, together with the recorder's own reads (<see cref="AddReads"/>); the state after is then evaluated from the state
/// before and the decisions recorded (<see cref="Recorded"/>), with the one rules function, and every write goes with the
/// command's one save.
/// </para>
/// </summary>
public sealed class ConsentChanges(
    ConsentDbContext db, CommandWrites writes, ConsentEvaluator evaluator, ConsentAnnouncer announcer, IEnumerable<IConsentConsequence> consequences,
    EventOutbox events, TimeProvider clock)
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
    private bool _genericPlans;

    // Pupils locked for decisions whose state before is still to be read, the facts it was read from, and what was recorded.
    private readonly List<Guid> _toNote = [];
    private readonly Dictionary<Guid, ConsentFactSet> _factsBefore = [];
    private readonly Dictionary<(Guid PupilId, MediaType MediaType, string Channel), List<DecisionFact>> _recorded = [];
    private bool _changedOtherwise;
    private DateTimeOffset? _moment;
    private string? _commandMoment;

    /// <summary>True once the command has locked anything: then <see cref="ApplyAsync"/> has work to do.</summary>
    public bool Any => _organisationId is not null;

    /// <summary>
    /// Locks <paramref name="pupilIds"/> of the organisation whose consent facts the command is about to change, and takes
    /// note of their state now. Pupils that do not exist (or belong elsewhere) are skipped; the handler's own lookup says so.
    /// </summary>
    public async Task LockForChangeAsync(Guid organisationId, IReadOnlyCollection<Guid> pupilIds, CancellationToken ct)
    {
        var locked = await LockAsync(organisationId, pupilIds, ct);
        _changedOtherwise = true;
        await NoteBeforeAsync(locked, ct);
    }

    /// <summary>
    /// The moment the database's history triggers stamp on the command's changes (<c>consent.now</c>), set with the first
    /// lock instead of in a round trip of its own: for a command that locks before it writes anything.
    /// </summary>
    public void SetCommandMomentWithLock(string moment) => _commandMoment = moment;

    /// <summary>Whether <see cref="SetCommandMomentWithLock"/>'s moment is still to be set: nothing was locked.</summary>
    public bool CommandMomentPending => _commandMoment is not null;

    /// <summary>
    /// Locks <paramref name="pupilIds"/>, whose consent facts the command changes only by recording decisions (each
    /// declared with <see cref="Recorded"/>), and returns the command's moment: taken once the first pupils were locked,
    /// so that it lies after every change that committed before. Their state before is read with the next
    /// <see cref="AddReads"/>.
    /// </summary>
    /// <param name="readUnderLocks">Adds reads that go in the same round trip, after the locks, and so see what the
    /// previous command left (the parents' app reads the guardian and their children there).</param>
    public async Task<DateTimeOffset> LockForDecisionsAsync(
        Guid organisationId, IReadOnlyCollection<Guid> pupilIds, CancellationToken ct, Action<ReadBatch>? readUnderLocks = null)
    {
        _genericPlans = !_organisationLocked;
        var locked = await LockAsync(organisationId, pupilIds, ct, readUnderLocks);
        _moment ??= clock.GetUtcNow();
        _toNote.AddRange(locked.Where(_changed.Add));
        return _moment.Value;
    }

    /// <summary>
    /// Adds to <paramref name="batch"/> what the consequences of recorded decisions will need, for the pupils locked since
    /// the last call: their facts now (the state before), their announced states, the organisation's webhook
    /// subscriptions and their online publications.
    /// </summary>
    public void AddReads(ReadBatch batch)
    {
        if (_toNote.Count == 0 || _organisationId is not { } organisationId || _moment is not { } moment)
        {
            return;
        }
        List<Guid> ids = [.. _toNote];
        _toNote.Clear();
        ConsentFactsReader.AddTo(batch, new FactsRequest(organisationId, ids, null, null, moment, moment), facts =>
        {
            foreach (var pupilId in facts.Pupils.Keys)
            {
                _factsBefore[pupilId] = facts;
            }
            foreach (var (item, consent) in ConsentEvaluator.States(facts))
            {
                _before[item] = consent.State;
            }
        });
        announcer.AddReads(batch, ids);
        events.AddReads(batch, organisationId);
        foreach (var consequence in consequences)
        {
            consequence.AddReads(batch, organisationId, ids);
        }
    }

    /// <summary>Declares decisions the command recorded for a pupil locked with <see cref="LockForDecisionsAsync"/>.</summary>
    public void Recorded(Guid pupilId, MediaType mediaType, string channel, DecisionFact decision)
    {
        var key = (pupilId, mediaType, channel);
        if (!_recorded.TryGetValue(key, out var list))
        {
            _recorded[key] = list = [];
        }
        // After every decision stored, in the order recorded: as the sequence the database gives them will order them.
        list.Add(decision with { Sequence = long.MaxValue / 2 + _recorded.Values.Sum(l => l.Count) });
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
        if (_toNote.Count > 0)
        {
            var batch = new ReadBatch(db);
            AddReads(batch);
            await batch.ExecuteAsync(ct);
        }
        var now = clock.GetUtcNow();
        ConsentAfter? after = null;
        if (!_changedOtherwise && !_wholeOrganisation && _shown.Count == 0 && _changed.Count > 0 && _changed.All(_factsBefore.ContainsKey))
        {
            // Only decisions changed, and they are in hand: the state after is the state before with them, saved with the command.
            after = new ConsentAfter(_factsBefore, _recorded);
        }
        else
        {
            // The state after is read from the database: everything the command wrote goes first.
            await writes.SaveAsync(ct);
        }
        if (_changed.Count > 0)
        {
            await announcer.AnnounceAsync(organisationId, _changed, _before, after?.States(_changed), now, ct);
        }
        IReadOnlyCollection<Guid>? pupils = _wholeOrganisation ? null : [.. _changed.Union(_shown)];
        if (pupils is null || pupils.Count > 0)
        {
            foreach (var consequence in consequences)
            {
                await consequence.ApplyAsync(organisationId, pupils, after, ct);
            }
        }
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
        _genericPlans = false;
        _toNote.Clear();
        _factsBefore.Clear();
        _recorded.Clear();
        _changedOtherwise = false;
        _moment = null;
        _commandMoment = null;
        announcer.Reset();
        foreach (var consequence in consequences)
        {
            consequence.Reset();
        }
    }

    private async Task<List<Guid>> LockAsync(
        Guid organisationId, IReadOnlyCollection<Guid> pupilIds, CancellationToken ct, Action<ReadBatch>? readUnderLocks = null)
    {
        if (_organisationId is { } other && other != organisationId)
        {
            throw new InvalidOperationException("A command changes the consent of one organisation only.");
        }
        _organisationId = organisationId;
        var batch = new ReadBatch(db);
        if (OrganisationLock(organisationId, exclusive: false) is { } organisationLock)
        {
            batch.Add([organisationLock], (_, _) => Task.CompletedTask);
        }
        var wanted = pupilIds.Where(id => !_locked.Contains(id)).Distinct().ToArray();
        if (wanted.Length > 0)
        {
            // ORDER BY makes PostgreSQL lock the rows in id order: two commands locking overlapping sets never deadlock.
            // Sent with the organisation's lock, after it: one round trip.
            batch.Add("""
                SELECT id FROM pupils WHERE organisation_id = $1 AND id = ANY($2)
                ORDER BY id FOR NO KEY UPDATE
                """, [organisationId, new Npgsql.NpgsqlParameter { Value = wanted, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid }],
                async (reader, token) =>
                {
                    while (await reader.ReadAsync(token))
                    {
                        _locked.Add(reader.GetGuid(0));
                    }
                });
        }
        readUnderLocks?.Invoke(batch);
        await batch.ExecuteAsync(ct);
        _organisationLocked = true;
        return pupilIds.Where(_locked.Contains).Distinct().ToList();
    }

    private async Task LockOrganisationAsync(Guid organisationId, bool exclusive, CancellationToken ct)
    {
        if (_organisationId is { } locked && locked != organisationId)
        {
            throw new InvalidOperationException("A command changes the consent of one organisation only.");
        }
        _organisationId = organisationId;
        if (OrganisationLock(organisationId, exclusive) is { } statement)
        {
            var batch = new ReadBatch(db);
            batch.Add([statement], (_, _) => Task.CompletedTask);
            await batch.ExecuteAsync(ct);
        }
        _organisationLocked = true;
    }

    /// <summary>The statement that takes the organisation's lock, or null when it is held already.</summary>
    private Npgsql.NpgsqlBatchCommand? OrganisationLock(Guid organisationId, bool exclusive)
    {
        if (!exclusive && _organisationLocked)
        {
            return null;
        }
        var key = AdvisoryLocks.Key(organisationId, AdvisoryLocks.Consent);
        // lock_timeout (for the rest of the transaction) turns a wait that would outlast the request into a clear 503
        // (DatabaseOutage.Busy) instead of a statement time-out.
        var wait = $"{(int)LockWait.TotalMilliseconds}ms";
        var function = exclusive ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared";
        // The command's moment goes with the first statement that has to be sent anyway.
        var moment = _commandMoment;
        _commandMoment = null;
        // Recording decisions reads and writes a few pupils' rows by key, for which the generic plan of each prepared
        // statement is the plan; left to choose, PostgreSQL planned the facts' and announced states' reads afresh on every
        // call (a custom plan for the pupil ids at hand looks cheaper), half a millisecond of its CPU per call.
        var plans = _genericPlans && !exclusive ? "set_config('plan_cache_mode', 'force_generic_plan', true), " : "";
        return moment is null
            ? ReadBatch.Statement($"SELECT {plans}set_config('lock_timeout', $1, true), {function}($2)", wait, key)
            : ReadBatch.Statement($"SELECT {plans}set_config('consent.now', $3, true), set_config('lock_timeout', $1, true), {function}($2)",
                wait, key, moment);
    }

    private async Task NoteBeforeAsync(IReadOnlyCollection<Guid> pupilIds, CancellationToken ct)
    {
        var fresh = pupilIds.Where(_changed.Add).ToList();
        if (fresh.Count == 0)
        {
            return;
        }
        _changedOtherwise = true;
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
    /// <param name="after">The pupils' consent now, when the command only recorded decisions (not yet saved); null when
    /// it is to be read from the database.</param>
    Task ApplyAsync(Guid organisationId, IReadOnlyCollection<Guid>? pupilIds, ConsentAfter? after, CancellationToken ct);

    /// <summary>Adds what <see cref="ApplyAsync"/> will need for <paramref name="pupilIds"/> to a batch of reads.</summary>
    void AddReads(ReadBatch batch, Guid organisationId, IReadOnlyCollection<Guid> pupilIds);

    /// <summary>Forgets what was read, for a command that is run again from the start.</summary>
    void Reset();
}

/// <summary>
/// The consent of pupils whose facts changed only by the decisions a command recorded: their facts before, read under
/// their locks, with those decisions added, evaluated by the one rules function at the command's moment.
/// </summary>
public sealed class ConsentAfter(
    IReadOnlyDictionary<Guid, ConsentFactSet> factsBefore,
    IReadOnlyDictionary<(Guid PupilId, MediaType MediaType, string Channel), List<DecisionFact>> recorded)
{
    public bool Knows(Guid pupilId) => factsBefore.ContainsKey(pupilId);

    public EffectiveConsent Evaluate(Guid pupilId, (MediaType MediaType, string Channel) item) =>
        factsBefore[pupilId].Evaluate(pupilId, item, recorded.GetValueOrDefault((pupilId, item.MediaType, item.Channel)));

    /// <summary>The pupil's school and the organisation's channels, as the facts hold them.</summary>
    public PupilFacts Pupil(Guid pupilId) => factsBefore[pupilId].Pupils[pupilId];

    public IReadOnlyDictionary<string, ChannelFacts> Channels(Guid pupilId) => factsBefore[pupilId].Channels;

    /// <summary>Every item that matters for the pupils: those their forms ask, those anyone decided on, those just decided.</summary>
    public Dictionary<(Guid PupilId, MediaType MediaType, string Channel), EffectiveConsent> States(IEnumerable<Guid> pupilIds) =>
        pupilIds.Where(Knows)
            .SelectMany(id => factsBefore[id].ItemsOf(id)
                .Concat(recorded.Keys.Where(k => k.PupilId == id).Select(k => (k.MediaType, k.Channel)))
                .Distinct()
                .Select(item => (id, item.MediaType, item.Channel)))
            .ToDictionary(p => p, p => Evaluate(p.id, (p.MediaType, p.Channel)));
}
