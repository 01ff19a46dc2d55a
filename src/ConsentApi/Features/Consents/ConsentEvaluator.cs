using ConsentApi.Domain.Consent;

namespace ConsentApi.Features.Consents;

/// <summary>
/// Effective consent now, as the commands' consequences need it: the takedown scan and sweep, publication registration and
/// the announcements of changed consent. Reads through the one facts model (<see cref="ConsentFactsReader"/>).
/// </summary>
public sealed class ConsentEvaluator(ConsentFactsReader reader)
{
    /// <summary>
    /// The consent of each pupil × item pair at <paramref name="at"/> as recorded by <paramref name="asKnownAt"/>; pairs of
    /// pupils not found are left out.
    /// </summary>
    public async Task<Dictionary<(Guid PupilId, MediaType MediaType, string Channel), EffectiveConsent>> EvaluateAsync(
        Guid organisationId, IReadOnlyCollection<(Guid PupilId, MediaType MediaType, string Channel)> pairs, DateTimeOffset at,
        DateTimeOffset asKnownAt, CancellationToken ct)
    {
        var items = pairs.Select(p => (p.MediaType, p.Channel)).Distinct().ToList();
        var facts = await reader.ReadAsync(new FactsRequest(organisationId, [.. pairs.Select(p => p.PupilId)], null,
            items.Count == 1 ? items[0] : null, at, asKnownAt), ct);
        return pairs.Distinct().Where(p => facts.Pupils.ContainsKey(p.PupilId))
            .ToDictionary(p => p, p => facts.Evaluate(p.PupilId, (p.MediaType, p.Channel)));
    }

    /// <summary>
    /// The consent of every item that matters for <paramref name="pupilIds"/> at <paramref name="at"/>: the items the
    /// pupil's forms ask and the items anyone decided on, from one read of their facts.
    /// </summary>
    public async Task<Dictionary<(Guid PupilId, MediaType MediaType, string Channel), EffectiveConsent>> StatesAsync(
        Guid organisationId, IReadOnlyCollection<Guid> pupilIds, DateTimeOffset at, CancellationToken ct)
    {
        return States(await reader.ReadAsync(new FactsRequest(organisationId, pupilIds, null, null, at, at), ct));
    }

    /// <summary>The consent of every item that matters for the pupils of <paramref name="facts"/>.</summary>
    public static Dictionary<(Guid PupilId, MediaType MediaType, string Channel), EffectiveConsent> States(ConsentFactSet facts) =>
        facts.Pupils.Keys
            .SelectMany(id => facts.ItemsOf(id).Select(item => (id, item.MediaType, item.Channel)))
            .ToDictionary(p => p, p => facts.Evaluate(p.id, (p.MediaType, p.Channel)));
}
