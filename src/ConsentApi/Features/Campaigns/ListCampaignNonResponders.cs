using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.OpenApi;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Campaigns;

/// <summary>A pupil whose request is not fully answered, and whom to remind.</summary>
/// <param name="Answered">How many of the form's items have an answer (under `all-guardians`: from every guardian with parental authority).</param>
/// <param name="Remind">Who still has to answer: the guardians with parental authority (under `all-guardians` only those who have not answered every item), or the pupil themself from 16.</param>
public sealed record NonResponder(
    Guid PupilId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    Guid? GroupId,
    [property: Range(0, 60)] int Answered,
    [property: Range(1, 60)] int Items,
    [property: MaxLength(10)] IReadOnlyList<ReminderTarget> Remind);

/// <summary>Someone to remind: a guardian (with the admin system's id) or the pupil.</summary>
public sealed record ReminderTarget(
    [property: MaxLength(FieldLengths.Status), OneOf(typeof(ReminderTargetType))] string Type,
    Guid? GuardianId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId);

/// <summary>
/// The pupils of a campaign whose requests are not fully answered, a page at a time. Pass <c>nextCursor</c> back as
/// <c>cursor</c> for the next page; null means the end.
/// </summary>
public sealed record NonResponderList(
    Guid CampaignId,
    [property: MaxLength(Paging.MaxLimit)] IReadOnlyList<NonResponder> Pupils,
    [property: MaxLength(FieldLengths.Cursor)] string? NextCursor);

/// <param name="Limit">How many pupils to return, 1 to 200 (default 50). The CSV holds the whole list and takes neither this nor `cursor`.</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record NonResponderPage(
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IPageRequest;

/// <param name="Page">The page to read; null for the whole list (the CSV).</param>
public sealed record GetNonRespondersQuery(Guid CampaignId, NonResponderPage? Page) : IQuery<NonResponderList>;

public sealed class GetNonRespondersHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock)
    : IQueryHandler<GetNonRespondersQuery, NonResponderList>
{
    public async ValueTask<NonResponderList> Handle(GetNonRespondersQuery query, CancellationToken ct)
    {
        var campaign = await CampaignReads.FindAsync(db, client, query.CampaignId, tracking: false, ct);
        // The cursor names the last pupil of the previous page; the next page starts after that pupil's place in the
        // order (name, then id), whether or not the pupil has answered since, so nobody is skipped or listed twice.
        (string DisplayName, Guid PupilId)? after = null;
        if (Paging.After(query.Page?.Cursor) is { } afterId)
        {
            var name = await db.ConsentRequests.Where(r => r.CampaignId == campaign.Id && r.PupilId == afterId)
                           .Join(db.Pupils, r => r.PupilId, p => p.Id, (_, p) => p.DisplayName).SingleOrDefaultAsync(ct)
                       ?? throw new RequestValidationException("cursor", "The cursor is not one this API returned.");
            after = (name, afterId);
        }
        var take = query.Page is null ? (int?)null : query.Page.Limit ?? Paging.DefaultLimit;
        var context = await db.ContextAsync(campaign, clock.GetUtcNow(), ct);
        // One more than the page, to know whether another follows.
        var states = await db.NotFullyAnsweredAsync(context, after, take + 1, ct);
        string? next = null;
        if (states.Count > take)
        {
            states.RemoveAt(take.Value);
            next = Paging.CursorFor(states[^1].PupilId);
        }
        return new NonResponderList(campaign.Id, states
            .Select(s => new NonResponder(s.PupilId, s.ExternalId, s.DisplayName, s.GroupId, s.Answered, s.Items,
                s.DecidesThemself
                    ? [new ReminderTarget("pupil", null, s.ExternalId)]
                    : s.Remind.OrderBy(a => a.ExternalId, StringComparer.Ordinal).Select(a => new ReminderTarget("guardian", a.GuardianId, a.ExternalId)).ToList()))
            .ToList(), next);
    }
}

public static class ListCampaignNonRespondersEndpoint
{
    private const string Csv = "text/csv";

    public static RouteHandlerBuilder MapListCampaignNonResponders(this RouteGroupBuilder group) =>
        group.MapGet("/{campaignId:guid}/non-responders", NonResponders)
            .WithName("ListCampaignNonResponders")
            .WithSummary("Who has not (fully) answered")
            .WithDescription("""
                The pupils whose request is not fully answered, with whom to remind by the admin system's external id:
                under the organisation policy `any-guardian` the guardians with parental authority (one answer per item
                completes it); under `all-guardians` an item counts as answered only when every guardian with parental
                authority answered it, and the guardians to remind are those who have not answered every item; from 16
                the pupil. As JSON, or as CSV with `Accept: text/csv` (one row per person to remind).

                JSON is paged: `limit` pupils (default 50, at most 200) ordered by `displayName` ignoring case, then by
                `pupilId`; pass `nextCursor` back as `cursor` for the next page (null: the end). The cursor names the last
                pupil of the page and the next page starts after that pupil's place, so a pupil who answers, or joins,
                while a client pages makes nobody else skip or repeat. The CSV is one file with the whole list, in the
                same order, and takes no `limit` or `cursor`.

                CSV columns (UTF-8 with a byte order mark, a header row), named as in JSON: `pupilId`, `externalId` (the
                pupil's), `answered` and `items` (as in JSON `pupils[]`), then the person to remind: `remindType`
                (`guardian` or `pupil`, JSON `remind[].type`) and `remindExternalId` (JSON `remind[].externalId`). A pupil
                with two guardians to remind has two rows.
                """)
            .Produces<NonResponderList>(StatusCodes.Status200OK, "application/json", Csv)
            .WithMetadata(new TextRepresentations(Csv))
            .WithMetadata(new SendsContentDisposition("""
                With `text/csv`: `attachment; filename=non-responders-<campaignId>.csv` (and the same as UTF-8 `filename*`).
                Not sent with JSON.
                """))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <param name="campaignId">The campaign.</param>
    private static async Task<IResult> NonResponders(Guid campaignId, [AsParameters] NonResponderPage page, HttpContext context, ISender sender,
        CancellationToken ct)
    {
        var wantsCsv = context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Value == Csv);
        var list = await sender.Send(new GetNonRespondersQuery(campaignId, wantsCsv ? null : page), ct);
        if (!wantsCsv)
        {
            return TypedResults.Ok(list);
        }
        // Columns named as the JSON names the same values: externalId is the pupil's, remind* the person to remind.
        var csv = new StringBuilder("pupilId,externalId,answered,items,remindType,remindExternalId\r\n");
        foreach (var pupil in list.Pupils)
        {
            foreach (var target in pupil.Remind)
            {
                csv.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"{pupil.PupilId},{CsvText.Field(pupil.ExternalId)},{pupil.Answered},{pupil.Items},{target.Type},{CsvText.Field(target.ExternalId)}\r\n");
            }
        }
        Downloads.Name(context.Response, Downloads.Attachment, $"non-responders-{list.CampaignId}.csv");
        return TypedResults.Text(CsvText.ByteOrderMark + csv, CsvText.ContentType);
    }
}
