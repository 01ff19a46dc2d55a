using ConsentApi.Domain;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.GuardianAccess;

internal static class GuardianScope
{
    /// <summary>
    /// The guardian by the admin system's id, and their links to pupils the client may see: pupils at school, and those
    /// who left as well when <paramref name="includeLeft"/> (a withdrawal stays possible after a child left).
    /// </summary>
    public static async Task<(Guardian Guardian, Dictionary<Guid, bool> Children)> ResolveAsync(
        ConsentDbContext db, CurrentClient client, string externalId, bool includeLeft, CancellationToken ct)
    {
        // A client limited to some schools acts only for guardians its schools know: one known only elsewhere in the
        // board answers as an unknown one does, so the answer reveals nothing about other schools.
        var guardian = await db.Guardians.AsNoTracking().VisibleTo(db, client)
                           .SingleOrDefaultAsync(g => g.ExternalId == externalId, ct)
                       ?? throw new NotFoundException("Guardian", externalId);
        var visible = db.Pupils.VisibleTo(client).Where(p => includeLeft || p.Status == PupilStatus.Active).Select(p => p.Id);
        var children = await db.GuardianLinks.AsNoTracking()
            .Where(l => l.GuardianId == guardian.Id && visible.Contains(l.PupilId))
            .ToDictionaryAsync(l => l.PupilId, l => l.HasParentalAuthority, ct);
        return (guardian, children);
    }

    /// <summary>A child that is not this guardian's is not found: the guardian's view holds nothing else.</summary>
    public static bool EnsureChild(Dictionary<Guid, bool> children, Guid pupilId) =>
        children.TryGetValue(pupilId, out var authority) ? authority : throw new NotFoundException("Pupil", pupilId);

    public static void EnsureAuthority(bool hasAuthority)
    {
        if (!hasAuthority)
        {
            throw new ForbiddenException("This guardian has no parental authority over the child: they can see the choices but not make them.");
        }
    }

    /// <summary>
    /// What a guardian may see of an item: its state and reason, and of the decisions only their own. Another guardian's or
    /// the pupil's decisions (ids, notes, proof references) are theirs; a guardian without authority has none.
    /// </summary>
    public static ConsentItemState OwnView(ConsentItemState item, Guid guardianId, bool hasAuthority) =>
        item with { Decisions = hasAuthority ? item.Decisions.Where(d => d.GuardianId == guardianId).ToList() : [] };
}
