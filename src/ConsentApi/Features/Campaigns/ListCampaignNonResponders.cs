using System.ComponentModel.DataAnnotations;
using System.Text;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.OpenApi;
using ConsentApi.Infrastructure.Persistence;
using Mediator;

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

/// <summary>The pupils of a campaign whose requests are not fully answered.</summary>
public sealed record NonResponderList(Guid CampaignId, [property: MaxLength(20_000)] IReadOnlyList<NonResponder> Pupils);

public sealed record GetNonRespondersQuery(Guid CampaignId) : IQuery<NonResponderList>;

public sealed class GetNonRespondersHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock)
    : IQueryHandler<GetNonRespondersQuery, NonResponderList>
{
    public async ValueTask<NonResponderList> Handle(GetNonRespondersQuery query, CancellationToken ct)
    {
        var campaign = await CampaignReads.FindAsync(db, client, query.CampaignId, tracking: false, ct);
        var context = await db.ContextAsync(campaign, clock.GetUtcNow(), ct);
        var states = await db.NotFullyAnsweredAsync(context, ct);
        // By name, then id: a stable order whatever the order the pupils were asked in.
        return new NonResponderList(campaign.Id, states
            .OrderBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.PupilId)
            .Select(s => new NonResponder(s.PupilId, s.ExternalId, s.DisplayName, s.GroupId, s.Answered, s.Items,
                s.DecidesThemself
                    ? [new ReminderTarget("pupil", null, s.ExternalId)]
                    : s.Remind.OrderBy(a => a.ExternalId, StringComparer.Ordinal).Select(a => new ReminderTarget("guardian", a.GuardianId, a.ExternalId)).ToList()))
            .ToList());
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
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> NonResponders(Guid campaignId, HttpContext context, ISender sender, CancellationToken ct)
    {
        var list = await sender.Send(new GetNonRespondersQuery(campaignId), ct);
        var wantsCsv = context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Value == Csv);
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
