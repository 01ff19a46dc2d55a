using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Guardians;

/// <param name="ExternalId">The guardian with this admin-system id.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListGuardiansQuery(
    [property: StringLength(FieldLengths.ExternalId)] string? ExternalId,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<GuardianResponse>>, IPageRequest;

public sealed class ListGuardiansHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<ListGuardiansQuery, Page<GuardianResponse>>
{
    public async ValueTask<Page<GuardianResponse>> Handle(ListGuardiansQuery query, CancellationToken ct)
    {
        var after = Paging.After(query.Cursor);
        return await db.Guardians.AsNoTracking().VisibleTo(db, client)
            .Where(g => (query.ExternalId == null || g.ExternalId == query.ExternalId) && (after == null || g.Id > after))
            .OrderBy(g => g.Id)
            .ProjectToResponseFor(db, client)
            .ToPageAsync(query.Limit, g => g.Id, ct);
    }
}

public sealed record GetGuardianQuery(Guid GuardianId) : IQuery<GuardianDetailResponse>;

public sealed class GetGuardianHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<GetGuardianQuery, GuardianDetailResponse>
{
    public async ValueTask<GuardianDetailResponse> Handle(GetGuardianQuery query, CancellationToken ct)
    {
        var guardian = await db.Guardians.AsNoTracking().VisibleTo(db, client)
                           .Where(g => g.Id == query.GuardianId)
                           .ProjectToResponseFor(db, client)
                           .SingleOrDefaultAsync(ct)
                       ?? throw new NotFoundException("Guardian", query.GuardianId);
        var pupils = await db.GuardianLinks.AsNoTracking().Where(l => l.GuardianId == guardian.Id)
            .Join(db.Pupils.VisibleTo(client), l => l.PupilId, p => p.Id, (l, p) => new { Link = l, Pupil = p })
            .OrderBy(x => x.Pupil.Id)
            .Take(GuardianDetailResponse.MaxPupils)
            .Select(x => new GuardianPupilResponse(x.Pupil.Id, x.Pupil.SchoolId, x.Pupil.DisplayName, x.Link.HasParentalAuthority))
            .ToListAsync(ct);
        return new GuardianDetailResponse(guardian.Id, guardian.ExternalId, guardian.DisplayName, pupils);
    }
}

public static class ReadGuardianEndpoints
{
    public static RouteHandlerBuilder MapListGuardians(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListGuardians")
            .WithSummary("List guardians")
            .WithDescription("""
                The organisation's guardians the caller may see, optionally the one with an external id. A client limited
                to some schools sees the guardians its schools know, under their names.
                """)
            .ProducesValidationProblem();

    public static RouteHandlerBuilder MapGetGuardian(this RouteGroupBuilder group) =>
        group.MapGet("/{guardianId:guid}", Get)
            .WithName("GetGuardian")
            .WithSummary("Get a guardian with their pupils")
            .WithDescription("One guardian, with the pupils (of the schools the caller may see) they are linked to.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<Page<GuardianResponse>>> List(
        [AsParameters] ListGuardiansQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));

    private static async Task<Ok<GuardianDetailResponse>> Get(Guid guardianId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetGuardianQuery(guardianId), ct));
}
