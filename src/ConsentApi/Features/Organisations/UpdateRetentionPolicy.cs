using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Organisations;

/// <summary>How long the organisation keeps a pupil's personal data after they leave.</summary>
/// <param name="KeepMonthsAfterLeaving">Months after the local day the pupil left, 1 to 120 (default 24, the Dutch school
/// sector's practice of removing pupil administration two years after leaving).</param>
public sealed record RetentionPolicyRequest(
    [property: Required, Range(RetentionPolicy.MinKeepMonths, RetentionPolicy.MaxKeepMonths)] int? KeepMonthsAfterLeaving);

public sealed record UpdateRetentionPolicyCommand(Guid OrganisationId, RetentionPolicyRequest Policy) : ICommand<OrganisationResponse>;

public sealed class UpdateRetentionPolicyHandler(ConsentDbContext db, CurrentClient client, AuditScope audit)
    : ICommandHandler<UpdateRetentionPolicyCommand, OrganisationResponse>
{
    public async ValueTask<OrganisationResponse> Handle(UpdateRetentionPolicyCommand command, CancellationToken ct)
    {
        if (command.OrganisationId != client.OrganisationId)
        {
            throw new NotFoundException("Organisation", command.OrganisationId);
        }
        if (client.IsLimitedToSchools)
        {
            throw new ForbiddenException("The retention policy is the whole organisation's; a client limited to some schools cannot change it.");
        }
        var organisation = await db.Organisations.SingleAsync(o => o.Id == command.OrganisationId, ct);
        organisation.KeepMonthsAfterLeaving = command.Policy.KeepMonthsAfterLeaving!.Value;
        await db.SaveChangesAsync(ct);
        audit.On("organisation", organisation.Id);
        return organisation.ToResponse();
    }
}

public static class UpdateRetentionPolicyEndpoint
{
    public static RouteHandlerBuilder MapUpdateRetentionPolicy(this RouteGroupBuilder group) =>
        group.MapPut("/{organisationId:guid}/retention-policy", Handle)
            .WithName("UpdateRetentionPolicy")
            .WithETag<Domain.Organisation>("organisationId")
            .WithSummary("Set how long pupils' data is kept after they leave")
            .WithDescription("""
                `keepMonthsAfterLeaving` (1 to 120, default 24): from the local day after the day a pupil left plus this
                many months, a periodic job erases the pupil's personal data (name, external id, notes, proof files, and
                guardians with no other pupil whose data is kept). Kept, under ids, is the organisation's proof of lawful
                processing: decisions with their form texts and hashes, enrolment and link history, the date of birth
                and publication checks. The default follows the Dutch school sector's practice of removing pupil
                administration two years after a pupil leaves. A shorter period applies at the job's next run, also to
                pupils who left long ago; a pupil's data can be erased at once with `POST /v1/pupils/{pupilId}/erasure`.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<OrganisationResponse>> Handle(
        Guid organisationId, RetentionPolicyRequest policy, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateRetentionPolicyCommand(organisationId, policy), ct));
}
