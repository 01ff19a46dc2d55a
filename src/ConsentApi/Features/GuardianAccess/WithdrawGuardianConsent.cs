using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.GuardianAccess;

/// <summary>Withdraws consent for one item of one child, in one call.</summary>
public sealed record WithdrawalRequest(
    [property: Required] Guid? PupilId,
    [property: Required] MediaType? MediaType,
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2)] string Channel);

public sealed record WithdrawCommand(string GuardianExternalId, WithdrawalRequest Request) : ICommand<GuardianRecordedDecisions>;

public sealed class WithdrawHandler(ConsentDbContext db, CurrentClient client, DecisionRecorder recorder, AuditScope audit)
    : ICommandHandler<WithdrawCommand, GuardianRecordedDecisions>
{
    public async ValueTask<GuardianRecordedDecisions> Handle(WithdrawCommand command, CancellationToken ct)
    {
        var request = command.Request;
        var (guardian, children) = await GuardianScope.ResolveAsync(db, client, command.GuardianExternalId, includeLeft: true, ct);
        var pupilId = request.PupilId!.Value;
        GuardianScope.EnsureAuthority(GuardianScope.EnsureChild(children, pupilId));
        var mediaType = request.MediaType!.Value;

        // Withdraw against the version last answered for the item, or else the newest published version that asks it.
        var schoolId = await db.Pupils.Where(p => p.Id == pupilId).Select(p => p.SchoolId).SingleAsync(ct);
        var versionId = await db.Decisions.Where(d => d.PupilId == pupilId && d.MediaType == mediaType && d.ChannelKey == request.Channel)
                            .OrderByDescending(d => d.GivenAt).ThenByDescending(d => d.Sequence).Select(d => (Guid?)d.FormVersionId).FirstOrDefaultAsync(ct)
                        ?? await (from i in db.ConsentFormItems
                                  join v in db.ConsentFormVersions on i.VersionId equals v.Id
                                  join f in db.ConsentForms on v.FormId equals f.Id
                                  where i.OrganisationId == client.OrganisationId && i.MediaType == mediaType && i.ChannelKey == request.Channel
                                        && v.Status == FormVersionStatus.Published && (f.SchoolId == null || f.SchoolId == schoolId)
                                  orderby v.PublishedAt descending
                                  select (Guid?)v.Id).FirstOrDefaultAsync(ct)
                        ?? throw new RequestValidationException("channel", "No published form asks this item; there is nothing to withdraw.");

        var recorded = await recorder.RecordAsync(pupilId, new RecordDecisionsRequest(versionId, DecidedBy.Guardian, guardian.Id,
            DecisionMethod.ParentApp, null, null, null, [new ItemDecision(mediaType, request.Channel, ConsentOutcome.Refused)]), ct);
        audit.On("guardian", guardian.Id);
        return GuardianRecordedDecisions.From(recorded, command.GuardianExternalId);
    }
}

public static class WithdrawGuardianConsentEndpoint
{
    public static RouteHandlerBuilder MapWithdrawGuardianConsent(this RouteGroupBuilder group) =>
        group.MapPost("/withdrawals", Withdraw)
            .WithName("WithdrawGuardianConsent")
            .AcceptsIdempotencyKey()
            .WithSummary("Withdraw consent for one item of one child")
            .WithDescription("""
                One call, as easy as granting: records `refused` for the item, also for a child who has left the school
                and under a form version that was withdrawn, superseded or whose school year ended, and returns the receipt with its `receiptUrl`. Effective for the very next check. A guardian without
                parental authority, or of a child of 16 or older (who decides themself): 403.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<GuardianRecordedDecisions>> Withdraw(
        string guardianExternalId, WithdrawalRequest request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new WithdrawCommand(guardianExternalId, request), ct));
}
