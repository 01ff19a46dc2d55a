using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.Consents;

public sealed record GetReceiptQuery(Guid ReceiptId) : IQuery<ConsentReceipt>;

public sealed class GetReceiptHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetReceiptQuery, ConsentReceipt>
{
    public async ValueTask<ConsentReceipt> Handle(GetReceiptQuery query, CancellationToken ct) =>
        await db.ReceiptAsync(client, query.ReceiptId, ct) ?? throw new NotFoundException("Receipt", query.ReceiptId);
}

public static class GetConsentReceiptEndpoint
{
    public static RouteHandlerBuilder MapGetConsentReceipt(this RouteGroupBuilder group) =>
        group.MapGet("/{receiptId:guid}", Get)
            .WithName("GetConsentReceipt")
            .WithSummary("Get a consent receipt")
            .WithDescription("""
                The receipt of one batch of decisions (its id is the batch id returned when they were recorded), for the
                guardian or the school to keep: controller, subject, who decided, the form version with its content hash
                and language, each purpose with its outcome, method, moments, and how to withdraw. A parents' app, which
                has no `consent:read`, fetches its guardian's own receipts at
                `GET /v1/parent-app/guardians/{guardianExternalId}/receipts/{receiptId}`.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ConsentReceipt>> Get(Guid receiptId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetReceiptQuery(receiptId), ct));
}
