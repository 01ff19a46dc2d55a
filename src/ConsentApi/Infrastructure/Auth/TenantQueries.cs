using ConsentApi.Domain;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Auth;

/// <summary>
/// The one definition of what a caller may see: its own organisation and, for a client limited to some schools, only
/// those schools and what hangs off them. Anything else is reported as not found.
/// </summary>
public static class TenantQueries
{
    public static IQueryable<School> VisibleTo(this IQueryable<School> schools, CurrentClient client)
    {
        var organisationId = client.OrganisationId;
        var schoolIds = client.SchoolIds;
        return client.IsLimitedToSchools
            ? schools.Where(s => s.OrganisationId == organisationId && schoolIds.Contains(s.Id))
            : schools.Where(s => s.OrganisationId == organisationId);
    }

    /// <summary>Pupils, publications, takedowns: whatever belongs to a school the caller may see.</summary>
    public static IQueryable<T> VisibleTo<T>(this IQueryable<T> items, CurrentClient client) where T : class, ISchoolScoped
    {
        var organisationId = client.OrganisationId;
        var schoolIds = client.SchoolIds;
        return client.IsLimitedToSchools
            ? items.Where(p => p.OrganisationId == organisationId && schoolIds.Contains(p.SchoolId))
            : items.Where(p => p.OrganisationId == organisationId);
    }

    /// <summary>
    /// Guardians of the organisation; for a school-limited client, those its schools know (by roster, link or create):
    /// a guardian known only at another school of the board is not found.
    /// </summary>
    public static IQueryable<Guardian> VisibleTo(this IQueryable<Guardian> guardians, ConsentDbContext db, CurrentClient client)
    {
        var organisationId = client.OrganisationId;
        var schoolIds = client.SchoolIds;
        return client.IsLimitedToSchools
            ? guardians.Where(g => g.OrganisationId == organisationId
                && db.GuardianSchools.Any(k => k.GuardianId == g.Id && schoolIds.Contains(k.SchoolId)))
            : guardians.Where(g => g.OrganisationId == organisationId);
    }

    /// <summary>Throws not-found unless the school exists and the caller may see it.</summary>
    public static async Task EnsureSchoolVisibleAsync(this ConsentDbContext db, Guid schoolId, CurrentClient client, CancellationToken ct)
    {
        if (!client.MaySee(schoolId)
            || !await db.Schools.AnyAsync(s => s.Id == schoolId && s.OrganisationId == client.OrganisationId, ct))
        {
            throw new NotFoundException("School", schoolId);
        }
    }
}
