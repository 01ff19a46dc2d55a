using ConsentApi.Domain;
using ConsentApi.Infrastructure.Printing;

namespace ConsentApi.Features.AccessExports;

/// <summary>How the three export routes answer: JSON, a page to print or a PDF by <c>Accept</c> (<see cref="Printable"/>).</summary>
internal static class AccessExportAnswer
{
    public static RouteHandlerBuilder ProducesAccessExport(this RouteHandlerBuilder builder) =>
        builder.ProducesPrintable<AccessExport>("access-export-01930f4e-7d46-7f62-8d84-9c405e6f7081-2026-11-30")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>Refuses an unacceptable <c>Accept</c> before anything is read; then reads and answers in the form chosen.</summary>
    public static async Task<IResult> AnswerAsync(HttpContext context, string? language, Func<ValueTask<AccessExport>> read)
    {
        if (Printable.Negotiate(context.Request) is not { } format)
        {
            return Printable.NotAcceptable("The access export");
        }
        var export = await read();
        var printed = Printable.Language(language) == DocumentLanguage.En ? "en" : "nl";
        return Printable.Answer(context, format, export, e => AccessExportDocument.Build(e, printed), FileName(export));
    }

    /// <summary>
    /// The pupil's id (not their name: headers reach logs that personal data must not) and the organisation's day it was
    /// made, so two exports of one pupil differ by day.
    /// </summary>
    private static string FileName(AccessExport export) =>
        $"access-export-{export.Pupil.Id}-{ConsentCalendar.For(export.TimeZone).DayOf(export.GeneratedAt):yyyy-MM-dd}";
}
