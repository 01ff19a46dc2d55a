using ConsentApi.Domain.Consent;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// The test's own record of the facts consent rests on, kept as the API is driven: a second, deliberately plain
/// implementation of the history semantics (DESIGN.md §2 rule 9), evaluated with the one pure rules function. A pupil's
/// first record holds since always; enrolment and policy changes hold from when recorded; a corrected date of birth
/// applies to every moment, as known from its correction; a link change holds since always while the pupil has no
/// decision on record, and from when recorded after that. A channel's audience change holds from when recorded and ends
/// the grants given for it before. A decision counts if given by the moment and recorded by the
/// moment known.
/// </summary>
internal sealed class ConsentFactsModel
{
    private static readonly DateTimeOffset Always = DateTimeOffset.MinValue;

    private readonly List<Change<GrantRequires>> _policy = [new(Always, Always, 0, GrantRequires.AnyGuardian)];
    private readonly Dictionary<Guid, PupilHistory> _pupils = [];
    private readonly Dictionary<string, List<Change<DateTimeOffset>>> _channelMeanings = [];
    private long _order;

    private sealed record Change<T>(DateTimeOffset ValidFrom, DateTimeOffset RecordedAt, long Order, T Value);

    public sealed record Enrolment(bool Left, Guid? GroupId, DateTimeOffset EnrolledSince);

    public sealed record RecordedDecision(
        Guid? GuardianId, string Item, ConsentOutcome Outcome, DateTimeOffset GivenAt, DateTimeOffset RecordedAt, long Order,
        ConsentValidity Validity, string? SchoolYear);

    private sealed class PupilHistory
    {
        public List<Change<Enrolment>> Enrolments { get; } = [];
        public List<Change<DateOnly>> BirthDates { get; } = [];
        public Dictionary<Guid, List<Change<bool?>>> Links { get; } = [];
        public List<RecordedDecision> Decisions { get; } = [];
    }

    public void AddPupil(Guid pupilId, DateOnly dateOfBirth, Guid? groupId)
    {
        var pupil = new PupilHistory();
        pupil.Enrolments.Add(new(Always, Always, ++_order, new Enrolment(false, groupId, Always)));
        pupil.BirthDates.Add(new(Always, Always, ++_order, dateOfBirth));
        _pupils[pupilId] = pupil;
    }

    /// <summary>A link made or changed (<paramref name="authority"/> true or false), or ended (null).</summary>
    public void Link(Guid pupilId, Guid guardianId, bool? authority, DateTimeOffset recorded)
    {
        var pupil = _pupils[pupilId];
        var links = pupil.Links.TryGetValue(guardianId, out var existing) ? existing : pupil.Links[guardianId] = [];
        if (links.Count > 0 && links[^1].Value == authority)
        {
            return;
        }
        links.Add(new(pupil.Decisions.Count == 0 ? Always : recorded, recorded, ++_order, authority));
    }

    public void ChangePolicy(GrantRequires grantRequires, DateTimeOffset recorded) =>
        _policy.Add(new(recorded, recorded, ++_order, grantRequires));

    /// <summary>The channel's audience changed: its grants given before no longer count.</summary>
    public void ChangeChannelMeaning(string channel, DateTimeOffset recorded) =>
        (_channelMeanings.TryGetValue(channel, out var changes) ? changes : _channelMeanings[channel] = [])
        .Add(new(recorded, recorded, ++_order, recorded));

    public void CorrectBirthDate(Guid pupilId, DateOnly dateOfBirth, DateTimeOffset recorded) =>
        _pupils[pupilId].BirthDates.Add(new(Always, recorded, ++_order, dateOfBirth));

    public void Enrol(Guid pupilId, bool left, Guid? groupId, DateTimeOffset recorded)
    {
        var enrolments = _pupils[pupilId].Enrolments;
        var previous = enrolments[^1].Value;
        if (previous.Left == left && previous.GroupId == groupId)
        {
            return;
        }
        var since = previous.Left && !left ? recorded : previous.EnrolledSince;
        enrolments.Add(new(recorded, recorded, ++_order, new Enrolment(left, groupId, since)));
    }

    public void Decide(Guid pupilId, Guid? guardianId, string item, ConsentOutcome outcome, DateTimeOffset givenAt,
        DateTimeOffset recordedAt, ConsentValidity validity, string? schoolYear) =>
        _pupils[pupilId].Decisions.Add(new(guardianId, item, outcome, givenAt, recordedAt, ++_order, validity, schoolYear));

    public bool IsLinked(Guid pupilId, Guid guardianId) =>
        _pupils[pupilId].Links.TryGetValue(guardianId, out var links) && links[^1].Value is not null;

    public Enrolment EnrolmentNow(Guid pupilId) => _pupils[pupilId].Enrolments[^1].Value;

    public GrantRequires PolicyNow => _policy[^1].Value;

    public Enrolment EnrolmentAt(Guid pupilId, DateTimeOffset at, DateTimeOffset asKnownAt) =>
        AsOf(_pupils[pupilId].Enrolments, at, asKnownAt)!.Value;

    /// <summary>What the rules say for the pupil's item at <paramref name="at"/>, as the record knew it at <paramref name="asKnownAt"/>.</summary>
    public EffectiveConsent Expected(Guid pupilId, string item, DateTimeOffset at, DateTimeOffset asKnownAt, IReadOnlySet<string> asked)
    {
        var pupil = _pupils[pupilId];
        var policy = new ConsentPolicy(AsOf(_policy, at, asKnownAt)!.Value);
        var enrolment = EnrolmentAt(pupilId, at, asKnownAt);
        var dateOfBirth = AsOf(pupil.BirthDates, at, asKnownAt)!.Value;
        var withAuthority = pupil.Links.Where(l => AsOf(l.Value, at, asKnownAt)?.Value == true).Select(l => l.Key).ToList();
        var decisions = pupil.Decisions.Where(d => d.Item == item && d.RecordedAt <= asKnownAt)
            .Select(d => new DecisionFact(Guid.NewGuid(), d.GuardianId, d.Outcome, d.GivenAt, d.Order, d.Validity, d.SchoolYear))
            .ToList();
        var meaningSince = AsOf(_channelMeanings.GetValueOrDefault(item.Split(':')[1]) ?? [], at, asKnownAt)?.Value ?? DateTimeOffset.MinValue;
        var limits = new GrantLimits(enrolment.EnrolledSince, enrolment.Left, meaningSince, false);
        return ConsentRules.Evaluate(new ConsentFacts(dateOfBirth, withAuthority, decisions, asked.Contains(item), limits), policy, at);
    }

    /// <summary>The change that holds at the moment: the latest to hold by then, of those recorded by the moment known.</summary>
    private static Change<T>? AsOf<T>(IEnumerable<Change<T>> changes, DateTimeOffset at, DateTimeOffset asKnownAt) =>
        changes.Where(c => c.ValidFrom <= at && c.RecordedAt <= asKnownAt)
            .OrderBy(c => c.ValidFrom).ThenBy(c => c.Order).LastOrDefault();
}
