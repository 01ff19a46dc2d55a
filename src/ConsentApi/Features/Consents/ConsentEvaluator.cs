using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <summary>Effective consent for many pupil × item pairs of one organisation at once, straight from the decisions.</summary>
public sealed class ConsentEvaluator(ConsentDbContext db)
{
    public async Task<Dictionary<(Guid PupilId, MediaType MediaType, string Channel), EffectiveConsent>> EvaluateAsync(
        Guid organisationId, IReadOnlyCollection<(Guid PupilId, MediaType MediaType, string Channel)> pairs, DateTimeOffset at,
        CancellationToken ct)
    {
        var pupilIds = pairs.Select(p => p.PupilId).Distinct().ToList();
        var pupils = (await db.PupilFactsAsync(db.Pupils.Where(p => p.OrganisationId == organisationId && pupilIds.Contains(p.Id)), ct))
            .ToDictionary(p => p.Id);
        var decisions = (await db.DecisionRows(db.Decisions.Where(d => pupilIds.Contains(d.PupilId) && d.GivenAt <= at)).ToListAsync(ct))
            .ToLookup(d => (d.PupilId, d.MediaType, d.ChannelKey), d => d.ToFact());
        var asked = new Dictionary<Guid, HashSet<(MediaType, string)>>();
        foreach (var schoolId in pupils.Values.Select(p => p.SchoolId).Distinct())
        {
            asked[schoolId] = await db.AskedItemsAsync(organisationId, schoolId, at, ct);
        }

        return pairs.Distinct().Where(p => pupils.ContainsKey(p.PupilId)).ToDictionary(p => p, p =>
        {
            var pupil = pupils[p.PupilId];
            return ConsentRules.Evaluate(
                new ConsentFacts(pupil.DateOfBirth, pupil.GuardiansWithAuthority, decisions[p].ToList(), asked[pupil.SchoolId].Contains((p.MediaType, p.Channel))),
                pupil.Policy, at);
        });
    }
}
