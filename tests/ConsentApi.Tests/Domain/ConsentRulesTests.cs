using ConsentApi.Domain.Consent;
using static ConsentApi.Domain.Consent.ConsentState;

namespace ConsentApi.Tests.Domain;

/// <summary>The consent rules of DESIGN.md §2, case by case. Each row is one situation a school meets.</summary>
public sealed class ConsentRulesTests
{
    private static readonly Guid Mother = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Father = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid Stepmother = Guid.Parse("00000000-0000-0000-0000-00000000000c");
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly EightYearsOld = new(2018, 3, 14);
    private static readonly DateOnly SixteenToday = new(2010, 11, 24);
    private static readonly DateOnly SixteenTomorrow = new(2010, 11, 25);

    private static long _sequence;

    private static DecisionFact Decision(Guid? person, ConsentOutcome outcome, DateTimeOffset givenAt,
        ConsentValidity validity = ConsentValidity.UntilWithdrawn, string? schoolYear = null, long? sequence = null) =>
        new(Guid.NewGuid(), person, outcome, givenAt, sequence ?? Interlocked.Increment(ref _sequence), validity, schoolYear);

    private static DecisionFact Grant(Guid? person, int daysAgo = 30, ConsentValidity validity = ConsentValidity.UntilWithdrawn,
        string? schoolYear = null, long? sequence = null) =>
        Decision(person, ConsentOutcome.Granted, Now.AddDays(-daysAgo), validity, schoolYear, sequence);

    private static DecisionFact Refuse(Guid? person, int daysAgo = 30, long? sequence = null) =>
        Decision(person, ConsentOutcome.Refused, Now.AddDays(-daysAgo), sequence: sequence);

    private static ConsentFacts Facts(DecisionFact[] decisions, Guid[]? authority = null, DateOnly? born = null, bool asked = true) =>
        new(born ?? EightYearsOld, authority ?? [Mother, Father], decisions, asked);

    public sealed record Situation(string Name, ConsentFacts Facts, ConsentPolicy Policy, DateTimeOffset At, ConsentState State, string Reason)
    {
        public override string ToString() => Name;
    }

    private static readonly ConsentPolicy Any = ConsentPolicy.Default;
    private static readonly ConsentPolicy All = new(GrantRequires.AllGuardians);

    public static IEnumerable<Situation> Situations()
    {
        // 1. Default deny.
        yield return new("asked, nobody answered: pending", Facts([]), Any, Now, Pending, ConsentReasons.NoAnswer);
        yield return new("never asked: not asked", Facts([], asked: false), Any, Now, NotAsked, ConsentReasons.NotAsked);
        yield return new("no guardian with authority: pending", Facts([], authority: []), Any, Now, Pending, ConsentReasons.NoGuardianWithAuthority);
        yield return new("no guardian with authority, not asked", Facts([], authority: [], asked: false), Any, Now, NotAsked, ConsentReasons.NoGuardianWithAuthority);
        yield return new("a grant by someone without authority counts for nothing", Facts([Grant(Stepmother)]), Any, Now, Pending, ConsentReasons.NoAnswer);
        yield return new("the pupil's own grant before 16 counts for nothing", Facts([Grant(null)]), Any, Now, Pending, ConsentReasons.NoAnswer);

        // 2. A refusal by a guardian with authority blocks.
        yield return new("one guardian grants", Facts([Grant(Mother)]), Any, Now, Granted, ConsentReasons.GrantedByGuardian);
        yield return new("one guardian refuses", Facts([Refuse(Mother)]), Any, Now, Refused, ConsentReasons.RefusedByGuardian);
        yield return new("both refuse", Facts([Refuse(Mother), Refuse(Father)]), Any, Now, Refused, ConsentReasons.RefusedByGuardian);
        yield return new("one grants, the other refuses: conflict", Facts([Grant(Mother), Refuse(Father)]), Any, Now, Conflict, ConsentReasons.GuardiansDisagree);
        yield return new("conflict under all-guardians too", Facts([Grant(Mother), Refuse(Father)]), All, Now, Conflict, ConsentReasons.GuardiansDisagree);
        yield return new("a refusal by someone without authority does not block", Facts([Grant(Mother), Refuse(Stepmother)]), Any, Now, Granted, ConsentReasons.GrantedByGuardian);

        // 3. Policy.
        yield return new("all-guardians: one of two granted", Facts([Grant(Mother)]), All, Now, Pending, ConsentReasons.AwaitingOtherGuardian);
        yield return new("all-guardians: both granted", Facts([Grant(Mother), Grant(Father)]), All, Now, Granted, ConsentReasons.GrantedByAllGuardians);
        yield return new("all-guardians: the only guardian granted", Facts([Grant(Mother)], authority: [Mother]), All, Now, Granted, ConsentReasons.GrantedByAllGuardians);
        yield return new("any-guardian: both granted", Facts([Grant(Mother), Grant(Father)]), Any, Now, Granted, ConsentReasons.GrantedByGuardian);

        // 6. The latest decision by moment given wins; ties by recording order.
        yield return new("withdrawal: a later refusal", Facts([Grant(Mother, 30), Refuse(Mother, 1)]), Any, Now, Refused, ConsentReasons.RefusedByGuardian);
        yield return new("a later grant after a refusal", Facts([Refuse(Mother, 30), Grant(Mother, 1)]), Any, Now, Granted, ConsentReasons.GrantedByGuardian);
        yield return new("a withdrawal by one of two granting guardians: conflict",
            Facts([Grant(Mother, 30), Grant(Father, 30), Refuse(Father, 1)]), Any, Now, Conflict, ConsentReasons.GuardiansDisagree);
        yield return new("a paper form keyed in later but given earlier does not override",
            Facts([Refuse(Mother, 1, sequence: 1), Grant(Mother, 10, sequence: 2)]), Any, Now, Refused, ConsentReasons.RefusedByGuardian);
        yield return new("same moment: the one recorded last wins (refusal)",
            Facts([Grant(Mother, 5, sequence: 1), Refuse(Mother, 5, sequence: 2)]), Any, Now, Refused, ConsentReasons.RefusedByGuardian);
        yield return new("same moment: the one recorded last wins (grant)",
            Facts([Refuse(Mother, 5, sequence: 1), Grant(Mother, 5, sequence: 2)]), Any, Now, Granted, ConsentReasons.GrantedByGuardian);
        yield return new("same moment, read in another order: still the one recorded last (refusal)",
            Facts([Refuse(Mother, 5, sequence: 2), Grant(Mother, 5, sequence: 1)]), Any, Now, Refused, ConsentReasons.RefusedByGuardian);
        yield return new("same moment, read in another order: still the one recorded last (grant)",
            Facts([Grant(Mother, 5, sequence: 2), Refuse(Mother, 5, sequence: 1)]), Any, Now, Granted, ConsentReasons.GrantedByGuardian);
        yield return new("a later decision read before an earlier one still wins",
            Facts([Refuse(Mother, 1, sequence: 1), Grant(Mother, 10, sequence: 2), Grant(Mother, 20, sequence: 3)]), Any, Now, Refused, ConsentReasons.RefusedByGuardian);

        // 7. Any past moment can be asked.
        yield return new("before the grant was given: pending", Facts([Grant(Mother, 10)]), Any, Now.AddDays(-11), Pending, ConsentReasons.NoAnswer);
        yield return new("after the grant, before the withdrawal: granted",
            Facts([Grant(Mother, 10), Refuse(Mother, 2)]), Any, Now.AddDays(-5), Granted, ConsentReasons.GrantedByGuardian);
        yield return new("at the very moment of the withdrawal: refused",
            Facts([Grant(Mother, 10), Refuse(Mother, 2)]), Any, Now.AddDays(-2), Refused, ConsentReasons.RefusedByGuardian);

        // 5. Validity.
        var schoolYearGrant = Decision(Mother, ConsentOutcome.Granted, new DateTimeOffset(2025, 9, 1, 8, 0, 0, TimeSpan.Zero),
            ConsentValidity.SchoolYear, "2025-2026");
        yield return new("school-year grant on the last day of the school year", Facts([schoolYearGrant]), Any,
            new DateTimeOffset(2026, 7, 31, 23, 59, 0, TimeSpan.Zero), Granted, ConsentReasons.GrantedByGuardian);
        yield return new("school-year grant the day after: expired", Facts([schoolYearGrant]), Any,
            new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero), Expired, ConsentReasons.ConsentExpired);
        yield return new("school year ending 30 June: expired on 1 July", Facts([schoolYearGrant]), new ConsentPolicy(GrantRequires.AnyGuardian, 6, 30),
            new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero), Expired, ConsentReasons.ConsentExpired);
        yield return new("until-withdrawn grant years later", Facts([Grant(Mother, 2000)]), Any, Now, Granted, ConsentReasons.GrantedByGuardian);
        yield return new("expired grant and a valid grant by the other guardian", Facts([schoolYearGrant, Grant(Father)]), Any, Now, Granted, ConsentReasons.GrantedByGuardian);
        yield return new("expired grant and a refusal by the other guardian", Facts([schoolYearGrant, Refuse(Father)]), Any, Now, Refused, ConsentReasons.RefusedByGuardian);
        yield return new("all-guardians: one expired, one valid", Facts([schoolYearGrant, Grant(Father)]), All, Now, Pending, ConsentReasons.AwaitingOtherGuardian);
        yield return new("a renewed grant for the new school year", Facts([schoolYearGrant,
            Decision(Mother, ConsentOutcome.Granted, new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero), ConsentValidity.SchoolYear, "2026-2027")]),
            Any, Now, Granted, ConsentReasons.GrantedByGuardian);

        // 4. From the 16th birthday the pupil decides.
        yield return new("16 today, guardians granted: the pupil must decide", Facts([Grant(Mother), Grant(Father)], born: SixteenToday), Any, Now,
            NeedsPupilConsent, ConsentReasons.PupilIs16);
        yield return new("16 tomorrow, guardians granted: still theirs", Facts([Grant(Mother)], born: SixteenTomorrow), Any, Now,
            Granted, ConsentReasons.GrantedByGuardian);
        yield return new("16, the pupil grants", Facts([Grant(null, 1)], born: SixteenToday), Any, Now, Granted, ConsentReasons.GrantedByPupil);
        yield return new("16, the pupil refuses although guardians granted", Facts([Grant(Mother), Refuse(null, 1)], born: SixteenToday), Any, Now,
            Refused, ConsentReasons.RefusedByPupil);
        yield return new("16, the pupil grants although a guardian refused", Facts([Refuse(Mother), Grant(null, 1)], born: SixteenToday), Any, Now,
            Granted, ConsentReasons.GrantedByPupil);
        yield return new("16, the pupil withdraws", Facts([Grant(null, 10), Refuse(null, 1)], born: SixteenToday), Any, Now,
            Refused, ConsentReasons.RefusedByPupil);
        yield return new("16, the pupil's school-year grant expired", Facts([Decision(null, ConsentOutcome.Granted,
            new DateTimeOffset(2025, 9, 1, 8, 0, 0, TimeSpan.Zero), ConsentValidity.SchoolYear, "2025-2026")], born: new DateOnly(2008, 1, 1)),
            Any, Now, Expired, ConsentReasons.ConsentExpired);
        yield return new("16, asked at a moment before the birthday: guardians' grant", Facts([Grant(Mother, 30)], born: SixteenToday), Any,
            Now.AddDays(-1), Granted, ConsentReasons.GrantedByGuardian);
    }

    [TestCaseSource(nameof(Situations))]
    public void Rule(Situation c)
    {
        var result = ConsentRules.Evaluate(c.Facts, c.Policy, c.At);

        Assert.Multiple(() =>
        {
            Assert.That(result.State, Is.EqualTo(c.State));
            Assert.That(result.Reason, Is.EqualTo(c.Reason));
            Assert.That(result.Allowed, Is.EqualTo(c.State == Granted), "only granted allows");
            Assert.That(result.Basis, Is.SubsetOf(c.Facts.Decisions), "the basis is among the decisions");
        });
    }
}
