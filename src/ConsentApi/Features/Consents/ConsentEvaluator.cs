using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <summary>Effective consent for many pupil × item pairs of one organisation at once, straight from the decisions.</summary>
public sealed class ConsentEvaluator(ConsentDbContext db)
{
    public async Task<Dictionary<(Guid PupilId, MediaType MediaType, string Channel), EffectiveConsent>> EvaluateAsync(
        Guid organisationId, IReadOnlyCollection<(Guid PupilId, MediaType MediaType, string Channel)> pairs, DateTimeOffset at,
        CancellationToken ct) =>
        (await SnapshotAsync(organisationId, pairs, at, ct)).Evaluate();

    /// <summary>
    /// The consent of every item that matters for <paramref name="pupilIds"/> at <paramref name="at"/>: the items the
    /// pupil's forms ask and the items anyone decided on, from one read of their facts.
    /// </summary>
    public async Task<Dictionary<(Guid PupilId, MediaType MediaType, string Channel), EffectiveConsent>> StatesAsync(
        Guid organisationId, IReadOnlyCollection<Guid> pupilIds, DateTimeOffset at, CancellationToken ct)
    {
        if (pupilIds.Count == 0)
        {
            return [];
        }
        var (pupils, decisions, asked) = await FactsAsync(organisationId, [.. pupilIds.Distinct()], at, ct);
        var pairs = pupils.Values.SelectMany(p => asked[p.SchoolId].Select(i => (p.Id, i.Item1, i.Item2)))
            .Concat(decisions.Where(d => pupils.ContainsKey(d.Item.PupilId)).Select(d => d.Item))
            .Distinct()
            .ToList();
        return new ConsentSnapshot(pairs, pupils, decisions, asked, at).Evaluate();
    }

    /// <summary>The facts behind the pairs' consent at <paramref name="at"/>, read once and evaluable again with decisions added.</summary>
    public async Task<ConsentSnapshot> SnapshotAsync(
        Guid organisationId, IReadOnlyCollection<(Guid PupilId, MediaType MediaType, string Channel)> pairs, DateTimeOffset at,
        CancellationToken ct)
    {
        var (pupils, decisions, asked) = await FactsAsync(organisationId, [.. pairs.Select(p => p.PupilId).Distinct()], at, ct);
        return new ConsentSnapshot([.. pairs.Distinct()], pupils, decisions, asked, at);
    }

    private async Task<(Dictionary<Guid, PupilFacts> Pupils,
        List<((Guid PupilId, MediaType MediaType, string Channel) Item, DecisionFact Fact)> Decisions,
        Dictionary<Guid, HashSet<(MediaType, string)>> Asked)> FactsAsync(
        Guid organisationId, List<Guid> pupilIds, DateTimeOffset at, CancellationToken ct)
    {
        var pupils = (await db.PupilFactsAsync(db.Pupils.Where(p => p.OrganisationId == organisationId && pupilIds.Contains(p.Id)), ct))
            .ToDictionary(p => p.Id);
        var decisions = (await db.DecisionRows(db.Decisions.Where(d => pupilIds.Contains(d.PupilId) && d.GivenAt <= at)).ToListAsync(ct))
            .Select(d => (Item: (d.PupilId, d.MediaType, d.ChannelKey), Fact: d.ToFact()))
            .ToList();
        var asked = new Dictionary<Guid, HashSet<(MediaType, string)>>();
        foreach (var schoolId in pupils.Values.Select(p => p.SchoolId).Distinct())
        {
            asked[schoolId] = await db.AskedItemsAsync(organisationId, schoolId, at, ct);
        }
        return (pupils, decisions, asked);
    }
}

/// <summary>What <see cref="ConsentEvaluator.SnapshotAsync"/> read: enough to evaluate the pairs without another query.</summary>
public sealed class ConsentSnapshot(
    IReadOnlyList<(Guid PupilId, MediaType MediaType, string Channel)> pairs,
    IReadOnlyDictionary<Guid, PupilFacts> pupils,
    IReadOnlyList<((Guid PupilId, MediaType MediaType, string Channel) Item, DecisionFact Fact)> decisions,
    IReadOnlyDictionary<Guid, HashSet<(MediaType, string)>> asked,
    DateTimeOffset at)
{
    /// <summary>
    /// The consent of every pair, counting <paramref name="added"/> as well: decisions this transaction has just recorded,
    /// so that the state after a batch needs no second read.
    /// </summary>
    public Dictionary<(Guid PupilId, MediaType MediaType, string Channel), EffectiveConsent> Evaluate(
        IEnumerable<((Guid PupilId, MediaType MediaType, string Channel) Item, DecisionFact Fact)>? added = null)
    {
        var byItem = decisions.Concat(added ?? []).ToLookup(d => d.Item, d => d.Fact);
        return pairs.Where(p => pupils.ContainsKey(p.PupilId)).ToDictionary(p => p, p =>
        {
            var pupil = pupils[p.PupilId];
            return ConsentRules.Evaluate(
                new ConsentFacts(pupil.DateOfBirth, pupil.GuardiansWithAuthority, byItem[p].ToList(),
                    asked[pupil.SchoolId].Contains((p.MediaType, p.Channel))),
                pupil.Policy, at);
        });
    }
}
