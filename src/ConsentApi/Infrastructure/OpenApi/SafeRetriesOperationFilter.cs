using System.Text.Json.Nodes;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Preconditions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Declares safe retries where an endpoint offers them: the <c>Idempotency-Key</c> request header, the
/// <c>Idempotent-Replayed</c> answer header and the 400, 409 and 422 a key can cause; the <c>ETag</c> answer header,
/// <c>If-Match</c> with its 412, and <c>If-None-Match</c> with its 304. Headers and parameters are shared components,
/// described once and referenced by every operation.
/// </summary>
internal sealed class SafeRetriesOperationFilter : IOperationFilter
{
    private const string KeyParameter = "IdempotencyKey";
    private const string ReplayedHeader = "IdempotentReplayed";
    private const string ETagHeader = "ETag";
    private const string IfMatchParameter = "IfMatch";
    private const string IfNoneMatchParameter = "IfNoneMatch";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<AcceptsIdempotencyKeyMetadata>().Any())
        {
            DeclareIdempotencyKey(operation, context);
        }
        if (metadata.OfType<ETagMetadata>().LastOrDefault() is { } etag)
        {
            DeclareEntityTags(operation, context, etag);
        }
    }

    private static void DeclareEntityTags(OpenApiOperation operation, OperationFilterContext context, ETagMetadata etag)
    {
        var components = context.Document.Components ??= new OpenApiComponents();
        components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        components.Headers.TryAdd(ETagHeader, new OpenApiHeader
        {
            Description = """
                A strong entity tag of the resource's current version: it changes with every change of the resource's own
                fields (not with changes of related resources, such as a pupil's guardian links, which have tags of their
                own). Send it back in `If-Match` to change the resource only if nobody changed it since. A 412 carries it
                too: the version the resource is at now, absent when it does not exist.
                """,
            Schema = TagSchema(),
            Example = JsonValue.Create("\"48213\""),
        });
        components.Parameters ??= new Dictionary<string, IOpenApiParameter>();
        components.Parameters.TryAdd(IfMatchParameter, new OpenApiParameter
        {
            Name = "If-Match",
            In = ParameterLocation.Header,
            Required = false,
            Description = """
                Makes the change only if the resource is still at this version: one or more `ETag` values from an
                earlier answer (comma-separated), or `*` for any version. Otherwise nothing is changed and the answer is
                412, whose `ETag` names the current version. Checked under a lock on the resource, so of two changes sent with the same
                tag exactly one succeeds. Weak tags (`W/"…"`) never match.
                """,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 1000, Pattern = "^(\\*|(W/)?\"[0-9]+\"( *, *(W/)?\"[0-9]+\")*)$" },
            Example = JsonValue.Create("\"48213\""),
        });
        components.Parameters.TryAdd(IfNoneMatchParameter, new OpenApiParameter
        {
            Name = "If-None-Match",
            In = ParameterLocation.Header,
            Required = false,
            Description = "An `ETag` from an earlier answer: while the resource is still at that version the answer is 304 without a body.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 1000, Pattern = "^(\\*|(W/)?\"[0-9]+\"( *, *(W/)?\"[0-9]+\")*)$" },
            Example = JsonValue.Create("\"48213\""),
        });

        var isGet = string.Equals(context.ApiDescription.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase);
        operation.Parameters ??= [];
        foreach (var (status, response) in operation.Responses!)
        {
            if (status.StartsWith('2') && response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["ETag"] = new OpenApiHeaderReference(ETagHeader, context.Document);
            }
        }
        if (!isGet)
        {
            operation.Parameters.Add(new OpenApiParameterReference(IfMatchParameter, context.Document));
            AddOrExtendProblem(operation, context, "412",
                "`If-Match` named another version than the current one (type `precondition-failed`); nothing was changed. " +
                "The `ETag` header (and `currentETag`) names the current version, to send the change again with.");
            if (operation.Responses["412"] is OpenApiResponse failed)
            {
                failed.Headers ??= new Dictionary<string, IOpenApiHeader>();
                failed.Headers["ETag"] = new OpenApiHeaderReference(ETagHeader, context.Document);
                if (failed.Content?.TryGetValue(ProblemSchemas.ContentType, out var media) == true && media is OpenApiMediaType problem)
                {
                    var path = "/" + context.ApiDescription.RelativePath?.TrimStart('/');
                    problem.Schema = ProblemSchemas.Reference(typeof(PreconditionFailedProblem), context);
                    problem.Example = ProblemExamples.For("412", typeof(PreconditionFailedProblem), path, operation, scope: null,
                        context.SchemaRepository.Schemas);
                }
            }
        }
        else if (etag.ConditionalGet)
        {
            operation.Parameters.Add(new OpenApiParameterReference(IfNoneMatchParameter, context.Document));
            operation.Responses.TryAdd("304", new OpenApiResponse
            {
                Description = "The resource is still at the version `If-None-Match` named; no body.",
                Headers = new Dictionary<string, IOpenApiHeader> { ["ETag"] = new OpenApiHeaderReference(ETagHeader, context.Document) },
            });
        }
    }

    private static OpenApiSchema TagSchema() =>
        new() { Type = JsonSchemaType.String, MaxLength = 12, Pattern = "^\"[0-9]{1,10}\"$" };

    private static void DeclareIdempotencyKey(OpenApiOperation operation, OperationFilterContext context)
    {
        var components = context.Document.Components ??= new OpenApiComponents();
        components.Parameters ??= new Dictionary<string, IOpenApiParameter>();
        components.Parameters.TryAdd(KeyParameter, new OpenApiParameter
        {
            Name = IdempotencyKeys.HeaderName,
            In = ParameterLocation.Header,
            Required = false,
            Description = """
                Makes a retry of this request safe (IETF httpapi draft "The Idempotency-Key HTTP Header Field"). Send a
                new unique value (a UUID) per request, and the same value when retrying it. For 24 hours, per API client:
                the same key with the same request (operation, path and body) answers the first request's status, body and
                `Location` again, with `Idempotent-Replayed: true`, and changes nothing; the same key with another request
                is a 422; the same key while its first request is still being handled is a 409 (retry after `Retry-After`).
                A request that was refused (4xx) or failed changed nothing and leaves no trace: its key may be sent again.
                1 to 255 printable ASCII characters without `"` and `\`, bare or as a quoted structured-field string.
                """,
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = IdempotencyKeys.MaxLength + 2,
                Pattern = "^\"?[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]{1,255}\"?$",
            },
            Example = JsonValue.Create("8e03978e-40d5-43e8-bc93-6894a57f9324"),
        });
        components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        components.Headers.TryAdd(ReplayedHeader, new OpenApiHeader
        {
            Description = "`true` when this answer repeats the stored answer to an earlier request with the same `Idempotency-Key`; absent otherwise.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Const = "true" },
        });

        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameterReference(KeyParameter, context.Document));
        foreach (var (status, response) in operation.Responses!)
        {
            if (status.StartsWith('2') && response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[IdempotencyKeys.ReplayedHeaderName] = new OpenApiHeaderReference(ReplayedHeader, context.Document);
            }
        }
        AddOrExtendProblem(operation, context, "400",
            "The `Idempotency-Key` header is malformed (a validation problem naming `idempotency-key`).", typeof(HttpValidationProblemDetails));
        AddOrExtendProblem(operation, context, "409",
            "A request with the same `Idempotency-Key` is still being handled (type `idempotency-key-in-flight`); retry after `Retry-After`.");
        AddOrExtendProblem(operation, context, "422",
            "The `Idempotency-Key` was already used by this client for a different request (type `idempotency-key-reused`); nothing was changed.");
    }

    /// <summary>Declares a Problem Details answer, or adds this cause to the status the operation already declares.</summary>
    internal static void AddOrExtendProblem(
        OpenApiOperation operation, OperationFilterContext context, string status, string description, Type? problem = null)
    {
        if (operation.Responses!.TryGetValue(status, out var existing))
        {
            if (existing is OpenApiResponse concrete && concrete.Description?.Contains(description, StringComparison.Ordinal) != true)
            {
                concrete.Description = string.IsNullOrWhiteSpace(concrete.Description)
                    ? description
                    : $"{concrete.Description.TrimEnd().TrimEnd('.')}; or: {char.ToLowerInvariant(description[0])}{description[1..]}";
            }
        }
        else
        {
            Add(operation, context, status, description, problem);
        }
        if (status == "409" && operation.Responses[status] is OpenApiResponse conflict)
        {
            conflict.Headers ??= new Dictionary<string, IOpenApiHeader>();
            // Sent only when the request's key is in flight, so declared, not required.
            conflict.Headers.TryAdd("Retry-After", new OpenApiHeaderReference("Retry-After", context.Document));
        }
    }

    private static void Add(OpenApiOperation operation, OperationFilterContext context, string status, string description, Type? problem)
    {
        var schema = context.SchemaGenerator.GenerateSchema(problem ?? typeof(ProblemDetails), context.SchemaRepository);
        // The same rate-limit headers as the operation's other client errors, which the standard filter gave them.
        var headers = operation.Responses!.Where(r => r.Key.StartsWith('4')).Select(r => r.Value.Headers).FirstOrDefault(h => h is not null)
            ?.Where(h => h.Key != "Retry-After").ToDictionary(h => h.Key, h => h.Value) ?? new Dictionary<string, IOpenApiHeader>();
        operation.Responses![status] = new OpenApiResponse
        {
            Description = description,
            Headers = headers,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType { Schema = schema },
            },
        };
    }
}
