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

namespace ConsentApi.Features.GuardianAccess;

/// <summary>Withdraws consent for one item of one child, in one call.</summary>
public sealed record WithdrawalRequest(
    [property: Required] Guid? PupilId,
    [property: Required] MediaType? MediaType,
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2)] string Channel);

public sealed record WithdrawCommand(string GuardianExternalId, WithdrawalRequest Request) : ICommand<GuardianRecordedDecisions>, ILocksBeforeWriting;

public sealed class WithdrawHandler(CurrentClient client, ConsentChanges changes, DecisionRecorder recorder, AuditScope audit)
    : ICommandHandler<WithdrawCommand, GuardianRecordedDecisions>
{
    public async ValueTask<GuardianRecordedDecisions> Handle(WithdrawCommand command, CancellationToken ct)
    {
        var request = command.Request;
        var pupilId = request.PupilId!.Value;
        var mediaType = request.MediaType!.Value;
        Func<(Guid GuardianId, Dictionary<Guid, bool> Children)> guardian = null!;
        Guid? versionId = null;
        // The child's lock, the guardian with their children, and the version to withdraw against, in one round trip: what
        // is read sees what the previous command left. The recorder then finds the child locked already.
        await changes.LockForDecisionsAsync(client.OrganisationId, [pupilId], ct, batch =>
        {
            guardian = GuardianScope.AddTo(batch, client, command.GuardianExternalId);
            // The version last answered for the item, or else the newest published version that asks it: the pupil's school
            // decides which forms ask them.
            batch.Add("""
                SELECT coalesce(
                    (SELECT d.form_version_id FROM decisions d
                     WHERE d.pupil_id = $1 AND d.media_type = $2 AND d.channel_key = $3
                     ORDER BY d.given_at DESC, d.sequence DESC LIMIT 1),
                    (SELECT v.id FROM consent_form_items i
                     JOIN consent_form_versions v ON v.id = i.version_id
                     JOIN consent_forms f ON f.id = v.form_id
                     JOIN pupils p ON p.id = $1
                     WHERE i.organisation_id = $4 AND i.media_type = $2 AND i.channel_key = $3 AND v.status = $5
                       AND (f.school_id IS NULL OR f.school_id = p.school_id)
                     ORDER BY v.published_at DESC LIMIT 1))
                """, [pupilId, mediaType.ToString(), request.Channel, client.OrganisationId, nameof(FormVersionStatus.Published)],
                async (reader, token) =>
                {
                    await reader.ReadAsync(token);
                    versionId = await reader.IsDBNullAsync(0, token) ? null : reader.GetGuid(0);
                });
        });
        var (guardianId, children) = guardian();
        GuardianScope.EnsureAuthority(GuardianScope.EnsureChild(children, pupilId));
        if (versionId is null)
        {
            throw new RequestValidationException("channel", "No published form asks this item; there is nothing to withdraw.");
        }

        var recorded = await recorder.RecordAsync(pupilId, new RecordDecisionsRequest(versionId, DecidedBy.Guardian, guardianId,
            DecisionMethod.ParentApp, null, null, null, [new ItemDecision(mediaType, request.Channel, ConsentOutcome.Refused)]), ct);
        audit.On("guardian", guardianId);
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
