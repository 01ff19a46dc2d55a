using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConsentApi.Domain;
using ConsentApi.Features.Consents;
using ConsentApi.Features.Publications;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.OpenApi;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// One example per error status of an operation, saying what the server says for it: the title and type it sends for
/// that status, and a detail about the operation's own resource (a 404 on a guardian names a guardian).
/// </summary>
internal static partial class ProblemExamples
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    /// <summary>The version a 412's example names as current: the same as the <c>ETag</c> header's example.</summary>
    private const string CurrentETag = "\"48213\"";
    private const string PupilId = "01930f4e-7d46-7f62-8d84-9c405e6f7081";
    private const string SecondPupilId = "01930f4e-87fa-790c-872e-36eaf8091a2b";

    /// <summary>Example values for path parameters, and the resource a 404 about each names (as the handlers do).</summary>
    private static readonly Dictionary<string, (string Resource, string Value)> PathParameters = new(StringComparer.Ordinal)
    {
        ["organisationId"] = ("Organisation", "01930f4e-7a10-7c3e-9a51-6f1d2b3c4d5e"),
        ["schoolId"] = ("School", "01930f4e-7b22-7d40-8b62-7a2e3c4d5e6f"),
        ["groupId"] = ("Group", "01930f4e-7c34-7e51-9c73-8b3f4d5e6f70"),
        ["pupilId"] = ("Pupil", PupilId),
        ["guardianId"] = ("Guardian", "01930f4e-7e58-7073-9e95-ad516f708192"),
        ["guardianExternalId"] = ("Guardian", "OV2001"),
        ["clientId"] = ("API client", "01930f4e-807c-7295-90b7-cf738192b3c4"),
        ["formId"] = ("Consent form", "01930f4e-82a0-74b7-92d9-e195a3b4c5d6"),
        ["number"] = ("Form version", "2"),
        ["channelKey"] = ("Channel", "regional-press"),
        ["campaignId"] = ("Campaign", "01930f4e-8d3c-702d-8b3c-4d5e6f7a8b9c"),
        ["publicationId"] = ("Publication", "01930f4e-88f4-7a0d-9d3e-47fb091a2b3c"),
        ["takedownId"] = ("Takedown", "01930f4e-8906-7b1e-8e4f-58ac1a2b3c4d"),
        ["webhookId"] = ("Webhook", "01930f4e-8a17-7c2f-9f50-69bd2b3c4d5e"),
        ["deliveryId"] = ("Delivery", "01930f4e-8c2a-7f1c-9a2b-3c4d5e6f7a8b"),
        ["receiptId"] = ("Receipt", "01930f4e-84c4-76d9-94fb-03b7c5d6e7f8"),
    };

    /// <summary>
    /// What a 409 of each operation says, as its handler words it for the examples' school, class and family; an
    /// operation not listed gets a generic conflict.
    /// </summary>
    /// <summary>What a 406 names, for the operations whose forms differ from the class sheet's.</summary>
    private static readonly Dictionary<string, string> NotAcceptable = new(StringComparer.Ordinal)
    {
        ["GetPublicationDossier"] = "The publication dossier is available as application/json, text/html or application/pdf.",
    };

    private static readonly Dictionary<string, string> Conflicts = new(StringComparer.Ordinal)
    {
        ["CreateOrganisation"] = "An organisation named 'Stichting Openbaar Primair Onderwijs Zuid' already exists.",
        ["CreateSchool"] = "The organisation already has a school with BRIN code '12AB'.",
        ["UpdateSchool"] = "The organisation already has a school with BRIN code '12AB'.",
        ["CreateGroup"] = "The school already has a group with external id 'G5B'.",
        ["UpdateGroup"] = "The school already has a group with external id 'G5B'.",
        ["CreatePupil"] = "The school already has a pupil with external id 'LL1001'.",
        ["UpdatePupil"] = "The school already has a pupil with external id 'LL1001'.",
        ["CreateGuardian"] = "The organisation already has a guardian with external id 'OV2001'.",
        ["UpdateGuardian"] = "The organisation already has a guardian with external id 'OV2001'.",
        ["LinkGuardian"] = "A pupil has at most 10 guardians linked.",
        ["CreateChannel"] = "The organisation already has a channel 'regional-press'.",
        ["UpdateFormVersion"] = "Version 2 is published and can no longer change; create a new version.",
        ["PublishFormVersion"] = "Version 2 is already published.",
        ["WithdrawFormVersion"] = "Version 2 is a draft and was never asked; edit it instead, or leave it unpublished.",
        ["CreateCampaign"] = "Form version 1 was superseded by a later version; a campaign asks the current one.",
        ["RecordDecisions"] = "The pupil had left the school when this was given; consent can still be withdrawn, but not granted.",
        ["SubmitGuardianDecisions"] = "The pupil had left the school when this was given; consent can still be withdrawn, but not granted.",
        ["CompleteTakedown"] = "The takedown is already done.",
        ["ResendWebhookDelivery"] = "The webhook is deleted; nothing is delivered to it any more.",
        ["ErasePupil"] = "The pupil is still at the school; a pupil's data can be erased only after they left.",
    };

    /// <summary>The example of <paramref name="status"/> on the operation at <paramref name="path"/>.</summary>
    public static JsonObject For(string status, Type kind, string path, OpenApiOperation operation, RequiredScope? scope,
        IDictionary<string, IOpenApiSchema> schemas)
    {
        var instance = Instance(path);
        return status switch
        {
            "400" => BadRequest(instance, operation, schemas),
            "403" => Problem(ProblemTypes.Forbidden, "Forbidden.", 403, instance, (scope ?? new RequiredScope(Scopes.Admin)).Refusal),
            "404" when kind == typeof(UnknownPupilsProblem) => With(
                Problem(ProblemTypes.NotFound, "Not found.", 404, instance, $"Pupil '{SecondPupilId}' was not found."),
                "unknownPupilIds", new JsonArray(SecondPupilId)),
            "404" => NotFound(path, instance),
            "406" => Problem(ProblemTypes.NotAcceptable, "Not acceptable.", 406, instance,
                NotAcceptable.GetValueOrDefault(operation.OperationId ?? "",
                    "The class sheet is available as application/json, text/csv or text/html.")),
            "409" when kind == typeof(PublicationNotAllowedProblem) => With(
                Problem(ProblemTypes.Conflict, "Conflict.", 409, instance,
                    "Consent does not allow every pupil shown at the moment of publication; nothing was registered."),
                "pupils", new JsonArray(Examples.For(typeof(PupilCheckResult)))),
            "409" => Problem(ProblemTypes.Conflict, "Conflict.", 409, instance,
                Conflicts.GetValueOrDefault(operation.OperationId ?? "",
                    "The request conflicts with the current state of the resource; nothing was changed.")),
            "412" => With(Problem(ProblemTypes.PreconditionFailed, "The resource has changed.", 412, instance,
                    $"The resource has changed since the version named in If-Match; it is now at {CurrentETag} (this answer's ETag). " +
                    "Nothing was changed; decide whether the change still applies and, if so, send it again with that ETag in If-Match."),
                "currentETag", CurrentETag),
            "410" => Problem(ProblemTypes.Gone, "Gone.", 410, instance,
                "The proof file's content was erased with the pupil's personal data; its SHA-256, size and type are kept."),
            "413" => Problem(ProblemTypes.PayloadTooLarge, "The request body is too large.", 413, instance,
                "The request body exceeds the size this operation accepts."),
            "415" => Problem(ProblemTypes.UnsupportedMediaType, "Unsupported media type.", 415, instance,
                "Send the body as application/json."),
            "503" => Busy(instance),
            _ => Generic(status, instance),
        };
    }

    /// <summary>The examples of the answers every operation shares (401, 429, 500, 503), on a typical operation.</summary>
    public static JsonObject Shared(string status)
    {
        var instance = $"/v1/pupils/{PupilId}";
        return status == "503"
            ? Problem(ProblemTypes.Unavailable, "The service is temporarily unavailable.", 503, instance,
                DatabaseOutages.Describe(DatabaseOutage.Unreachable))
            : Generic(status, instance);
    }

    private static JsonObject Generic(string status, string instance) => status switch
    {
        "401" => Problem(ProblemTypes.Unauthorized, "Unauthorized.", 401, instance,
            $"Send a valid, unrevoked API key in the {ApiKeys.HeaderName} header."),
        "429" => Problem(ProblemTypes.TooManyRequests, "Too many requests.", 429, instance,
            $"This client may make {new RateLimitOptions().PermitsPerMinute} requests a minute; retry after the number of seconds in Retry-After."),
        "500" => Problem(ProblemTypes.Internal, "An unexpected error occurred.", 500, instance,
            "The error has been logged; quote the traceId when reporting it."),
        _ => Problem(ProblemTypes.ForStatus(int.Parse(status, CultureInfo.InvariantCulture)),
            Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(int.Parse(status, CultureInfo.InvariantCulture)) + ".",
            int.Parse(status, CultureInfo.InvariantCulture), instance, null),
    };

    private static JsonObject Busy(string instance) =>
        Problem(ProblemTypes.Unavailable, "The service is busy.", 503, instance,
            $"This instance runs at most {RequestLimits.RosterSyncsInFlight} of these requests at once; retry after the seconds in Retry-After.");

    private static JsonObject NotFound(string path, string instance)
    {
        var last = PathParameter().Matches(path).LastOrDefault()?.Groups[1].Value;
        var (resource, id) = last is not null && PathParameters.TryGetValue(last, out var known)
            ? known
            : PathParameters["schoolId"];
        return Problem(ProblemTypes.NotFound, "Not found.", 404, instance, $"{resource} '{id}' was not found.");
    }

    /// <summary>
    /// A body's first required member missing, as validation reports it; without a body, a query or path value with a
    /// control character, as the request rules report it.
    /// </summary>
    private static JsonObject BadRequest(string instance, OpenApiOperation operation, IDictionary<string, IOpenApiSchema> schemas)
    {
        var body = operation.RequestBody?.Content?.Values.FirstOrDefault()?.Schema;
        if (body is OpenApiSchemaReference { Reference.Id: { } id } && schemas.TryGetValue(id, out var target))
        {
            body = target;
        }
        var required = body?.Required?.FirstOrDefault();
        if (required is not null)
        {
            return With(Problem(ProblemTypes.Validation, "One or more validation errors occurred.", 400, instance, null),
                "errors", new JsonObject { [required] = new JsonArray($"The {char.ToUpperInvariant(required[0])}{required[1..]} field is required.") });
        }
        var parameter = operation.Parameters?.FirstOrDefault(p => p.In is ParameterLocation.Query or ParameterLocation.Path)?.Name ?? "$query";
        return With(Problem(ProblemTypes.Validation, "The request is invalid.", 400, instance, "One or more fields are invalid."),
            "errors", new JsonObject { [parameter] = new JsonArray(ControlCharacters.Message) });
    }

    private static string Instance(string path) => PathParameter().Replace(path.Length > 1 ? path.TrimEnd('/') : path, match =>
        PathParameters.TryGetValue(match.Groups[1].Value, out var known) ? known.Value : "1");

    private static JsonObject Problem(string slug, string title, int status, string instance, string? detail)
    {
        var problem = new JsonObject
        {
            ["type"] = ProblemTypes.DefaultUri(slug), ["title"] = title, ["status"] = status,
        };
        if (detail is not null)
        {
            problem["detail"] = detail;
        }
        problem["instance"] = instance;
        problem["traceId"] = TraceId;
        return problem;
    }

    private static JsonObject With(JsonObject problem, string member, JsonNode value)
    {
        problem[member] = value;
        return problem;
    }

    [GeneratedRegex(@"\{(\w+)(?::[^}]*)?\}")]
    private static partial Regex PathParameter();
}
