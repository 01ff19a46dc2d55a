using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using CsCheck;

namespace ConsentApi.Tests.Domain;

/// <summary>Properties the rules keep for every combination of guardians, decisions, ages, policies and moments.</summary>
public sealed class ConsentRulesPropertyTests
{
    private static readonly Guid[] People = [Guid.Parse("00000000-0000-0000-0000-00000000000a"),
        Guid.Parse("00000000-0000-0000-0000-00000000000b"), Guid.Parse("00000000-0000-0000-0000-00000000000c")];
    private static readonly DateTimeOffset Origin = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Gen<DateTimeOffset> Moment = Gen.Int[0, 3 * 365 * 24].Select(h => Origin.AddHours(h));

    private static readonly Gen<DecisionFact> Decision =
        Gen.Select(Gen.Int[-1, People.Length - 1], Gen.Bool, Moment, Gen.Long[0, 1000], Gen.Bool, Gen.Int[2023, 2026],
            (person, grant, givenAt, sequence, schoolYear, year) => new DecisionFact(
                Guid.NewGuid(), person < 0 ? null : People[person], grant ? ConsentOutcome.Granted : ConsentOutcome.Refused,
                givenAt, sequence, schoolYear ? ConsentValidity.SchoolYear : ConsentValidity.UntilWithdrawn,
                schoolYear ? $"{year}-{year + 1}" : null));

    private static readonly Gen<ConsentFacts> Facts =
        Gen.Select(Gen.Int[2006, 2020].Select(y => new DateOnly(y, 6, 15)), Gen.Int[0, (1 << People.Length) - 1],
            Decision.Array[0, 8], Gen.Bool,
            (born, authority, decisions, asked) => new ConsentFacts(born,
                People.Where((_, i) => (authority & (1 << i)) != 0).ToArray(), decisions, asked));

    private static readonly Gen<ConsentPolicy> Policy =
        Gen.Select(Gen.Bool, Gen.Int[6, 8], (all, month) => new ConsentPolicy(all ? GrantRequires.AllGuardians : GrantRequires.AnyGuardian, month, 30));

    private static bool IsSixteen(ConsentFacts facts, DateTimeOffset at) =>
        ConsentCalendar.Default.IsSixteen(facts.DateOfBirth, at);

    /// <summary>The person's latest decision at the moment, as the rules define "latest".</summary>
    private static DecisionFact? Latest(ConsentFacts facts, Guid? person, DateTimeOffset at) =>
        facts.Decisions.Where(d => d.GuardianId == person && d.GivenAt <= at)
            .OrderBy(d => d.GivenAt).ThenBy(d => d.Sequence).LastOrDefault();

    [Test]
    public void A_refusal_by_any_guardian_with_authority_never_yields_granted() =>
        Gen.Select(Facts, Policy, Moment).Sample((facts, policy, at) =>
            IsSixteen(facts, at)
            || !facts.GuardiansWithAuthority.Any(g => Latest(facts, g, at)?.Outcome == ConsentOutcome.Refused)
            || !ConsentRules.Evaluate(facts, policy, at).Allowed);

    [Test]
    public void Adding_a_later_refusal_never_turns_a_denied_item_into_allowed() =>
        Gen.Select(Facts, Policy, Moment, Gen.Int[-1, People.Length - 1]).Sample((facts, policy, at, person) =>
        {
            var before = ConsentRules.Evaluate(facts, policy, at);
            var refusal = new DecisionFact(Guid.NewGuid(), person < 0 ? null : People[person], ConsentOutcome.Refused, at,
                long.MaxValue, ConsentValidity.UntilWithdrawn, null);
            var after = ConsentRules.Evaluate(facts with { Decisions = [.. facts.Decisions, refusal] }, policy, at);
            return before.Allowed || !after.Allowed;
        });

    [Test]
    public void A_withdrawal_by_the_deciding_person_always_denies() =>
        Gen.Select(Facts, Policy, Moment).Sample((facts, policy, at) =>
        {
            // Under 16 every guardian with authority withdraws; from 16 the pupil does.
            Guid?[] deciders = IsSixteen(facts, at) ? [null] : [.. facts.GuardiansWithAuthority.Cast<Guid?>()];
            var withdrawals = deciders.Select(p => new DecisionFact(Guid.NewGuid(), p, ConsentOutcome.Refused, at, long.MaxValue,
                ConsentValidity.UntilWithdrawn, null));
            return deciders.Length == 0
                   || !ConsentRules.Evaluate(facts with { Decisions = [.. facts.Decisions, .. withdrawals] }, policy, at).Allowed;
        });

    [Test]
    public void Decisions_given_after_the_moment_change_nothing() =>
        Gen.Select(Facts, Policy, Moment, Decision.Array[1, 4]).Sample((facts, policy, at, later) =>
        {
            var future = later.Select(d => d with { GivenAt = at.AddSeconds(1 + Math.Abs(d.GivenAt.Ticks % 1_000_000)) });
            var a = ConsentRules.Evaluate(facts, policy, at);
            var b = ConsentRules.Evaluate(facts with { Decisions = [.. facts.Decisions, .. future] }, policy, at);
            return a.State == b.State && a.Reason == b.Reason;
        });

    [Test]
    public void The_order_decisions_are_listed_in_does_not_matter() =>
        Gen.Select(Facts, Policy, Moment).Sample((facts, policy, at) =>
        {
            var a = ConsentRules.Evaluate(facts, policy, at);
            var b = ConsentRules.Evaluate(facts with { Decisions = [.. facts.Decisions.Reverse()] }, policy, at);
            return a.State == b.State && a.Reason == b.Reason;
        });

    [Test]
    public void Without_any_decision_nothing_is_allowed() =>
        Gen.Select(Facts, Policy, Moment).Sample((facts, policy, at) =>
            !ConsentRules.Evaluate(facts with { Decisions = [] }, policy, at).Allowed);

    [Test]
    public void From_16_only_the_pupils_own_grant_allows() =>
        Gen.Select(Facts, Policy, Moment).Sample((facts, policy, at) =>
        {
            var result = ConsentRules.Evaluate(facts, policy, at);
            return !IsSixteen(facts, at) || !result.Allowed
                   || (Latest(facts, null, at)?.Outcome == ConsentOutcome.Granted && result.Reason == ConsentReasons.GrantedByPupil);
        });

    [Test]
    public void Allowed_exactly_when_granted_and_every_reason_is_a_known_code() =>
        Gen.Select(Facts, Policy, Moment).Sample((facts, policy, at) =>
        {
            var result = ConsentRules.Evaluate(facts, policy, at);
            return result.Allowed == (result.State == ConsentState.Granted) && ConsentReasons.All.Contains(result.Reason);
        });
}
