namespace ConsentApi.Infrastructure.Errors;

/// <summary>One kind of problem: what its page tells a person who follows the <c>type</c> URI.</summary>
public sealed record ProblemKind(string Slug, int Status, string Title, string Meaning, string WhatToDo);

/// <summary>
/// Stable <c>type</c> URIs of the Problem Details the API returns: clients branch on these, never on <c>title</c> or
/// <c>detail</c>. A type is the configured base followed by the kind's slug, and the API serves a page for each
/// (<see cref="ProblemPages"/>), so following the URI explains the problem.
/// </summary>
public static class ProblemTypes
{
    public const string Validation = "validation";
    public const string BadRequest = "bad-request";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not-found";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string NotAcceptable = "not-acceptable";
    public const string Conflict = "conflict";
    public const string Gone = "gone";
    public const string PreconditionFailed = "precondition-failed";
    public const string IdempotencyKeyInFlight = "idempotency-key-in-flight";
    public const string IdempotencyKeyReused = "idempotency-key-reused";
    public const string PayloadTooLarge = "payload-too-large";
    public const string UnprocessableContent = "unprocessable-content";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string TooManyRequests = "too-many-requests";
    public const string Internal = "internal";
    public const string Unavailable = "unavailable";

    /// <summary>Every kind the API can send, by slug.</summary>
    public static IReadOnlyDictionary<string, ProblemKind> All { get; } = new ProblemKind[]
    {
        new(Validation, 400, "The request is invalid",
            "One or more fields of the request break a rule: a required value is missing, a value has the wrong type, format " +
            "or length, a date lies in the future, or a channel or form version the request names does not exist. " +
            "<code>errors</code> names each field by its JSON path (<code>pupils[3].dateOfBirth</code>, or <code>$</code> for the " +
            "whole body) with what is wrong with it.",
            "Correct the fields listed in <code>errors</code> and send the request again. Nothing was changed."),
        new(BadRequest, 400, "The request is malformed",
            "The request could not be read at all: a required body is missing or empty, or a query or route value cannot be " +
            "read as the type the operation expects (a <code>limit</code> that is not a number). <code>errors</code> names the " +
            "parameter, or <code>$</code> for the body.",
            "Send the request as the contract describes it. Nothing was changed."),
        new(Unauthorized, 401, "No valid API key",
            "The request carried no <code>X-Api-Key</code> header, or a key that is unknown or revoked.",
            "Send a valid, unrevoked API key in the <code>X-Api-Key</code> header. An administrator of your organisation " +
            "creates keys; a revoked key stays revoked."),
        new(Forbidden, 403, "Not allowed",
            "The API key is valid but lacks the scope the operation requires, or the client may not do this (a key limited " +
            "to some schools changing something of the whole organisation).",
            "Ask an administrator for a key with the scope the operation names in the contract. Retrying with the same key " +
            "gives the same answer."),
        new(NotFound, 404, "Not found",
            "The resource does not exist, or it belongs to an organisation or a school the API key may not see: the two are " +
            "indistinguishable on purpose. A publication check or registration lists the pupils it could not find in " +
            "<code>unknownPupilIds</code>.",
            "Check the id (and, for a key limited to some schools, that the resource belongs to one of them)."),
        new(MethodNotAllowed, 405, "Method not allowed",
            "The address exists but does not accept this HTTP method.",
            "Use a method the contract lists for the address."),
        new(NotAcceptable, 406, "Not acceptable",
            "None of the media types the <code>Accept</code> header asks for is one the operation can answer in.",
            "Ask for one of the media types the operation lists (for the class sheet: <code>application/json</code>, " +
            "<code>text/csv</code> or <code>text/html</code>)."),
        new(Conflict, 409, "Conflict with the current state",
            "The request is valid but conflicts with what the record holds: a duplicate external id or key, a form version " +
            "that is no longer a draft, a takedown that is already done, or a publication that consent does not allow " +
            "(then <code>pupils</code> lists each pupil's state and reason).",
            "Read the current state, resolve the conflict (for a publication: do not publish the pupils that are not " +
            "allowed), then decide whether to send a changed request. Sending the same one again gives the same answer."),
        new(Gone, 410, "Gone",
            "The resource existed but its content was erased: a proof file of a pupil whose personal data was erased after " +
            "they left. What proves the decisions (the file's SHA-256, size and type) is kept and listed in the history.",
            "Do not retry: the content will not come back. If a paper copy turns up, its SHA-256 can be compared with the " +
            "hash kept."),
        new(PreconditionFailed, 412, "Precondition failed",
            "A condition the request set (such as <code>If-Match</code>) does not hold: the resource changed since it was read. " +
            "Nothing was changed. The answer's <code>ETag</code> header and <code>currentETag</code> name the version the " +
            "resource is at now (both absent when it no longer exists).",
            "Decide whether the change still applies to what the resource now holds (read it if you need its content), and " +
            "if so send it again with the <code>ETag</code> of this answer in <code>If-Match</code>."),
        new(PayloadTooLarge, 413, "The request body is too large",
            "The body is larger than the operation accepts (1 MiB for most operations, 64 MiB for a roster sync). Nothing of " +
            "it was processed.",
            "Send a smaller body: split a large request into several, or send a roster sync per school."),
        new(UnsupportedMediaType, 415, "Unsupported media type",
            "The body was not sent as <code>application/json</code> in UTF-8.",
            "Send the body with <code>Content-Type: application/json</code> (a <code>charset</code>, if named, must be " +
            "<code>utf-8</code>)."),
        new(UnprocessableContent, 422, "The request cannot be processed as sent",
            "The request is well-formed, but what it asks cannot be done as it stands (for example, a retry key that was " +
            "already used with a different body).",
            "Read the <code>detail</code>, change the request accordingly (for a retry: a new key for a new request), and " +
            "send it again. Sending the same one again gives the same answer."),
        new(IdempotencyKeyInFlight, 409, "A request with this Idempotency-Key is in progress",
            "Another request of this API client with the same <code>Idempotency-Key</code> is still being handled. This one " +
            "changed nothing.",
            "Wait the seconds in <code>Retry-After</code> and send the same request again: once the first has answered, the " +
            "retry gets its answer (with <code>Idempotent-Replayed: true</code>)."),
        new(IdempotencyKeyReused, 422, "The Idempotency-Key was used for a different request",
            "This API client already used the <code>Idempotency-Key</code> in the last 24 hours for a request to another " +
            "operation or address, or with another body. Nothing was changed.",
            "Send a new key with every new request; reuse a key only to retry exactly the same request."),
        new(TooManyRequests, 429, "Too many requests",
            "The API client (or, without a valid key, the address) made more requests this minute than it may. " +
            "<code>X-RateLimit-Limit</code> says how many it may make a minute.",
            "Wait the number of seconds in <code>Retry-After</code>, then retry; spread requests over the minute."),
        new(Internal, 500, "An unexpected error",
            "Something went wrong in the API that the request did not cause. The error is logged.",
            "Quote the <code>traceId</code> when reporting it. A read may be retried; before repeating a write, read whether " +
            "it took effect."),
        new(Unavailable, 503, "Temporarily unavailable",
            "The database is down, restarting, out of connections or did not answer in time, a connection to it failed and was " +
            "replaced, or the instance already runs as many of these requests (roster syncs) as it allows at once.",
            "Wait the number of seconds in <code>Retry-After</code> and retry. A connection lost while a write commits can " +
            "hide a commit that succeeded: before sending a write again, read whether it took effect."),
    }.ToDictionary(kind => kind.Slug, StringComparer.Ordinal);

    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => BadRequest,
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status406NotAcceptable => NotAcceptable,
        StatusCodes.Status409Conflict => Conflict,
        StatusCodes.Status410Gone => Gone,
        StatusCodes.Status412PreconditionFailed => PreconditionFailed,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status422UnprocessableEntity => UnprocessableContent,
        StatusCodes.Status429TooManyRequests => TooManyRequests,
        StatusCodes.Status503ServiceUnavailable => Unavailable,
        >= 500 => Internal,
        _ => BadRequest,
    };

    /// <summary>The <c>type</c> URI of a kind under the default base, as the committed contract shows it.</summary>
    public static string DefaultUri(string slug) => ProblemTypeOptions.DefaultBaseUrl + slug;
}

/// <summary>
/// Where the <c>type</c> URIs point. A client compares <c>type</c> as a whole, so the base is part of the contract of a
/// deployment: set it once, before clients integrate, to the public address of this API's <c>/problems/</c> pages
/// (or of a site that serves the same pages), and keep it. The default is the product's own address.
/// </summary>
public sealed class ProblemTypeOptions
{
    public const string Section = "Problems";
    public const string DefaultBaseUrl = "https://consent-api.nl/problems/";

    public string TypeBaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The base as an absolute URI ending in a slash, so that a slug appended to it is one more path segment.</summary>
    public string NormalisedBase => TypeBaseUrl.EndsWith('/') ? TypeBaseUrl : TypeBaseUrl + "/";

    public string UriFor(string slug) => NormalisedBase + slug;

    internal static bool IsValid(ProblemTypeOptions options) =>
        Uri.TryCreate(options.TypeBaseUrl, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);
}

internal static class ProblemTypeOptionsSetup
{
    public static IServiceCollection AddProblemTypeOptions(this IServiceCollection services)
    {
        services.AddOptions<ProblemTypeOptions>().BindConfiguration(ProblemTypeOptions.Section)
            .Validate(ProblemTypeOptions.IsValid,
                $"{ProblemTypeOptions.Section}:TypeBaseUrl must be an absolute http(s) URL without query or fragment.")
            .ValidateOnStart();
        return services;
    }
}
