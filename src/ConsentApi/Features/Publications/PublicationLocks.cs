using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Publications;

internal static class PublicationLocks
{
    /// <summary>
    /// Locks a publication row before it is removed or its takedown completed. A takedown scan holds the row
    /// <c>FOR SHARE</c> while it opens or joins the takedown, so the two take turns instead of crossing.
    /// </summary>
    public static Task LockPublicationAsync(this ConsentDbContext db, Guid publicationId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM publications WHERE id = {publicationId} FOR UPDATE", ct);
}
