using ConsentApi.Domain;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

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
        var family = await FamilyAsync(db, client, externalId, includeLeft, ct);
        return (family.Guardian, family.Children.ToDictionary(c => c.PupilId, c => c.HasParentalAuthority));
    }

    /// <summary>
    /// <see cref="ResolveAsync"/> with children who left, as a statement added to <paramref name="batch"/>: a command that
    /// records decisions reads it in the round trip that locks the children, and under their locks. The visibility rules
    /// are <see cref="TenantQueries"/>'s, written out in SQL.
    /// </summary>
    public static Func<(Guid GuardianId, Dictionary<Guid, bool> Children)> AddTo(ReadBatch batch, CurrentClient client, string externalId)
    {
        Guid? guardianId = null;
        var children = new Dictionary<Guid, bool>();
        batch.Add("""
            SELECT g.id, c.pupil_id, c.has_parental_authority
            FROM guardians g
            LEFT JOIN LATERAL (
                SELECT l.pupil_id, l.has_parental_authority FROM guardian_links l JOIN pupils p ON p.id = l.pupil_id
                WHERE l.guardian_id = g.id AND p.organisation_id = $2 AND ($3::uuid[] IS NULL OR p.school_id = ANY($3))) c ON true
            WHERE g.external_id = $1 AND g.organisation_id = $2
              AND ($3::uuid[] IS NULL OR EXISTS (SELECT 1 FROM guardian_schools k WHERE k.guardian_id = g.id AND k.school_id = ANY($3)))
            """, [externalId, client.OrganisationId,
                ReadBatch.Typed(client.IsLimitedToSchools ? client.SchoolIds.ToArray() : null, NpgsqlDbType.Array | NpgsqlDbType.Uuid)],
            async (reader, ct) =>
            {
                while (await reader.ReadAsync(ct))
                {
                    guardianId = reader.GetGuid(0);
                    if (!await reader.IsDBNullAsync(1, ct))
                    {
                        children[reader.GetGuid(1)] = reader.GetBoolean(2);
                    }
                }
            });
        return () => (guardianId ?? throw new NotFoundException("Guardian", externalId), children);
    }

    /// <summary>
    /// The same as <see cref="ResolveAsync"/> with what the parents' app lists of each child and the organisation's time
    /// zone, in one statement however many children: the children by name, then id.
    /// </summary>
    public static async Task<GuardianFamily> FamilyAsync(
        ConsentDbContext db, CurrentClient client, string externalId, bool includeLeft, CancellationToken ct)
    {
        // A client limited to some schools acts only for guardians its schools know: one known only elsewhere in the
        // board answers as an unknown one does, so the answer reveals nothing about other schools.
        var visible = db.Pupils.VisibleTo(client).Where(p => includeLeft || p.Status == PupilStatus.Active);
        var family = await db.Guardians.AsNoTracking().VisibleTo(db, client)
                         .Where(g => g.ExternalId == externalId)
                         .Select(g => new
                         {
                             Guardian = g,
                             TimeZone = db.Organisations.Where(o => o.Id == g.OrganisationId).Select(o => o.TimeZone).First(),
                             Children = (from l in db.GuardianLinks
                                         join p in visible on l.PupilId equals p.Id
                                         where l.GuardianId == g.Id
                                         orderby p.DisplayName, p.Id
                                         select new GuardianChild(p.Id, l.HasParentalAuthority, p.DisplayName, p.SchoolId, p.DateOfBirth, p.Status))
                                 .ToList(),
                         })
                         .SingleOrDefaultAsync(ct)
                     ?? throw new NotFoundException("Guardian", externalId);
        return new GuardianFamily(family.Guardian, ConsentCalendar.For(family.TimeZone), family.Children);
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
    /// A child's matrix from facts read for all of the guardian's children at once; a child the facts do not hold is not
    /// found, as a matrix read for that child alone answers.
    /// </summary>
    public static List<ConsentItemState> MatrixOf(ConsentFactSet facts, Guid pupilId) =>
        facts.Pupils.ContainsKey(pupilId) ? facts.MatrixOf(pupilId) : throw new NotFoundException("Pupil", pupilId);

    /// <summary>
    /// What a guardian may see of an item: its state and reason, and of the decisions only their own. Another guardian's or
    /// the pupil's decisions (ids, notes, proof references) are theirs; a guardian without authority has none.
    /// </summary>
    public static ConsentItemState OwnView(ConsentItemState item, Guid guardianId, bool hasAuthority) =>
        item with { Decisions = hasAuthority ? item.Decisions.Where(d => d.GuardianId == guardianId).ToList() : [] };
}

/// <summary>A guardian, the calendar of their organisation, and their children the client may see (by name, then id).</summary>
internal sealed record GuardianFamily(Guardian Guardian, ConsentCalendar Calendar, IReadOnlyList<GuardianChild> Children);

/// <summary>One of a guardian's children as the parents' app lists them.</summary>
internal sealed record GuardianChild(Guid PupilId, bool HasParentalAuthority, string DisplayName, Guid SchoolId, DateOnly DateOfBirth, PupilStatus Status);
