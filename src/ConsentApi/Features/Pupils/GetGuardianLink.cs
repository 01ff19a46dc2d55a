using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

public sealed record GetGuardianLinkQuery(Guid PupilId, Guid GuardianId) : IQuery<PupilGuardianResponse>;

public sealed class GetGuardianLinkHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<GetGuardianLinkQuery, PupilGuardianResponse>
{
    public async ValueTask<PupilGuardianResponse> Handle(GetGuardianLinkQuery query, CancellationToken ct)
    {
        var pupil = await db.Pupils.AsNoTracking().VisibleTo(client)
                        .Where(p => p.Id == query.PupilId)
                        .Select(p => new { p.Id, p.SchoolId })
                        .SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException("Pupil", query.PupilId);
        // The guardian under the name the pupil's school knows them by, as the pupil's own answer shows them.
        return await db.GuardianLinks.AsNoTracking()
                   .Where(l => l.PupilId == pupil.Id && l.GuardianId == query.GuardianId)
                   .Join(db.Guardians, l => l.GuardianId, g => g.Id, (l, g) => new PupilGuardianResponse(g.Id, g.ExternalId,
                       db.GuardianSchools.Where(k => k.GuardianId == g.Id && k.SchoolId == pupil.SchoolId)
                           .Select(k => k.DisplayName).FirstOrDefault() ?? g.DisplayName,
                       l.HasParentalAuthority))
                   .SingleOrDefaultAsync(ct)
               ?? throw new NotFoundException("Guardian link", query.GuardianId);
    }
}

/// <summary>A guardian link as a resource of its own: its row is its version, apart from the pupil's and the guardian's.</summary>
public static class GuardianLinkResource
{
    /// <summary>
    /// The link's row. A change with <c>If-Match</c> locks the pupil first, as every command that changes a pupil's links
    /// does (ConsentChanges.LockForChangeAsync, the roster sync), so that it never waits for the link while holding
    /// what those commands wait for.
    /// </summary>
    public static RowKey? RowOf(HttpContext http) =>
        Guid.TryParse(http.Request.RouteValues["pupilId"]?.ToString(), out var pupilId)
        && Guid.TryParse(http.Request.RouteValues["guardianId"]?.ToString(), out var guardianId)
            ? new RowKey("pupil_id = {0} AND guardian_id = {1}", pupilId, guardianId)
            {
                LockFirst = "SELECT 1 FROM pupils WHERE id = {0} FOR NO KEY UPDATE",
            }
            : null;
}

public static class GetGuardianLinkEndpoint
{
    public static RouteHandlerBuilder MapGetGuardianLink(this RouteGroupBuilder group) =>
        group.MapGet("/{pupilId:guid}/guardians/{guardianId:guid}", Get)
            .WithName("GetGuardianLink")
            .WithETag<Domain.GuardianLink>(GuardianLinkResource.RowOf)
            .WithSummary("Get a guardian's link to a pupil")
            .WithDescription("""
                One guardian linked to the pupil, and whether they hold parental authority, with the link's `ETag`: send it
                in `If-Match` to change or remove the link only if nobody changed it since. The link's tag is its own: it
                does not change with the pupil's or the guardian's fields, nor do theirs with the link.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<PupilGuardianResponse>> Get(Guid pupilId, Guid guardianId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetGuardianLinkQuery(pupilId, guardianId), ct));
}
