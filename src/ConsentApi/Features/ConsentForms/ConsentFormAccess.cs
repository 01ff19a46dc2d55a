using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ConsentForms;

internal static class ConsentFormAccess
{
    /// <summary>The form version a route names (form id and number), for its ETag.</summary>
    public static RowKey? VersionRowOf(HttpContext http) =>
        Guid.TryParse(http.Request.RouteValues["formId"]?.ToString(), out var formId)
        && int.TryParse(http.Request.RouteValues["number"]?.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? new RowKey("form_id = {0} AND number = {1}", formId, number)
            : null;

    /// <summary>Forms of the caller's organisation: the organisation's own and those of the schools it may see.</summary>
    public static IQueryable<ConsentForm> VisibleTo(this IQueryable<ConsentForm> forms, CurrentClient client)
    {
        var organisationId = client.OrganisationId;
        var schoolIds = client.SchoolIds;
        return client.IsLimitedToSchools
            ? forms.Where(f => f.OrganisationId == organisationId && (f.SchoolId == null || schoolIds.Contains(f.SchoolId.Value)))
            : forms.Where(f => f.OrganisationId == organisationId);
    }

    public static async Task<ConsentForm> FindFormAsync(this ConsentDbContext db, CurrentClient client, Guid formId, CancellationToken ct) =>
        await db.ConsentForms.VisibleTo(client).Include(f => f.Versions).ThenInclude(v => v.Items)
            .SingleOrDefaultAsync(f => f.Id == formId, ct)
        ?? throw new NotFoundException("Consent form", formId);

    /// <summary>A client limited to some schools changes only forms of those schools, never the organisation's own.</summary>
    public static void EnsureMayChange(this ConsentForm form, CurrentClient client)
    {
        if (client.IsLimitedToSchools && form.SchoolId is null)
        {
            throw new ForbiddenException("A client limited to some schools cannot change the organisation's own forms.");
        }
    }
}
