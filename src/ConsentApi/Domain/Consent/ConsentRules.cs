namespace ConsentApi.Domain.Consent;

/// <summary>The organisation's consent policy.</summary>
/// <param name="SchoolYearEndMonth">With <paramref name="SchoolYearEndDay"/>: the last day of a school year (default 31 July).</param>
/// <param name="TimeZone">The organisation's time zone: its local days are the days of consent.</param>
public sealed record ConsentPolicy(
    GrantRequires GrantRequires, int SchoolYearEndMonth = 7, int SchoolYearEndDay = 31, string TimeZone = ConsentCalendar.DefaultTimeZone)
{
    public static readonly ConsentPolicy Default = new(GrantRequires.AnyGuardian);

    public ConsentCalendar Calendar => ConsentCalendar.For(TimeZone);

    /// <summary>The last day a grant under a school-year form of <paramref name="schoolYear"/> ("2026-2027") counts.</summary>
    public DateOnly LastDayOf(string schoolYear) => EndIn(StartYear(schoolYear) + 1);

    /// <summary>The first day of <paramref name="schoolYear"/>: the day after the previous school year ended.</summary>
    public DateOnly FirstDayOf(string schoolYear) => EndIn(StartYear(schoolYear)).AddDays(1);

    private DateOnly EndIn(int year) => new(year, SchoolYearEndMonth, Math.Min(SchoolYearEndDay, DateTime.DaysInMonth(year, SchoolYearEndMonth)));

    private static int StartYear(string schoolYear) => int.Parse(schoolYear.AsSpan(0, 4), System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One recorded decision on one item (pupil × media type × channel).</summary>
/// <param name="GuardianId">The guardian who decided; null when the pupil decided themself.</param>
/// <param name="Sequence">Recording order: breaks ties between decisions given at the same moment.</param>
/// <param name="SchoolYear">The form version's school year, for <see cref="ConsentValidity.SchoolYear"/>.</param>
/// <param name="FormWithdrawnAt">When the form version was withdrawn (as known): a grant given to it ends then.</param>
public sealed record DecisionFact(
    Guid Id,
    Guid? GuardianId,
    ConsentOutcome Outcome,
    DateTimeOffset GivenAt,
    long Sequence,
    ConsentValidity Validity,
    string? SchoolYear,
    DateTimeOffset? FormWithdrawnAt = null);

/// <summary>What the rules need to know of one pupil for one item.</summary>
/// <param name="GuardiansWithAuthority">The guardians who hold parental authority over the pupil.</param>
/// <param name="Decisions">Every decision recorded for the item, in any order; later ones are filtered by the moment.</param>
/// <param name="Asked">Whether a published consent form asks this item of the pupil.</param>
public sealed record ConsentFacts(
    DateOnly DateOfBirth,
    IReadOnlyCollection<Guid> GuardiansWithAuthority,
    IReadOnlyList<DecisionFact> Decisions,
    bool Asked);

/// <summary>The outcome for one item: its state, why, and the decisions it rests on.</summary>
public sealed record EffectiveConsent(ConsentState State, string Reason, IReadOnlyList<DecisionFact> Basis)
{
    public bool Allowed => State == ConsentState.Granted;
}

/// <summary>
/// The consent rules, as one pure function: no database, no clock, no HTTP. See DESIGN.md §2: default deny; a refusal
/// by a guardian with authority blocks; policy any-/all-guardians; from 16 the pupil's own decision; school-year
/// validity; the latest decision by moment given (ties by recording order) wins; any past moment can be asked.
/// </summary>
public static class ConsentRules
{
    public static EffectiveConsent Evaluate(ConsentFacts facts, ConsentPolicy policy, DateTimeOffset at)
    {
        var day = policy.Calendar.DayOf(at);
        var latest = LatestPerPerson(facts.Decisions, at, policy, day);

        if (ConsentCalendar.IsSixteenOn(facts.DateOfBirth, day))
        {
            return latest.TryGetValue(PupilKey, out var own)
                ? Own(own, policy, at, day)
                : new EffectiveConsent(ConsentState.NeedsPupilConsent, ConsentReasons.PupilIs16, []);
        }

        var guardians = facts.GuardiansWithAuthority
            .Select(id => latest.GetValueOrDefault(id))
            .ToList();
        var refused = guardians.OfType<DecisionFact>().Where(d => d.Outcome == ConsentOutcome.Refused).ToList();
        var grants = guardians.OfType<DecisionFact>().Where(d => d.Outcome == ConsentOutcome.Granted)
            .ToLookup(d => IsExpired(d, policy, day) || Withdrawn(d, at));
        var granted = grants[false].ToList();
        var expired = grants[true].ToList();

        if (refused.Count > 0)
        {
            return granted.Count > 0
                ? new EffectiveConsent(ConsentState.Conflict, ConsentReasons.GuardiansDisagree, [.. refused, .. granted])
                : new EffectiveConsent(ConsentState.Refused, ConsentReasons.RefusedByGuardian, refused);
        }

        if (granted.Count > 0)
        {
            if (policy.GrantRequires == GrantRequires.AnyGuardian)
            {
                return new EffectiveConsent(ConsentState.Granted, ConsentReasons.GrantedByGuardian, granted);
            }
            return granted.Count == facts.GuardiansWithAuthority.Count
                ? new EffectiveConsent(ConsentState.Granted, ConsentReasons.GrantedByAllGuardians, granted)
                : new EffectiveConsent(ConsentState.Pending, ConsentReasons.AwaitingOtherGuardian, granted);
        }

        if (expired.Count > 0)
        {
            return new EffectiveConsent(ConsentState.Expired,
                expired.All(d => Withdrawn(d, at)) ? ConsentReasons.FormVersionWithdrawn : ConsentReasons.ConsentExpired, expired);
        }

        if (facts.GuardiansWithAuthority.Count == 0)
        {
            return new EffectiveConsent(facts.Asked ? ConsentState.Pending : ConsentState.NotAsked, ConsentReasons.NoGuardianWithAuthority, []);
        }

        return facts.Asked
            ? new EffectiveConsent(ConsentState.Pending, ConsentReasons.NoAnswer, [])
            : new EffectiveConsent(ConsentState.NotAsked, ConsentReasons.NotAsked, []);
    }

    private static readonly Guid PupilKey = Guid.Empty;

    private static EffectiveConsent Own(DecisionFact own, ConsentPolicy policy, DateTimeOffset at, DateOnly day) => own.Outcome switch
    {
        ConsentOutcome.Refused => new EffectiveConsent(ConsentState.Refused, ConsentReasons.RefusedByPupil, [own]),
        _ when Withdrawn(own, at) => new EffectiveConsent(ConsentState.Expired, ConsentReasons.FormVersionWithdrawn, [own]),
        _ when IsExpired(own, policy, day) => new EffectiveConsent(ConsentState.Expired, ConsentReasons.ConsentExpired, [own]),
        _ => new EffectiveConsent(ConsentState.Granted, ConsentReasons.GrantedByPupil, [own]),
    };

    /// <summary>
    /// Each person's latest decision given at or before <paramref name="at"/>: by moment given, then recording order. A
    /// grant for a school year that has not begun on <paramref name="day"/> does not count yet, so it supersedes nothing
    /// (a grant for next year leaves this year's refusal standing); a refusal counts from the moment it is given.
    /// </summary>
    private static Dictionary<Guid, DecisionFact> LatestPerPerson(
        IReadOnlyList<DecisionFact> decisions, DateTimeOffset at, ConsentPolicy policy, DateOnly day)
    {
        var latest = new Dictionary<Guid, DecisionFact>();
        // In the order given, then recorded, whatever order they were read in: each person's last one is their latest.
        foreach (var decision in decisions.Where(d => d.GivenAt <= at && !NotYetBegun(d, policy, day))
                     .OrderBy(d => d.GivenAt).ThenBy(d => d.Sequence))
        {
            latest[decision.GuardianId ?? PupilKey] = decision;
        }
        return latest;
    }

    private static bool NotYetBegun(DecisionFact decision, ConsentPolicy policy, DateOnly day) =>
        decision.Outcome == ConsentOutcome.Granted && decision.Validity == ConsentValidity.SchoolYear
        && decision.SchoolYear is { } year && day < policy.FirstDayOf(year);

    /// <summary>A grant ends when its form version is withdrawn (it may have been wrong); a refusal under it keeps counting.</summary>
    private static bool Withdrawn(DecisionFact decision, DateTimeOffset at) => decision.FormWithdrawnAt <= at;

    private static bool IsExpired(DecisionFact decision, ConsentPolicy policy, DateOnly day) =>
        decision.Validity == ConsentValidity.SchoolYear && decision.SchoolYear is { } year && day > policy.LastDayOf(year);
}
