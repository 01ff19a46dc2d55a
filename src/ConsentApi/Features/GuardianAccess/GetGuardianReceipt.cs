using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.GuardianAccess;

public sealed record GetGuardianReceiptQuery(string GuardianExternalId, Guid BatchId) : IQuery<ConsentReceipt>;

/// <summary>The receipt of a batch of decisions this guardian made; anyone else's is not found.</summary>
public sealed class GetGuardianReceiptHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetGuardianReceiptQuery, ConsentReceipt>
{
    public async ValueTask<ConsentReceipt> Handle(GetGuardianReceiptQuery query, CancellationToken ct)
    {
        var (guardian, _) = await GuardianScope.ResolveAsync(db, client, query.GuardianExternalId, includeLeft: true, ct);
        var receipt = await db.ReceiptAsync(client, query.BatchId, ct);
        // Another guardian's or the pupil's receipt answers as one that does not exist: it reveals nothing about them.
        return receipt is { DecidedBy.GuardianId: { } decidedBy } && decidedBy == guardian.Id
            ? receipt
            : throw new NotFoundException("Receipt", query.BatchId);
    }
}

public static class GetGuardianReceiptEndpoint
{
    public static RouteHandlerBuilder MapGetGuardianReceipt(this RouteGroupBuilder group) =>
        group.MapGet("/receipts/{receiptId:guid}", Handle)
            .WithName("GetGuardianConsentReceipt")
            .WithSummary("Get a receipt of the guardian's own decisions")
            .WithDescription("""
                The receipt of one batch of decisions this guardian made (its id is the `batchId` returned when they were
                recorded, linked as `receiptUrl`), as `GET /v1/receipts/{receiptId}` returns it, for the parents' app to
                show again. A receipt of another guardian's or the pupil's decisions is not found.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ConsentReceipt>> Handle(string guardianExternalId, Guid receiptId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetGuardianReceiptQuery(guardianExternalId, receiptId), ct));
}
