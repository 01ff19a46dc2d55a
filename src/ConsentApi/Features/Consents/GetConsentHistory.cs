using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <param name="PupilId">The pupil.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record GetConsentHistoryQuery(
    Guid PupilId,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<DecisionResponse>>, IPageRequest;

public sealed class GetConsentHistoryHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock)
    : IQueryHandler<GetConsentHistoryQuery, Page<DecisionResponse>>
{
    public async ValueTask<Page<DecisionResponse>> Handle(GetConsentHistoryQuery query, CancellationToken ct)
    {
        var pupil = await db.Pupils.VisibleTo(client).Where(p => p.Id == query.PupilId)
                        .Select(p => new { p.OrganisationId, p.DateOfBirth }).SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException("Pupil", query.PupilId);
        var pupilIs16 = (await db.CalendarAsync(pupil.OrganisationId, ct)).IsSixteen(pupil.DateOfBirth, clock.GetUtcNow());
        var after = Paging.After(query.Cursor);
        var afterSequence = after is null ? 0
            : await db.Decisions.Where(d => d.Id == after && d.PupilId == query.PupilId).Select(d => (long?)d.Sequence).SingleOrDefaultAsync(ct)
              ?? throw new RequestValidationException("cursor", "The cursor is not one this API returned.");
        var page = await db.DecisionRows(db.Decisions.Where(d => d.PupilId == query.PupilId && d.Sequence > afterSequence))
            .ToPageAsync(query.Limit, d => d.Id, ct);
        var batches = page.Items.Select(d => d.BatchId).Distinct().ToList();
        var proofFiles = (await db.ProofFiles.AsNoTracking()
                .Where(f => f.PupilId == query.PupilId && batches.Contains(f.BatchId))
                .OrderBy(f => f.BatchId).ThenBy(f => f.UploadedAt).ThenBy(f => f.Id).Take(batches.Count * DecisionResponse.MaxProofFiles)
                .ToListAsync(ct))
            .ToLookup(f => f.BatchId);
        return new Page<DecisionResponse>(page.Items.Select(d => d.ToResponse(pupilIs16) with
        {
            ProofFiles = proofFiles[d.BatchId].Take(DecisionResponse.MaxProofFiles).Select(f => f.ToResponse()).ToList(),
        }).ToList(), page.NextCursor);
    }
}

public static class GetConsentHistoryEndpoint
{
    public static RouteHandlerBuilder MapGetConsentHistory(this RouteGroupBuilder group) =>
        group.MapGet("/{pupilId:guid}/consents/history", History)
            .WithName("GetPupilConsentHistory")
            .WithSummary("Every decision recorded for a pupil")
            .WithDescription("""
                The append-only record, in the order it was recorded (oldest first): who decided (guardian or pupil),
                what, how, when it was given and recorded, by which client, against which form version and its content
                hash, and the proof files (scanned forms, letters) kept with each decision's receipt. The proof of consent.
                From the pupil's 16th birthday (a local day of the organisation) the guardians' decisions stay here, marked
                `supersededAt16`: what they decided before, which no longer counts.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<Page<DecisionResponse>>> History(
        [AsParameters] GetConsentHistoryQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
