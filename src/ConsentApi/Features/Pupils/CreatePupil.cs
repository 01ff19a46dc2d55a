using ConsentApi.Domain;
using ConsentApi.Features.Campaigns;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

public sealed record CreatePupilCommand(Guid SchoolId, PupilRequest Pupil) : ICommand<PupilResponse>;

public sealed class CreatePupilHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreatePupilCommand, PupilResponse>
{
    public async ValueTask<PupilResponse> Handle(CreatePupilCommand command, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(command.SchoolId, client, ct);
        var request = command.Pupil;
        var today = (await db.CalendarAsync(client.OrganisationId, ct)).DayOf(clock.GetUtcNow());
        PupilRules.EnsurePlausibleDateOfBirth(request.DateOfBirth!.Value, today);
        await db.EnsureGroupOfSchoolAsync(request.GroupId, command.SchoolId, ct);
        if (await db.Pupils.AnyAsync(p => p.SchoolId == command.SchoolId && p.ExternalId == request.ExternalId, ct))
        {
            throw new ConflictException($"The school already has a pupil with external id '{request.ExternalId}'.");
        }

        var pupil = new Pupil
        {
            OrganisationId = client.OrganisationId,
            SchoolId = command.SchoolId,
            ExternalId = request.ExternalId,
            DisplayName = request.DisplayName.Trim(),
            DateOfBirth = request.DateOfBirth.Value,
            GroupId = request.GroupId,
        };
        PupilRules.ApplyStatus(pupil, request.Status, request.LeftOn, today);
        db.Pupils.Add(pupil);
        await db.SaveChangesAsync(ct);
        await db.AddRequestsForOpenCampaignsAsync(client.OrganisationId, command.SchoolId, clock.GetUtcNow(), ct);
        audit.On("pupil", pupil.Id);
        return pupil.ToResponse();
    }
}

public static class CreatePupilEndpoint
{
    public static RouteHandlerBuilder MapCreatePupil(this RouteGroupBuilder group) =>
        group.MapPost("/", Create)
            .WithName("CreatePupil")
            .AcceptsIdempotencyKey()
            .WithSummary("Add a pupil to a school")
            .WithDescription("Adds one pupil. Admin systems keeping a whole school in step use the roster sync instead.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<PupilResponse>> Create(
        Guid schoolId, PupilRequest pupil, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreatePupilCommand(schoolId, pupil), ct);
        return TypedResults.Created($"/v1/pupils/{created.Id}", created);
    }
}
