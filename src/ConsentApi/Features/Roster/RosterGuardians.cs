using ConsentApi.Domain;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Roster;

/// <summary>What happened to one guardian or link as a school's records named it.</summary>
public enum RosterChange
{
    /// <summary>New: the guardian is new to the school, or the link is new.</summary>
    Created,

    /// <summary>Changed: the guardian's name as the school knows it, or the link's parental authority.</summary>
    Updated,

    /// <summary>As it was.</summary>
    Unchanged,
}

/// <summary>
/// Guardians and their links to pupils as a school's records name them: the one place the roster sync and the guardians
/// CSV import bring them in step. Link history is kept by the database (every insert, change and removal of a link is
/// appended to <c>guardian_link_changes</c>), so a link is changed in place here and its past stays on record.
/// </summary>
internal static class RosterGuardians
{
    /// <summary>
    /// Guardians by external id within the organisation, as <paramref name="schoolId"/> knows them. A guardian the school
    /// did not know is new to it (created), whether or not another school knows them: the outcome and the names this school
    /// sees reveal nothing of other schools, and the organisation's name for a guardian follows this school only while no
    /// other school knows them. Call under the organisation's roster lock.
    /// </summary>
    public static async Task<Dictionary<string, (Guid Id, RosterChange Change)>> KnowGuardiansAsync(
        this ConsentDbContext db, Guid organisationId, Guid schoolId, IEnumerable<(string ExternalId, string DisplayName)> wanted,
        CancellationToken ct)
    {
        var list = wanted.ToList();
        var externalIds = list.Select(g => g.ExternalId).ToList();
        var existing = await db.Guardians
            .Where(g => g.OrganisationId == organisationId && externalIds.Contains(g.ExternalId))
            .ToDictionaryAsync(g => g.ExternalId, ct);
        var ids = existing.Values.Select(g => g.Id).ToList();
        var known = await db.GuardianSchools.Where(k => k.SchoolId == schoolId && ids.Contains(k.GuardianId))
            .ToDictionaryAsync(k => k.GuardianId, ct);
        var knownElsewhere = (await db.GuardianSchools.Where(k => k.SchoolId != schoolId && ids.Contains(k.GuardianId))
            .Select(k => k.GuardianId).Distinct().ToListAsync(ct)).ToHashSet();
        var result = new Dictionary<string, (Guid Id, RosterChange Change)>(StringComparer.Ordinal);
        foreach (var (externalId, displayName) in list)
        {
            var name = displayName.Trim();
            if (!existing.TryGetValue(externalId, out var guardian))
            {
                guardian = new Guardian { OrganisationId = organisationId, ExternalId = externalId, DisplayName = name };
                db.Guardians.Add(guardian);
                existing[guardian.ExternalId] = guardian;
            }
            else if (!knownElsewhere.Contains(guardian.Id))
            {
                guardian.DisplayName = name;
            }

            RosterChange change;
            if (!known.TryGetValue(guardian.Id, out var knowledge))
            {
                knowledge = new GuardianSchool { GuardianId = guardian.Id, SchoolId = schoolId, DisplayName = name };
                db.GuardianSchools.Add(knowledge);
                known[guardian.Id] = knowledge;
                change = RosterChange.Created;
            }
            else if (knowledge.DisplayName != name)
            {
                knowledge.DisplayName = name;
                change = RosterChange.Updated;
            }
            else
            {
                change = RosterChange.Unchanged;
            }
            result[externalId] = (guardian.Id, change);
        }
        return result;
    }

    /// <summary>Whether the guardians holding parental authority over the pupil change: then the pupil's consent may change.</summary>
    public static bool AuthorityChanges(Pupil pupil, IReadOnlyDictionary<Guid, bool> wanted) =>
        !pupil.Guardians.Where(l => l.HasParentalAuthority).Select(l => l.GuardianId).ToHashSet()
            .SetEquals(wanted.Where(l => l.Value).Select(l => l.Key));

    /// <summary>
    /// Makes the pupil's links exactly <paramref name="wanted"/> (guardian id → parental authority): links not wanted are
    /// removed, changed authority is updated, new links are added. Returns what happened to each wanted link and the
    /// guardians whose links were removed.
    /// </summary>
    public static (Dictionary<Guid, RosterChange> Links, List<Guid> Removed) SetLinks(Pupil pupil, IReadOnlyDictionary<Guid, bool> wanted)
    {
        var links = new Dictionary<Guid, RosterChange>();
        var removed = new List<Guid>();
        foreach (var link in pupil.Guardians.ToList())
        {
            if (!wanted.TryGetValue(link.GuardianId, out var authority))
            {
                pupil.Guardians.Remove(link);
                removed.Add(link.GuardianId);
            }
            else if (link.HasParentalAuthority != authority)
            {
                link.HasParentalAuthority = authority;
                links[link.GuardianId] = RosterChange.Updated;
            }
            else
            {
                links[link.GuardianId] = RosterChange.Unchanged;
            }
        }
        foreach (var (guardianId, authority) in wanted)
        {
            if (!links.ContainsKey(guardianId))
            {
                pupil.Guardians.Add(new GuardianLink { PupilId = pupil.Id, GuardianId = guardianId, HasParentalAuthority = authority });
                links[guardianId] = RosterChange.Created;
            }
        }
        return (links, removed);
    }
}
