using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Features.Consents;
using ConsentApi.Features.Guardians;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

/// <summary>Links a guardian to a pupil, or changes the link.</summary>
/// <param name="HasParentalAuthority">Whether the guardian holds parental authority over the pupil.</param>
public sealed record GuardianLinkRequest([property: Required] bool? HasParentalAuthority);

public sealed record LinkGuardianCommand(Guid PupilId, Guid GuardianId, bool HasParentalAuthority)
    : ICommand<PupilGuardianResponse>;

public sealed class LinkGuardianHandler(ConsentDbContext db, CurrentClient client, ConsentChanges changes, AuditScope audit)
    : ICommandHandler<LinkGuardianCommand, PupilGuardianResponse>
{
    public async ValueTask<PupilGuardianResponse> Handle(LinkGuardianCommand command, CancellationToken ct)
    {
        await changes.LockForChangeAsync(client.OrganisationId, [command.PupilId], ct);
        var pupil = await db.Pupils.VisibleTo(client).Include(p => p.Guardians)
                        .SingleOrDefaultAsync(p => p.Id == command.PupilId, ct)
                    ?? throw new NotFoundException("Pupil", command.PupilId);
        if (pupil.ErasedAt is not null)
        {
            throw new ConflictException("The pupil's personal data was erased after they left; the pupil's record can no longer change.");
        }
        var guardian = await db.Guardians.AsNoTracking().VisibleTo(db, client)
                           .Where(g => g.Id == command.GuardianId)
                           .ProjectToResponseFor(db, client)
                           .SingleOrDefaultAsync(ct)
                       ?? throw new NotFoundException("Guardian", command.GuardianId);

        var link = pupil.Guardians.SingleOrDefault(l => l.GuardianId == guardian.Id);
        if (link is null)
        {
            if (pupil.Guardians.Count >= PupilRules.MaxGuardians)
            {
                throw new ConflictException($"A pupil has at most {PupilRules.MaxGuardians} guardians linked.");
            }
            pupil.Guardians.Add(new GuardianLink { PupilId = pupil.Id, GuardianId = guardian.Id, HasParentalAuthority = command.HasParentalAuthority });
        }
        else
        {
            link.HasParentalAuthority = command.HasParentalAuthority;
        }
        await db.SaveChangesAsync(ct);
        // The pupil's school now knows the guardian, under the name the caller knows them by unless it knew them already.
        await db.KnowAsync(guardian.Id, [pupil.SchoolId], guardian.DisplayName, ct);
        var name = await db.GuardianSchools.Where(k => k.GuardianId == guardian.Id && k.SchoolId == pupil.SchoolId)
            .Select(k => k.DisplayName).SingleAsync(ct);
        audit.On("pupil", pupil.Id);
        return new PupilGuardianResponse(guardian.Id, guardian.ExternalId, name, command.HasParentalAuthority);
    }
}

public static class LinkGuardianEndpoint
{
    public static RouteHandlerBuilder MapLinkGuardian(this RouteGroupBuilder group) =>
        group.MapPut("/{pupilId:guid}/guardians/{guardianId:guid}", Link)
            .WithName("LinkGuardian")
            .WithETag<GuardianLink>(GuardianLinkResource.RowOf)
            .WithSummary("Link a guardian to a pupil")
            .WithDescription("""
                Links the guardian to the pupil, or updates whether the guardian holds parental authority. The pupil's
                school comes to know the guardian. A client limited to some schools links only guardians its schools
                know (by roster, create or an earlier link); others are 404. The answer carries the link's `ETag`; with
                `If-Match` the link must exist at that version (a link that does not exist yet is created without it).
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<PupilGuardianResponse>> Link(
        Guid pupilId, Guid guardianId, GuardianLinkRequest link, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new LinkGuardianCommand(pupilId, guardianId, link.HasParentalAuthority!.Value), ct));
}
