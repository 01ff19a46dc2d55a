using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <summary>
/// Proof of one person's answers, for them to keep. Follows the structure of ISO/IEC TS 27560 consent records: who
/// is responsible (controller), whom it concerns (subject), who decided, which notice (form version, content hash,
/// language), which purposes with which outcome, how and when, and how to withdraw.
/// </summary>
/// <param name="ReceiptId">The id of the batch of decisions it records.</param>
/// <param name="SchemaVersion">The receipt format.</param>
public sealed record ConsentReceipt(
    Guid ReceiptId,
    [property: MaxLength(40)] string SchemaVersion,
    DateTimeOffset Timestamp,
    ReceiptController Controller,
    ReceiptSubject Subject,
    ReceiptDecider DecidedBy,
    ReceiptNotice Notice,
    [property: MaxLength(RecordDecisionsRequest.MaxItems)] IReadOnlyList<ReceiptPurpose> Purposes,
    DecisionMethod Method,
    DateTimeOffset GivenAt,
    [property: MaxLength(FieldLengths.ProofReference)] string? ProofReference,
    [property: MaxLength(1000)] string WithdrawalInstructions);

/// <summary>The school board responsible for the processing.</summary>
public sealed record ReceiptController(Guid OrganisationId, [property: MaxLength(FieldLengths.Name)] string Name);

/// <summary>The pupil the consent is about.</summary>
public sealed record ReceiptSubject(Guid PupilId, Guid SchoolId);

/// <summary>Who decided: a guardian with parental authority, or the pupil from 16.</summary>
public sealed record ReceiptDecider(DecidedBy Type, Guid? GuardianId);

/// <summary>The text the person answered: its form version, content hash and language.</summary>
public sealed record ReceiptNotice(
    Guid FormId,
    Guid FormVersionId,
    [property: Range(1, 1000)] int Version,
    [property: MaxLength(FieldLengths.ContentHash)] string ContentHash,
    [property: MaxLength(2)] string Language);

/// <summary>One purpose (media type × channel) and the answer given.</summary>
public sealed record ReceiptPurpose(
    MediaType MediaType,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    [property: MaxLength(FieldLengths.ChannelName)] string ChannelName,
    ConsentOutcome Outcome);

public sealed record GetReceiptQuery(Guid ReceiptId) : IQuery<ConsentReceipt>;

public sealed class GetReceiptHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetReceiptQuery, ConsentReceipt>
{
    public async ValueTask<ConsentReceipt> Handle(GetReceiptQuery query, CancellationToken ct) =>
        await db.ReceiptAsync(client, query.ReceiptId, ct) ?? throw new NotFoundException("Receipt", query.ReceiptId);
}

internal static class ReceiptQueries
{
    public const string SchemaVersion = "consent-api-receipt/1 (ISO/IEC TS 27560)";

    private const string Withdrawal =
        "Consent can be withdrawn at any time, as easily as it was given: record 'refused' for the item in the parents' app, " +
        "or ask the school office. Toestemming kunt u altijd intrekken, net zo eenvoudig als u die gaf: via de ouderapp of de administratie.";

    public static async Task<ConsentReceipt?> ReceiptAsync(this ConsentDbContext db, CurrentClient client, Guid batchId, CancellationToken ct)
    {
        var visiblePupils = db.Pupils.VisibleTo(client).Select(p => p.Id);
        var decisions = await db.Decisions.AsNoTracking()
            .Where(d => d.BatchId == batchId && visiblePupils.Contains(d.PupilId))
            .OrderBy(d => d.MediaType).ThenBy(d => d.ChannelKey)
            .ToListAsync(ct);
        if (decisions.Count == 0)
        {
            return null;
        }
        var first = decisions[0];
        var facts = await (from v in db.ConsentFormVersions
                           join f in db.ConsentForms on v.FormId equals f.Id
                           join o in db.Organisations on f.OrganisationId equals o.Id
                           join p in db.Pupils on first.PupilId equals p.Id
                           where v.Id == first.FormVersionId
                           select new { v.FormId, v.Number, v.ContentHash, Organisation = o.Name, p.SchoolId }).SingleAsync(ct);
        var keys = decisions.Select(d => d.ChannelKey).Distinct().ToList();
        var names = await db.Channels.Where(c => c.OrganisationId == first.OrganisationId && keys.Contains(c.Key))
            .ToDictionaryAsync(c => c.Key, c => c.NameNl, ct);

        return new ConsentReceipt(batchId, SchemaVersion, first.RecordedAt,
            new ReceiptController(first.OrganisationId, facts.Organisation),
            new ReceiptSubject(first.PupilId, facts.SchoolId),
            new ReceiptDecider(first.GuardianId is null ? DecidedBy.Pupil : DecidedBy.Guardian, first.GuardianId),
            new ReceiptNotice(facts.FormId, first.FormVersionId, facts.Number, facts.ContentHash!, first.Language),
            decisions.Select(d => new ReceiptPurpose(d.MediaType, d.ChannelKey, names[d.ChannelKey], d.Outcome)).ToList(),
            first.Method, first.GivenAt, first.ProofReference, Withdrawal);
    }
}

public static class ReceiptEndpoints
{
    public static IEndpointRouteBuilder MapReceiptEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/receipts").WithTags("Consent")
            .MapGet("/{receiptId:guid}", Get)
            .WithName("GetConsentReceipt")
            .WithSummary("Get a consent receipt")
            .WithDescription("""
                The receipt of one batch of decisions (its id is the batch id returned when they were recorded), for the
                guardian or the school to keep: controller, subject, who decided, the form version with its content hash
                and language, each purpose with its outcome, method, moments, and how to withdraw. A parents' app, which
                has no `consent:read`, fetches its guardian's own receipts at
                `GET /v1/parent-app/guardians/{guardianExternalId}/receipts/{receiptId}`.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ConsentRead);
        return app;
    }

    private static async Task<Ok<ConsentReceipt>> Get(Guid receiptId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetReceiptQuery(receiptId), ct));
}
