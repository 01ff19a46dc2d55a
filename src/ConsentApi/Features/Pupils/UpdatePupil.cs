using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

public sealed record UpdatePupilCommand(Guid PupilId, PupilRequest Pupil) : ICommand<PupilResponse>;

public sealed class UpdatePupilHandler(
    ConsentDbContext db, CurrentClient client, ConsentChanges changes, AuditScope audit, TimeProvider clock)
    : ICommandHandler<UpdatePupilCommand, PupilResponse>
{
    public async ValueTask<PupilResponse> Handle(UpdatePupilCommand command, CancellationToken ct)
    {
        // The date of birth decides who may consent (the 16th birthday), so an update is a change of consent facts.
        await changes.LockForChangeAsync(client.OrganisationId, [command.PupilId], ct);
        var pupil = await db.Pupils.VisibleTo(client).SingleOrDefaultAsync(p => p.Id == command.PupilId, ct)
                    ?? throw new NotFoundException("Pupil", command.PupilId);
        if (pupil.ErasedAt is not null)
        {
            throw new ConflictException("The pupil's personal data was erased after they left; the pupil's record can no longer change.");
        }
        var request = command.Pupil;
        var today = (await db.CalendarAsync(client.OrganisationId, ct)).DayOf(clock.GetUtcNow());
        PupilRules.EnsurePlausibleDateOfBirth(request.DateOfBirth!.Value, today);
        await db.EnsureGroupOfSchoolAsync(request.GroupId, pupil.SchoolId, ct);
        if (request.ExternalId != pupil.ExternalId && await db.Pupils.AnyAsync(
                p => p.SchoolId == pupil.SchoolId && p.ExternalId == request.ExternalId, ct))
        {
            throw new ConflictException($"The school already has a pupil with external id '{request.ExternalId}'.");
        }

        pupil.ExternalId = request.ExternalId;
        pupil.DisplayName = request.DisplayName.Trim();
        pupil.DateOfBirth = request.DateOfBirth.Value;
        pupil.GroupId = request.GroupId;
        PupilRules.ApplyStatus(pupil, request.Status, request.LeftOn, today);
        audit.On("pupil", pupil.Id);
        return pupil.ToResponse();
    }
}

public static class UpdatePupilEndpoint
{
    public static RouteHandlerBuilder MapUpdatePupil(this RouteGroupBuilder group) =>
        group.MapPut("/{pupilId:guid}", Update)
            .WithName("UpdatePupil")
            .WithETag<Domain.Pupil>("pupilId")
            .WithSummary("Update a pupil")
            .WithDescription("""
                Replaces the pupil's details, group and status. Setting the status to `left` records the day the pupil
                left (today unless `leftOn` says otherwise); the pupil and their consent history are kept.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<PupilResponse>> Update(Guid pupilId, PupilRequest pupil, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdatePupilCommand(pupilId, pupil), ct));
}
