using ConsentApi.Domain;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.OpenApi;
using Mediator;
using Microsoft.Net.Http.Headers;

namespace ConsentApi.Features.Consents;

public static class ConsentOverviewEndpoint
{
    private const string Json = "application/json";
    private const string Csv = "text/csv";
    private const string Html = "text/html";

    public static RouteHandlerBuilder MapGetConsentOverview(this RouteGroupBuilder group) =>
        group.MapGet("/{schoolId:guid}/groups/{groupId:guid}/consent-overview", Handle)
            .WithName("GetConsentOverview")
            .WithSummary("A group's class sheet: who may and may not be photographed, filmed or recorded")
            .WithDescription("""
                Every active pupil of the group (sorted by name) against every media type and channel in use, at `at`
                (default now), as the record stood at `asKnownAt` (default now). Choose the form with `Accept`: `application/json` (default); `text/csv` (UTF-8 with a
                byte order mark, a header row, one row per pupil, a state per item: see below); or `text/html`, a printable A4
                page (a class of 30 fits on one) with a mark per cell that reads in black and white, a legend and no
                script. JSON and CSV list every item; the printed page leaves out items no form asks and nobody answered.

                CSV columns, in this order: `pupilId` (uuid), `externalId` and `displayName` (as in JSON `pupils[]`), then
                one column per item in the order of JSON `columns`, headed `<mediaType>:<channel>` (`photo:social-media`) and
                holding the pupil's consent `state` for it (`granted`, `refused`, `conflict`, `pending`, `not-asked`,
                `expired`, `needs-pupil-consent`). Text that a spreadsheet could read as a formula starts with `'`.
                """)
            .Produces<ConsentOverviewResponse>(StatusCodes.Status200OK, Json, Csv, Html)
            .WithMetadata(new TextRepresentations(Csv, Html))
            .WithMetadata(new SendsContentDisposition("""
                With `text/csv`: `attachment`, with `text/html`: `inline`; the file name says the group and the local day
                of `at` (`consent-overview-groep-5b-2026-11-24.csv`), as an ASCII-safe `filename` and as UTF-8 `filename*`.
                Not sent with JSON.
                """))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status406NotAcceptable);

    private static async Task<IResult> Handle(
        Guid schoolId, Guid groupId, DateTimeOffset? at, DateTimeOffset? asKnownAt, HttpContext context, ISender sender, CancellationToken ct)
    {
        var format = Negotiate(context.Request);
        if (format is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable.",
                detail: $"The class sheet is available as {Json}, {Csv} or {Html}.");
        }

        var sheet = await sender.Send(new GetConsentOverviewQuery(schoolId, groupId, at, asKnownAt), ct);
        context.Response.Headers.Vary = HeaderNames.Accept;
        if (format == Html)
        {
            context.Response.Headers.ContentSecurityPolicy = SecurityHeaders.ClassSheetPolicy;
        }
        if (format != Json)
        {
            Downloads.Name(context.Response, format == Csv ? Downloads.Attachment : Downloads.Inline, FileName(sheet, format));
        }
        return format switch
        {
            Csv => TypedResults.Text(CsvText.ByteOrderMark + ClassSheet.Csv(sheet), CsvText.ContentType),
            Html => TypedResults.Text(ClassSheet.Html(sheet), "text/html; charset=utf-8"),
            _ => TypedResults.Ok(sheet),
        };
    }

    /// <summary>The group and the organisation's day the sheet answers for: two sheets of one class differ by day.</summary>
    private static string FileName(ConsentOverviewResponse sheet, string format)
    {
        var day = ConsentCalendar.For(sheet.TimeZone).DayOf(sheet.At);
        return $"consent-overview-{Downloads.Part(sheet.GroupName)}-{day:yyyy-MM-dd}.{(format == Csv ? "csv" : "html")}";
    }

    /// <summary>The best of JSON, CSV and HTML the Accept header allows, by quality; JSON when it says nothing.</summary>
    private static string? Negotiate(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return Json;
        }
        foreach (var range in accept.OrderByDescending(a => a.Quality ?? 1.0))
        {
            if (range.Quality == 0)
            {
                continue;
            }
            var type = range.MediaType.Value;
            switch (type)
            {
                case Json or "application/*" or "*/*" or "application/problem+json":
                    return Json;
                case Csv:
                    return Csv;
                case Html or "text/*":
                    return Html;
            }
        }
        return null;
    }
}
