using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Guardians;

/// <summary>A guardian with the pupils linked to them (those of the schools the caller may see).</summary>
/// <param name="Pupils">At most the first 1,000, by id.</param>
public sealed record GuardianDetailResponse(
    Guid Id,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    [property: MaxLength(GuardianDetailResponse.MaxPupils)] IReadOnlyList<GuardianPupilResponse> Pupils)
{
    public const int MaxPupils = 1000;
}

/// <summary>A pupil linked to a guardian.</summary>
public sealed record GuardianPupilResponse(
    Guid PupilId,
    Guid SchoolId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    bool HasParentalAuthority);

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

public static class GetGuardianEndpoint
{
    public static RouteHandlerBuilder MapGetGuardian(this RouteGroupBuilder group) =>
        group.MapGet("/{guardianId:guid}", Get)
            .WithName("GetGuardian")
            .WithETag<Domain.Guardian>("guardianId")
            .WithSummary("Get a guardian with their pupils")
            .WithDescription("One guardian, with the pupils (of the schools the caller may see) they are linked to.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<GuardianDetailResponse>> Get(Guid guardianId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetGuardianQuery(guardianId), ct));
}
