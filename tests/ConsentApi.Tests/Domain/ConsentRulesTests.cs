using ConsentApi.Domain;
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
            Summer(2026, 7, 31, 23, 59), Granted, ConsentReasons.GrantedByGuardian);
        yield return new("school-year grant the day after: expired", Facts([schoolYearGrant]), Any,
            Summer(2026, 8, 1, 0, 0), Expired, ConsentReasons.ConsentExpired);
        yield return new("school year ending 30 June: expired on 1 July", Facts([schoolYearGrant]), new ConsentPolicy(GrantRequires.AnyGuardian, 6, 30),
            Summer(2026, 7, 1, 0, 0), Expired, ConsentReasons.ConsentExpired);
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

    /// <summary>A moment in Amsterdam summer time (UTC+2).</summary>
    private static DateTimeOffset Summer(int year, int month, int day, int hour, int minute) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(2));

    /// <summary>10. Days are local: the organisation's time zone (default Europe/Amsterdam) decides the day.</summary>
    public static IEnumerable<Situation> LocalDays()
    {
        var schoolYearGrant = Decision(Mother, ConsentOutcome.Granted, Summer(2025, 9, 1, 10, 0), ConsentValidity.SchoolYear, "2025-2026");
        yield return new("school-year grant until the last local minute of 31 July", Facts([schoolYearGrant]), Any,
            Summer(2026, 7, 31, 23, 59), Granted, ConsentReasons.GrantedByGuardian);
        yield return new("school-year grant ended at local midnight: 22:00 UTC on 31 July", Facts([schoolYearGrant]), Any,
            new DateTimeOffset(2026, 7, 31, 22, 0, 0, TimeSpan.Zero), Expired, ConsentReasons.ConsentExpired);

        var bornInSummer = new DateOnly(2010, 6, 15);
        yield return new("the 16th birthday begins at local midnight (22:00 UTC in summer)", Facts([Grant(Mother, 300)], born: bornInSummer), Any,
            new DateTimeOffset(2026, 6, 14, 22, 0, 0, TimeSpan.Zero), NeedsPupilConsent, ConsentReasons.PupilIs16);
        yield return new("one minute before local midnight the guardians still decide", Facts([Grant(Mother, 300)], born: bornInSummer), Any,
            new DateTimeOffset(2026, 6, 14, 21, 59, 0, TimeSpan.Zero), Granted, ConsentReasons.GrantedByGuardian);
        yield return new("the pupil's own grant counts from local midnight", Facts([Decision(null, ConsentOutcome.Granted,
                new DateTimeOffset(2026, 6, 14, 22, 30, 0, TimeSpan.Zero))], born: bornInSummer), Any,
            new DateTimeOffset(2026, 6, 14, 23, 0, 0, TimeSpan.Zero), Granted, ConsentReasons.GrantedByPupil);
        yield return new("in winter the 16th birthday begins at 23:00 UTC the day before", Facts([Grant(Mother, 300)], born: new DateOnly(2010, 1, 10)), Any,
            new DateTimeOffset(2026, 1, 9, 23, 0, 0, TimeSpan.Zero), NeedsPupilConsent, ConsentReasons.PupilIs16);
        yield return new("born on 29 February: 16 on 29 February of a leap year", Facts([Grant(Mother, 3000)], born: new DateOnly(2008, 2, 29)), Any,
            new DateTimeOffset(2024, 2, 28, 23, 0, 0, TimeSpan.Zero), NeedsPupilConsent, ConsentReasons.PupilIs16);
        yield return new("born on 29 February: not 16 the day before", Facts([Grant(Mother, 3000)], born: new DateOnly(2008, 2, 29)), Any,
            new DateTimeOffset(2024, 2, 28, 22, 59, 0, TimeSpan.Zero), Granted, ConsentReasons.GrantedByGuardian);
        var tokyo = new ConsentPolicy(GrantRequires.AnyGuardian, TimeZone: "Asia/Tokyo");
        yield return new("an organisation in another time zone counts its own days", Facts([Grant(Mother, 300)], born: bornInSummer), tokyo,
            new DateTimeOffset(2026, 6, 14, 15, 0, 0, TimeSpan.Zero), NeedsPupilConsent, ConsentReasons.PupilIs16);
        yield return new("the same moment is the day before in Amsterdam", Facts([Grant(Mother, 300)], born: bornInSummer), Any,
            new DateTimeOffset(2026, 6, 14, 15, 0, 0, TimeSpan.Zero), Granted, ConsentReasons.GrantedByGuardian);
    }

    /// <summary>5. A school-year decision counts only inside its school year: a grant for next year waits for that year.</summary>
    public static IEnumerable<Situation> SchoolYearWindows()
    {
        var refusedThisYear = Decision(Mother, ConsentOutcome.Refused, Summer(2026, 5, 1, 10, 0), ConsentValidity.SchoolYear, "2025-2026");
        var grantedNextYear = Decision(Mother, ConsentOutcome.Granted, Summer(2026, 6, 10, 10, 0), ConsentValidity.SchoolYear, "2026-2027");
        yield return new("a grant for next school year leaves this year's refusal standing", Facts([refusedThisYear, grantedNextYear]), Any,
            Summer(2026, 6, 15, 12, 0), Refused, ConsentReasons.RefusedByGuardian);
        yield return new("the grant for next school year counts from its first local day", Facts([refusedThisYear, grantedNextYear]), Any,
            Summer(2026, 8, 1, 0, 0), Granted, ConsentReasons.GrantedByGuardian);
        yield return new("a grant for next school year alone: no answer yet this year", Facts([grantedNextYear]), Any,
            Summer(2026, 6, 15, 12, 0), Pending, ConsentReasons.NoAnswer);
        yield return new("a grant for next school year does not end this year's grant", Facts([
                Decision(Mother, ConsentOutcome.Granted, Summer(2025, 9, 1, 10, 0), ConsentValidity.SchoolYear, "2025-2026"), grantedNextYear]), Any,
            Summer(2026, 6, 15, 12, 0), Granted, ConsentReasons.GrantedByGuardian);
        yield return new("a refusal for next school year counts at once", Facts([Grant(Mother, 2000),
                Decision(Mother, ConsentOutcome.Refused, Summer(2026, 6, 10, 10, 0), ConsentValidity.SchoolYear, "2026-2027")]), Any,
            Summer(2026, 6, 15, 12, 0), Refused, ConsentReasons.RefusedByGuardian);
        yield return new("a school year ending 30 June starts on 1 July", Facts([refusedThisYear, grantedNextYear]),
            new ConsentPolicy(GrantRequires.AnyGuardian, 6, 30), Summer(2026, 7, 1, 0, 0), Granted, ConsentReasons.GrantedByGuardian);
        yield return new("... and not on 30 June", Facts([refusedThisYear, grantedNextYear]),
            new ConsentPolicy(GrantRequires.AnyGuardian, 6, 30), Summer(2026, 6, 30, 23, 59), Refused, ConsentReasons.RefusedByGuardian);
    }

    /// <summary>A withdrawn form version: grants given to it end at the withdrawal; refusals under it keep counting.</summary>
    public static IEnumerable<Situation> WithdrawnVersions()
    {
        var withdrawnAt = Now.AddDays(-5);
        DecisionFact Under(DecisionFact decision) => decision with { FormWithdrawnAt = withdrawnAt };
        yield return new("a grant to a withdrawn version: expired", Facts([Under(Grant(Mother))]), Any, Now,
            Expired, ConsentReasons.FormVersionWithdrawn);
        yield return new("... at the moment of the withdrawal", Facts([Under(Grant(Mother))]), Any, withdrawnAt,
            Expired, ConsentReasons.FormVersionWithdrawn);
        yield return new("... still granted just before it", Facts([Under(Grant(Mother))]), Any, withdrawnAt.AddTicks(-1),
            Granted, ConsentReasons.GrantedByGuardian);
        yield return new("it does not bring back an earlier grant under another version", Facts([Grant(Mother, 60), Under(Grant(Mother, 30))]), Any, Now,
            Expired, ConsentReasons.FormVersionWithdrawn);
        yield return new("the other guardian's valid grant still counts", Facts([Under(Grant(Mother)), Grant(Father)]), Any, Now,
            Granted, ConsentReasons.GrantedByGuardian);
        yield return new("a refusal under a withdrawn version keeps counting", Facts([Under(Refuse(Mother))]), Any, Now,
            Refused, ConsentReasons.RefusedByGuardian);
        yield return new("a later grant under another version counts", Facts([Under(Grant(Mother, 30)), Grant(Mother, 1)]), Any, Now,
            Granted, ConsentReasons.GrantedByGuardian);
        yield return new("16, the pupil's own grant to a withdrawn version: expired", Facts([Under(Grant(null, 10))], born: new DateOnly(2008, 1, 1)), Any, Now,
            Expired, ConsentReasons.FormVersionWithdrawn);
        yield return new("a withdrawn grant and an expired one: the more lasting reason, the withdrawal", Facts([Under(Grant(Mother)),
                Decision(Father, ConsentOutcome.Granted, Now.AddDays(-600), ConsentValidity.SchoolYear, "2024-2025")]), Any, Now,
            Expired, ConsentReasons.FormVersionWithdrawn);
    }

    [TestCaseSource(nameof(WithdrawnVersions))]
    [TestCaseSource(nameof(LocalDays))]
    [TestCaseSource(nameof(SchoolYearWindows))]
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

    [TestCase("2008-02-29", 16, "2024-02-29")]
    [TestCase("2084-02-29", 16, "2100-03-01")]
    [TestCase("2008-02-29", 1, "2009-03-01")]
    [TestCase("2010-06-15", 16, "2026-06-15")]
    [TestCase("2010-12-31", 16, "2026-12-31")]
    public void A_birthday_of_29_February_falls_on_1_March_in_a_year_without_one(string born, int years, string birthday) =>
        Assert.That(ConsentCalendar.Birthday(DateOnly.Parse(born), years), Is.EqualTo(DateOnly.Parse(birthday)));

    [Test]
    public void A_local_day_begins_at_local_midnight_in_both_seasons()
    {
        var amsterdam = ConsentCalendar.Default;
        Assert.Multiple(() =>
        {
            Assert.That(amsterdam.StartOf(new DateOnly(2026, 6, 15)), Is.EqualTo(new DateTimeOffset(2026, 6, 14, 22, 0, 0, TimeSpan.Zero)));
            Assert.That(amsterdam.StartOf(new DateOnly(2026, 1, 10)), Is.EqualTo(new DateTimeOffset(2026, 1, 9, 23, 0, 0, TimeSpan.Zero)));
            Assert.That(amsterdam.DayOf(new DateTimeOffset(2026, 3, 29, 0, 59, 0, TimeSpan.Zero)), Is.EqualTo(new DateOnly(2026, 3, 29)));
            Assert.That(amsterdam.DayOf(new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero)), Is.EqualTo(new DateOnly(2026, 10, 25)));
            Assert.That(ConsentCalendar.IsKnown("Europe/Amsterdam"), Is.True);
            Assert.That(ConsentCalendar.IsKnown("Mars/Olympus"), Is.False);
            Assert.That(ConsentCalendar.IsKnown("UTC"), Is.False, "an IANA region/city zone, not an abbreviation");
        });
    }
}
