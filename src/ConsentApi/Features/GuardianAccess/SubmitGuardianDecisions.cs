using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.GuardianAccess;

/// <summary>The guardian's answers for one child.</summary>
public sealed record ChildDecisions(
    [property: Required] Guid? PupilId,
    [property: Required] Guid? FormVersionId,
    [property: Required, MinLength(1), MaxLength(RecordDecisionsRequest.MaxItems)] IReadOnlyList<ItemDecision> Items);

/// <summary>Answers for several children in one call, as the guardian gave them in the app.</summary>
/// <param name="Language">The language the guardian read (default Dutch).</param>
public sealed record GuardianDecisionsRequest(
    [property: Required, MinLength(1), MaxLength(20)] IReadOnlyList<ChildDecisions> Children,
    [property: OneOf(typeof(FormLanguage))] string? Language);

public sealed record GuardianDecisionsResponse([property: MaxLength(20)] IReadOnlyList<GuardianRecordedDecisions> Children);

public sealed record SubmitGuardianDecisionsCommand(string GuardianExternalId, GuardianDecisionsRequest Request) : ICommand<GuardianDecisionsResponse>, ILocksBeforeWriting;

public sealed class SubmitGuardianDecisionsHandler(
    CurrentClient client, DecisionRecorder recorder, ConsentChanges changes, AuditScope audit)
    : ICommandHandler<SubmitGuardianDecisionsCommand, GuardianDecisionsResponse>
{
    public async ValueTask<GuardianDecisionsResponse> Handle(SubmitGuardianDecisionsCommand command, CancellationToken ct)
    {
        // All children at once, in the one order every command locks in: siblings answered by both parents never deadlock.
        // The guardian and their children are read in the same round trip, under the locks.
        Func<(Guid GuardianId, Dictionary<Guid, bool> Children)> guardian = null!;
        await changes.LockForDecisionsAsync(client.OrganisationId, [.. command.Request.Children.Select(c => c.PupilId!.Value)], ct,
            batch => guardian = GuardianScope.AddTo(batch, client, command.GuardianExternalId));
        var (guardianId, children) = guardian();
        foreach (var child in command.Request.Children)
        {
            GuardianScope.EnsureAuthority(GuardianScope.EnsureChild(children, child.PupilId!.Value));
        }
        var recorded = new List<GuardianRecordedDecisions>();
        foreach (var child in command.Request.Children)
        {
            recorded.Add(GuardianRecordedDecisions.From(await recorder.RecordAsync(child.PupilId!.Value, new RecordDecisionsRequest(
                child.FormVersionId, DecidedBy.Guardian, guardianId, DecisionMethod.ParentApp, null, null, null, child.Items,
                command.Request.Language), ct), command.GuardianExternalId));
        }
        audit.On("guardian", guardianId);
        return new GuardianDecisionsResponse(recorded);
    }
}

public static class SubmitGuardianDecisionsEndpoint
{
    public static RouteHandlerBuilder MapSubmitGuardianDecisions(this RouteGroupBuilder group) =>
        group.MapPost("/decisions", Decide)
            .WithName("SubmitGuardianDecisions")
            .AcceptsIdempotencyKey()
            .WithSummary("Submit the guardian's answers for several children")
            .WithDescription("""
                All children's answers in one transaction, each with its receipt and the `receiptUrl` to fetch it again.
                A guardian without parental authority over a child can see but not decide, and from the child's 16th
                birthday the child decides: 403 saying why. A child that is not theirs: 404. A grant for a child who left
                the school, or under a form version that was withdrawn, superseded or whose school year ended: 409,
                and nothing of the call is recorded (refusals alone are always recorded).
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<GuardianDecisionsResponse>> Decide(
        string guardianExternalId, GuardianDecisionsRequest request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new SubmitGuardianDecisionsCommand(guardianExternalId, request), ct));
}
