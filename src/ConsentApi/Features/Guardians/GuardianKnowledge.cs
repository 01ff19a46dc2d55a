using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Guardians;

/// <summary>
/// Which schools know a guardian, and the name each caller sees (see <see cref="GuardianSchool"/>): a client limited to
/// some schools sees its schools' name for the guardian, an organisation-wide client the organisation's.
/// </summary>
public static class GuardianKnowledge
{
    /// <summary>The schools come to know the guardian under this name; a school that knows them already keeps its own.</summary>
    public static async Task KnowAsync(
        this ConsentDbContext db, Guid guardianId, IReadOnlyCollection<Guid> schoolIds, string name, CancellationToken ct)
    {
        var schools = schoolIds.ToArray();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO guardian_schools (guardian_id, school_id, display_name)
            SELECT {guardianId}, school_id, {name} FROM unnest({schools}) AS school_id
            ON CONFLICT DO NOTHING
            """, ct);
    }

    /// <summary>Whether a school outside <paramref name="schoolIds"/> knows the guardian: then their name is not only ours to change.</summary>
    public static Task<bool> KnownElsewhereAsync(
        this ConsentDbContext db, Guid guardianId, IReadOnlyCollection<Guid> schoolIds, CancellationToken ct) =>
        db.GuardianSchools.AnyAsync(k => k.GuardianId == guardianId && !schoolIds.Contains(k.SchoolId), ct);

    public static IQueryable<GuardianResponse> ProjectToResponseFor(
        this IQueryable<Guardian> guardians, ConsentDbContext db, CurrentClient client)
    {
        var limited = client.IsLimitedToSchools;
        var schoolIds = client.SchoolIds;
        return guardians.Select(g => new GuardianResponse(g.Id, g.ExternalId,
            limited
                ? db.GuardianSchools.Where(k => k.GuardianId == g.Id && schoolIds.Contains(k.SchoolId))
                    .OrderBy(k => k.SchoolId).Select(k => k.DisplayName).First()
                : g.DisplayName));
    }
}
