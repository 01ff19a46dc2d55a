using Microsoft.Net.Http.Headers;

namespace ConsentApi.Features.AccessExports;

/// <summary>How the three export routes answer: the representation chosen by <c>Accept</c>, and what the contract says of it.</summary>
internal static class AccessExportAnswer
{
    private const string Json = "application/json";

    public static RouteHandlerBuilder ProducesAccessExport(this RouteHandlerBuilder builder) =>
        builder.Produces<AccessExport>(StatusCodes.Status200OK, Json)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status406NotAcceptable);

    public static async Task<IResult> AnswerAsync(HttpContext context, string? language, Func<ValueTask<AccessExport>> read)
    {
        if (!AcceptsJson(context.Request))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable.",
                detail: $"The access export is available as {Json}.");
        }
        var export = await read();
        context.Response.Headers.Vary = HeaderNames.Accept;
        return TypedResults.Ok(export);
    }

    private static bool AcceptsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Count == 0 || accept.Any(a => a.Quality != 0 && a.MediaType.Value is Json or "application/*" or "*/*" or "application/problem+json");
    }
}
