using System.ComponentModel.DataAnnotations;
using ConsentApi.Features.Consents;

namespace ConsentApi.Features.GuardianAccess;

/// <summary>The decisions recorded for one child, the receipt to keep, and where the parents' app can fetch it again.</summary>
/// <param name="BatchId">Shared by the decisions of this call; also the receipt's id.</param>
/// <param name="ReceiptUrl">The receipt in the parents' app: `GET /v1/parent-app/guardians/{guardianExternalId}/receipts/{batchId}`.</param>
public sealed record GuardianRecordedDecisions(
    Guid BatchId,
    Guid PupilId,
    [property: MaxLength(RecordDecisionsRequest.MaxItems)] IReadOnlyList<DecisionResponse> Decisions,
    ConsentReceipt Receipt,
    [property: MaxLength(300)] string ReceiptUrl)
{
    public static GuardianRecordedDecisions From(RecordedDecisionsResponse recorded, string guardianExternalId) =>
        new(recorded.BatchId, recorded.PupilId, recorded.Decisions, recorded.Receipt,
            $"/v1/parent-app/guardians/{Uri.EscapeDataString(guardianExternalId)}/receipts/{recorded.BatchId}");
}
