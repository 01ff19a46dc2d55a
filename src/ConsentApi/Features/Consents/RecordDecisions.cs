using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.Consents;

public sealed record RecordDecisionsCommand(Guid PupilId, RecordDecisionsRequest Request) : ICommand<RecordedDecisionsResponse>, ILocksBeforeWriting;

public sealed class RecordDecisionsHandler(DecisionRecorder recorder, AuditScope audit)
    : ICommandHandler<RecordDecisionsCommand, RecordedDecisionsResponse>
{
    public async ValueTask<RecordedDecisionsResponse> Handle(RecordDecisionsCommand command, CancellationToken ct)
    {
        var recorded = await recorder.RecordAsync(command.PupilId, command.Request, ct);
        audit.On("pupil", command.PupilId);
        return recorded;
    }
}

public static class RecordDecisionsEndpoint
{
    public static RouteHandlerBuilder MapRecordDecisions(this RouteGroupBuilder group) =>
        group.MapPost("/{pupilId:guid}/decisions", Handle)
            .WithName("RecordDecisions")
            .AcceptsIdempotencyKey()
            .WithSummary("Record a guardian's or pupil's consent decisions")
            .WithDescription("""
                Appends one person's answers (`granted` or `refused`) for items of a published form version. To withdraw
                consent, record `refused` for the item: exactly as easy as granting, and effective for the very next
                check. Under 16 a guardian with parental authority decides; from the 16th birthday (at `givenAt`) the
                pupil does. Decisions are never changed or deleted. A refusal is always recorded: for a pupil who left,
                and under a version that was withdrawn, superseded or whose school year ended.
                Refused without any change (and without a receipt): a grant given after the pupil left (409); a grant under a
                version that, at `givenAt`, was withdrawn, superseded by a later published version, or valid for a school
                year that had ended on that local day (409; a paper form signed before then still counts); a draft
                version (409); an item the version does not ask (400); `givenAt` in the future or before the version was
                published (400); a guardian who is not linked or has no authority (403); a pupil under 16 deciding (403).
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<RecordedDecisionsResponse>> Handle(
        Guid pupilId, RecordDecisionsRequest request, ISender sender, CancellationToken ct)
    {
        var recorded = await sender.Send(new RecordDecisionsCommand(pupilId, request), ct);
        return TypedResults.Created($"/v1/pupils/{pupilId}/consents/history", recorded);
    }
}
