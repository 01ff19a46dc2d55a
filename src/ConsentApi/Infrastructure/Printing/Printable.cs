using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.OpenApi;
using Microsoft.Net.Http.Headers;

namespace ConsentApi.Infrastructure.Printing;

/// <summary>The forms a document resource answers in.</summary>
public enum PrintFormat
{
    Json,
    Html,
    Pdf,
}

/// <summary>The language of a printed document.</summary>
public enum DocumentLanguage
{
    /// <summary>Dutch.</summary>
    Nl,

    /// <summary>English.</summary>
    En,
}

/// <summary>
/// A resource that is data and a document at once (an access export, a publication dossier): JSON for programs, and for
/// people a page to print (HTML) or a PDF, chosen by <c>Accept</c>. One place decides the form and writes the headers, so
/// every such resource answers the same way.
/// </summary>
public static class Printable
{
    private const string Json = "application/json";
    private const string Html = "text/html";

    /// <summary>The best form the Accept header allows, by quality; JSON when it says nothing; null when none fits (406).</summary>
    public static PrintFormat? Negotiate(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return PrintFormat.Json;
        }
        foreach (var range in accept.OrderByDescending(a => a.Quality ?? 1.0))
        {
            if (range.Quality == 0)
            {
                continue;
            }
            switch (range.MediaType.Value)
            {
                case Json or "application/*" or "*/*" or "application/problem+json":
                    return PrintFormat.Json;
                case Html or "text/*":
                    return PrintFormat.Html;
                case PrintPdf.ContentType:
                    return PrintFormat.Pdf;
            }
        }
        return null;
    }

    public static DocumentLanguage Language(string? language) => language == "en" ? DocumentLanguage.En : DocumentLanguage.Nl;

    /// <summary>The 406 answer, naming the forms there are.</summary>
    public static IResult NotAcceptable(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable.",
            detail: $"{what} is available as {Json}, {Html} or {PrintPdf.ContentType}.");

    /// <summary>
    /// The answer in the chosen form: JSON as is; HTML inline under the print page's content policy; PDF as an attachment.
    /// <paramref name="fileName"/> has no extension; the form adds it.
    /// </summary>
    public static IResult Answer<T>(HttpContext context, PrintFormat format, T body, Func<T, PrintDocument> print, string fileName)
    {
        context.Response.Headers.Vary = HeaderNames.Accept;
        switch (format)
        {
            case PrintFormat.Html:
                context.Response.Headers.ContentSecurityPolicy = SecurityHeaders.ClassSheetPolicy;
                Downloads.Name(context.Response, Downloads.Inline, fileName + ".html");
                return TypedResults.Text(PrintHtml.Render(print(body)), PrintHtml.ContentType);
            case PrintFormat.Pdf:
                Downloads.Name(context.Response, Downloads.Attachment, fileName + ".pdf");
                return TypedResults.Bytes(PrintPdf.Render(print(body)), PrintPdf.ContentType);
            default:
                return TypedResults.Ok(body);
        }
    }

    /// <summary>Declares the three forms of the 200 answer, its file name, and the 406 in the contract.</summary>
    public static RouteHandlerBuilder ProducesPrintable<T>(this RouteHandlerBuilder builder, string fileNameExample) =>
        builder.Produces<T>(StatusCodes.Status200OK, Json, Html, PrintPdf.ContentType)
            .WithMetadata(new TextRepresentations(Html))
            .WithMetadata(new PrintedRepresentation(PrintPdf.ContentType))
            .WithMetadata(new SendsContentDisposition($"""
                With `text/html`: `inline`, with `application/pdf`: `attachment`; the file name says what the document is
                about (`{fileNameExample}.pdf`), as an ASCII-safe `filename` and as UTF-8 `filename*`. Not sent with JSON.
                """))
            .ProducesProblem(StatusCodes.Status406NotAcceptable);
}
