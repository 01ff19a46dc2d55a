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
                byte order mark, a header row, one row per pupil, a state per item); or `text/html`, a printable A4
                page (a class of 30 fits on one) with a mark per cell that reads in black and white, a legend and no
                script. JSON and CSV list every item; the printed page leaves out items no form asks and nobody answered.
                """)
            .Produces<ConsentOverviewResponse>(StatusCodes.Status200OK, Json, Csv, Html)
            .WithMetadata(new TextRepresentations(Csv, Html))
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
        return format switch
        {
            Csv => TypedResults.Text(CsvText.ByteOrderMark + ClassSheet.Csv(sheet), CsvText.ContentType),
            Html => TypedResults.Text(ClassSheet.Html(sheet), "text/html; charset=utf-8"),
            _ => TypedResults.Ok(sheet),
        };
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
