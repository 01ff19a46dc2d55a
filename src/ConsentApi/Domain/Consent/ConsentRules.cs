namespace ConsentApi.Domain.Consent;

/// <summary>The organisation's consent policy.</summary>
/// <param name="SchoolYearEndMonth">With <paramref name="SchoolYearEndDay"/>: the last day of a school year (default 31 July).</param>
/// <param name="TimeZone">The organisation's time zone: its local days are the days of consent.</param>
/// <param name="AfterLeaving">Whether grants end when the pupil leaves the school.</param>
public sealed record ConsentPolicy(
    GrantRequires GrantRequires, int SchoolYearEndMonth = 7, int SchoolYearEndDay = 31, string TimeZone = ConsentCalendar.DefaultTimeZone,
    ConsentAfterLeaving AfterLeaving = ConsentAfterLeaving.Ends)
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
/// <param name="GuardiansWithAuthority">The guardians who hold parental authority over the pupil at the moment.</param>
/// <param name="Decisions">Every decision recorded for the item, in any order; later ones are filtered by the moment.</param>
/// <param name="Asked">Whether a published consent form asks this item of the pupil.</param>
/// <param name="Limits">What ends grants besides time: leaving the school, a channel changing its meaning; none by default.</param>
public sealed record ConsentFacts(
    DateOnly DateOfBirth,
    IReadOnlyCollection<Guid> GuardiansWithAuthority,
    IReadOnlyList<DecisionFact> Decisions,
    bool Asked,
    GrantLimits? Limits = null);

/// <summary>
/// The enrolment and the channel as they stood at the moment. A grant counts only if given while the pupil was at the
/// school (since <paramref name="EnrolledSince"/>, unless the policy keeps consent after leaving) and under the channel's
/// present meaning (since <paramref name="ChannelMeaningSince"/>: an audience change or a retirement ends every grant for it).
/// </summary>
/// <param name="EnrolledSince">When the pupil's present enrolment began (a pupil who returns starts a new one).</param>
/// <param name="Left">Whether the pupil had left the school.</param>
/// <param name="ChannelMeaningSince">When the channel last changed its audience, or was retired or brought back.</param>
/// <param name="ChannelRetired">Whether the channel was retired.</param>
public sealed record GrantLimits(DateTimeOffset EnrolledSince, bool Left, DateTimeOffset ChannelMeaningSince, bool ChannelRetired)
{
    public static readonly GrantLimits None = new(DateTimeOffset.MinValue, false, DateTimeOffset.MinValue, false);
}

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
                ? Own(own, facts, policy, at, day)
                : new EffectiveConsent(ConsentState.NeedsPupilConsent, ConsentReasons.PupilIs16, []);
        }

        // One pass over the guardians, in their order, each grant judged once: every check evaluates this for each pupil.
        var refused = new List<DecisionFact>();
        var granted = new List<DecisionFact>();
        List<(DecisionFact Grant, string Reason)>? expired = null;
        foreach (var guardianId in facts.GuardiansWithAuthority)
        {
            if (!latest.TryGetValue(guardianId, out var decision))
            {
                continue;
            }
            if (decision.Outcome == ConsentOutcome.Refused)
            {
                refused.Add(decision);
            }
            else if (decision.Outcome == ConsentOutcome.Granted)
            {
                if (EndedBy(decision, facts, policy, at, day) is { } reason)
                {
                    (expired ??= []).Add((decision, reason));
                }
                else
                {
                    granted.Add(decision);
                }
            }
        }

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

        if (expired is not null)
        {
            return new EffectiveConsent(ConsentState.Expired, EndReason(expired.Select(e => e.Reason)), [.. expired.Select(e => e.Grant)]);
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

    private static EffectiveConsent Own(DecisionFact own, ConsentFacts facts, ConsentPolicy policy, DateTimeOffset at, DateOnly day) => own.Outcome switch
    {
        ConsentOutcome.Refused => new EffectiveConsent(ConsentState.Refused, ConsentReasons.RefusedByPupil, [own]),
        _ when EndedBy(own, facts, policy, at, day) is { } reason => new EffectiveConsent(ConsentState.Expired, reason, [own]),
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
        // Whatever order they were read in, each person's latest is the last in the order given, then recorded.
        foreach (var decision in decisions)
        {
            if (decision.GivenAt > at || NotYetBegun(decision, policy, day))
            {
                continue;
            }
            var person = decision.GuardianId ?? PupilKey;
            if (!latest.TryGetValue(person, out var before) || IsLater(decision, before))
            {
                latest[person] = decision;
            }
        }
        return latest;
    }

    /// <summary>Whether <paramref name="decision"/> comes after <paramref name="other"/>: given later, or at the same moment and recorded later.</summary>
    private static bool IsLater(DecisionFact decision, DecisionFact other) =>
        decision.GivenAt != other.GivenAt ? decision.GivenAt > other.GivenAt : decision.Sequence >= other.Sequence;

    private static bool NotYetBegun(DecisionFact decision, ConsentPolicy policy, DateOnly day) =>
        decision.Outcome == ConsentOutcome.Granted && decision.Validity == ConsentValidity.SchoolYear
        && decision.SchoolYear is { } year && day < policy.FirstDayOf(year);

    /// <summary>Why a grant no longer counts at the moment, or null while it does.</summary>
    private static string? EndedBy(DecisionFact grant, ConsentFacts facts, ConsentPolicy policy, DateTimeOffset at, DateOnly day)
    {
        var limits = facts.Limits ?? GrantLimits.None;
        if (limits.ChannelRetired)
        {
            return ConsentReasons.ChannelRetired;
        }
        if (policy.AfterLeaving == ConsentAfterLeaving.Ends && (limits.Left || grant.GivenAt < limits.EnrolledSince))
        {
            return ConsentReasons.PupilLeft;
        }
        if (Withdrawn(grant, at))
        {
            return ConsentReasons.FormVersionWithdrawn;
        }
        if (grant.GivenAt < limits.ChannelMeaningSince)
        {
            return ConsentReasons.ChannelChanged;
        }
        return grant.Validity == ConsentValidity.SchoolYear && grant.SchoolYear is { } year && day > policy.LastDayOf(year)
            ? ConsentReasons.ConsentExpired
            : null;
    }

    /// <summary>Of several ended grants, the reason that ends them most lastingly.</summary>
    private static string EndReason(IEnumerable<string> reasons)
    {
        var all = reasons.ToHashSet();
        return new[]
               {
                   ConsentReasons.ChannelRetired, ConsentReasons.PupilLeft, ConsentReasons.FormVersionWithdrawn, ConsentReasons.ChannelChanged,
               }.FirstOrDefault(all.Contains)
               ?? ConsentReasons.ConsentExpired;
    }

    /// <summary>A grant ends when its form version is withdrawn (it may have been wrong); a refusal under it keeps counting.</summary>
    private static bool Withdrawn(DecisionFact decision, DateTimeOffset at) => decision.FormWithdrawnAt <= at;
}
