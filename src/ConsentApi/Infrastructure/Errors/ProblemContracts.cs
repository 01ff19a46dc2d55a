using System.ComponentModel.DataAnnotations;

namespace ConsentApi.Infrastructure.Errors;

// The shapes of the error bodies as the contract declares them. The API writes ProblemDetails through one writer
// (ProblemJsonWriter); these records describe what that writer sends, kind by kind, so that generated clients get one
// type per kind with typed members instead of a bag of untyped extensions.

/// <summary>
/// An RFC 9457 Problem Details body: every error answer of the API has these members.
/// </summary>
/// <param name="Type">What kind of problem this is: branch on it, never on the `title` and `detail` texts. A URI that does not change
/// between releases (the base is fixed per deployment); it points at a page that says what the problem means and what to do.</param>
/// <param name="Title">A short summary of the kind, for people.</param>
/// <param name="Status">The HTTP status code of the response.</param>
/// <param name="Detail">What went wrong with this request, for people. Absent when the title says everything.</param>
/// <param name="Instance">The path of the request this answers.</param>
/// <param name="TraceId">The id to quote when reporting the problem.</param>
public record Problem(
    [property: MaxLength(Problem.TextLength)] Uri Type,
    [property: MaxLength(Problem.TextLength)] string Title,
    [property: Range(400, 599)] int Status,
    [property: MaxLength(Problem.TextLength)] string? Detail,
    [property: MaxLength(Problem.TextLength)] string Instance,
    [property: MaxLength(64)] string TraceId)
{
    public const int TextLength = 2048;
}

/// <summary>
/// A 400: the request broke a rule (`type` ending in `/validation`) or could not be read at all (`/bad-request`).
/// `errors` names every field that is wrong.
/// </summary>
/// <param name="Errors">Per field, by its JSON path in the request (`pupils[3].dateOfBirth`; a query or path parameter by
/// its name; `$` for the body as a whole), what is wrong with it.</param>
public sealed record ValidationProblem(
    Uri Type, string Title, int Status, string? Detail, string Instance, string TraceId,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Errors)
    : Problem(Type, Title, Status, Detail, Instance, TraceId);

/// <summary>A 404 of an operation that names several pupils: which of them were not found.</summary>
/// <param name="UnknownPupilIds">The pupils that do not exist or that the API key may not see. Present when the 404 is
/// about pupils; absent when it is about another resource the request names (such as its school).</param>
public sealed record UnknownPupilsProblem(
    Uri Type, string Title, int Status, string? Detail, string Instance, string TraceId,
    [property: MaxLength(200)] IReadOnlyList<Guid>? UnknownPupilIds)
    : Problem(Type, Title, Status, Detail, Instance, TraceId);

/// <summary>
/// A 412: the resource changed since the version `If-Match` named, and nothing was changed. The answer's `ETag` header
/// names the current version too.
/// </summary>
/// <param name="CurrentETag">The version the resource is at now, as the answer's `ETag` header says: send the change again
/// with it in `If-Match` if it still applies. Absent when the resource does not exist.</param>
public sealed record PreconditionFailedProblem(
    Uri Type, string Title, int Status, string? Detail, string Instance, string TraceId,
    [property: MaxLength(12), RegularExpression("^\"[0-9]{1,10}\"$")] string? CurrentETag)
    : Problem(Type, Title, Status, Detail, Instance, TraceId);

public static class ProblemMetadata
{
    public const string ContentType = "application/problem+json";

    /// <summary>Declares an error answer of a kind with its own members, where the plain <see cref="Problem"/> says too little.</summary>
    public static RouteHandlerBuilder ProducesProblem<TProblem>(this RouteHandlerBuilder builder, int status) where TProblem : Problem =>
        builder.Produces<TProblem>(status, ContentType);
}
