using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

/// <summary>A pupil with the guardians linked to them.</summary>
/// <param name="ErasedAt">When the pupil's personal data was erased; absent while it is kept.</param>
public sealed record PupilDetailResponse(
    Guid Id,
    Guid SchoolId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    DateOnly DateOfBirth,
    Guid? GroupId,
    PupilStatus Status,
    DateOnly? LeftOn,
    [property: MaxLength(PupilRules.MaxGuardians)] IReadOnlyList<PupilGuardianResponse> Guardians,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ErasedAt = null);

public sealed record GetPupilQuery(Guid PupilId) : IQuery<PupilDetailResponse>;

public sealed class GetPupilHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetPupilQuery, PupilDetailResponse>
{
    public async ValueTask<PupilDetailResponse> Handle(GetPupilQuery query, CancellationToken ct) =>
        await db.Pupils.AsNoTracking().VisibleTo(client)
            .Where(p => p.Id == query.PupilId)
            .Select(p => new PupilDetailResponse(p.Id, p.SchoolId, p.ExternalId, p.DisplayName, p.DateOfBirth, p.GroupId,
                p.Status, p.LeftOn,
                p.Guardians
                    .Join(db.Guardians, l => l.GuardianId, g => g.Id, (l, g) => new { Link = l, Guardian = g })
                    .OrderBy(x => x.Guardian.Id)
                    .Select(x => new PupilGuardianResponse(x.Guardian.Id, x.Guardian.ExternalId,
                        db.GuardianSchools.Where(k => k.GuardianId == x.Guardian.Id && k.SchoolId == p.SchoolId)
                            .Select(k => k.DisplayName).FirstOrDefault() ?? x.Guardian.DisplayName,
                        x.Link.HasParentalAuthority))
                    .ToList(),
                p.ErasedAt))
            .SingleOrDefaultAsync(ct)
        ?? throw new NotFoundException("Pupil", query.PupilId);
}

public static class GetPupilEndpoint
{
    public static RouteHandlerBuilder MapGetPupil(this RouteGroupBuilder group) =>
        group.MapGet("/{pupilId:guid}", Get)
            .WithName("GetPupil")
            .WithETag<Domain.Pupil>("pupilId")
            .WithSummary("Get a pupil with their guardians")
            .WithDescription("One pupil, with the guardians linked to them and whether each holds parental authority.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<PupilDetailResponse>> Get(Guid pupilId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetPupilQuery(pupilId), ct));
}
