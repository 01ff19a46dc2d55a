using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.ApiClients;

internal static class ApiClientAccess
{
    /// <summary>
    /// The API clients the caller may see and manage: every client of its organisation, or, for a caller limited to
    /// some schools, the clients limited to those schools too (a subset of them). Clients of other schools, and clients
    /// of the whole organisation, are not found: their names, scopes and schools say what other schools use.
    /// </summary>
    public static IQueryable<ApiClient> VisibleTo(this IQueryable<ApiClient> clients, CurrentClient caller)
    {
        var inOrganisation = clients.Where(c => c.OrganisationId == caller.OrganisationId);
        if (!caller.IsLimitedToSchools)
        {
            return inOrganisation;
        }
        var schools = caller.SchoolIds.ToList();
        return inOrganisation.Where(c => c.SchoolIds.Count > 0 && c.SchoolIds.All(id => schools.Contains(id)));
    }
}
