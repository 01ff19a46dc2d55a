using System.Globalization;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Declares what every operation shares, so that endpoints list only their own answers: the API-key requirement and
/// the scope it needs (401/403); the 400 of a query or path value that breaks the request rules (any operation: the
/// rules read every query parameter, declared or not); the 413 and 415 of a request that may carry a body; rate
/// limiting (429 and the limit headers); the generic 500; and the 503 of a database that is down or not answering.
/// Every error answer gets the schema of its kind and an example of what the server sends for it on this operation.
/// Answers that are the same everywhere (401, 429, 500, 503) and the headers are shared components.
/// </summary>
internal sealed class StandardResponsesOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        operation.Responses ??= new OpenApiResponses();
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var components = new SharedComponents(context);
        var scope = metadata.OfType<RequiredScope>().LastOrDefault();
        var anonymous = scope is null || metadata.OfType<IAllowAnonymous>().Any();
        if (anonymous)
        {
            operation.Security = [];
        }
        else
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, context.Document)] = [],
                },
            ];
            operation.Description = $"{operation.Description?.TrimEnd()}\n\nRequires scope {DescribeScopes(scope!.Scopes)}.".TrimStart();
            operation.Responses.TryAdd("401", components.Response("401"));
            AddProblem(operation, "403", "The API key lacks the required scope, or this client may not do this.");
        }

        AddProblem(operation, "400", operation.RequestBody is null
            ? "A query or path value is not valid (for example, it holds a control character or is not of the parameter's type)."
            : "The body or a query or path value is not valid: `errors` names each field.");
        var method = context.ApiDescription.HttpMethod;
        if (method is "POST" or "PUT" or "PATCH")
        {
            AddProblem(operation, "413", "The request body is larger than this operation accepts.");
            AddProblem(operation, "415", "The request names a content type other than `application/json` in UTF-8.");
        }
        var rateLimited = !metadata.OfType<DisableRateLimitingAttribute>().Any();
        if (rateLimited)
        {
            operation.Responses.TryAdd("429", components.Response("429"));
        }
        else
        {
            // The shared answers carry the limit headers, which operations outside the limits never send.
            AddProblem(operation, "500", "An unexpected error; quote the `traceId` when reporting it.");
            AddProblem(operation, "503",
                "The database is down or did not answer in time, or a connection to it failed and was replaced. Retry after the seconds in `Retry-After`.");
        }
        operation.Responses.TryAdd("500", components.Response("500"));
        if (metadata.OfType<ConcurrencyGate>().Any())
        {
            AddProblem(operation, "503",
                "The database is down or did not answer in time, a connection to it failed and was replaced, or this instance already runs " +
                "as many of these requests as it allows at once; nothing was read or changed. Retry after the seconds in `Retry-After`.");
        }
        else
        {
            // The readiness check declares its own 503, with the health body.
            operation.Responses.TryAdd("503", components.Response("503"));
        }

        if (metadata.OfType<HonoursAcceptLanguage>().FirstOrDefault() is { } language)
        {
            AddAcceptLanguage(operation, language);
        }

        var path = "/" + context.ApiDescription.RelativePath?.TrimStart('/');
        foreach (var (status, answer) in operation.Responses)
        {
            if (answer is not OpenApiResponse response)
            {
                continue;
            }
            if (response.Content?.TryGetValue(ProblemSchemas.ContentType, out var problem) == true && problem is OpenApiMediaType media)
            {
                if (Meanings.TryGetValue(status, out var meaning)
                    && response.Description == ReasonPhrases.GetReasonPhrase(int.Parse(status, CultureInfo.InvariantCulture)))
                {
                    response.Description = meaning;
                }
                var kind = ProblemSchemas.KindOf(status, media.Schema, context);
                media.Schema = ProblemSchemas.Reference(kind, context);
                media.Example = ProblemExamples.For(status, kind, path, operation, scope, context.SchemaRepository.Schemas);
            }
            var headers = response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            // Only what the limits cover: the health checks are outside them and never send these (.spectral.yaml
            // exempts them from the OWASP rate-limit rules).
            if (rateLimited)
            {
                headers[ApiRateLimiter.LimitHeader] = components.Header(ApiRateLimiter.LimitHeader);
                headers[ApiRateLimiter.RemainingHeader] = components.Header(ApiRateLimiter.RemainingHeader);
            }
            if (status == "503" && response.Content?.ContainsKey(ProblemSchemas.ContentType) == true)
            {
                headers[SharedComponents.RetryAfter] = components.Header(SharedComponents.RetryAfter);
            }
            if (status == "201")
            {
                headers[SharedComponents.Location] = components.Header(SharedComponents.Location);
            }
            if (status == "200" && metadata.OfType<SendsContentDisposition>().FirstOrDefault() is { } disposition)
            {
                headers["Content-Disposition"] = new OpenApiHeader
                {
                    Description = disposition.Description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 512, Pattern = "^(attachment|inline); filename=.+$" },
                };
            }
        }
        SortByStatus(operation);

        // Declares a problem answer unless the endpoint declared that status itself; its schema and example follow below.
        static void AddProblem(OpenApiOperation target, string status, string description) =>
            target.Responses!.TryAdd(status, new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, IOpenApiMediaType> { [ProblemSchemas.ContentType] = new OpenApiMediaType() },
            });
    }

    /// <summary>What an endpoint's own error answer means, where it declared only the status (described by its reason phrase).</summary>
    private static readonly Dictionary<string, string> Meanings = new()
    {
        ["400"] = "The body or a query or path value is not valid: `errors` names each field.",
        ["404"] = "Not found, or not visible to this API key: another organisation's or school's ids are 404 too.",
        ["406"] = "None of the media types `Accept` asks for is one this operation answers in.",
        ["409"] = "The request conflicts with the current state; nothing was changed.",
        ["413"] = "The request body is larger than this operation accepts.",
    };

    private static string DescribeScopes(IReadOnlyList<string> scopes) => scopes switch
    {
        [ScopeAuthorization.PlatformOrAdmin] => "`admin` (own organisation) or `platform`",
        [var one] => $"`{one}`",
        _ => string.Join(", ", scopes.SkipLast(1).Select(s => $"`{s}`")) + $" or `{scopes[^1]}`",
    };

    private static void AddAcceptLanguage(OpenApiOperation operation, HonoursAcceptLanguage language)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.Any(p => p.In == ParameterLocation.Header && p.Name == "Accept-Language"))
        {
            return;
        }
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "Accept-Language",
            In = ParameterLocation.Header,
            Required = false,
            Description = language.Description,
            // Language ranges with optional weights (RFC 9110): en-GB,en;q=0.9,nl;q=0.5
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String, MaxLength = 256,
                Pattern = @"^[A-Za-z0-9*-]+(\s*;\s*q=[0-9.]+)?(\s*,\s*[A-Za-z0-9*-]+(\s*;\s*q=[0-9.]+)?)*$",
            },
            Example = "en-GB,en;q=0.9,nl;q=0.5",
        });
    }

    /// <summary>Answers in status order, so that a reader finds success first and the errors in the order of their codes.</summary>
    private static void SortByStatus(OpenApiOperation operation)
    {
        var responses = operation.Responses!;
        var sorted = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in sorted)
        {
            responses[status] = response;
        }
    }
}

/// <summary>
/// The headers and answers every operation shares, as components that operations refer to: declared once, they keep
/// the document small and give generated clients one type for each.
/// </summary>
internal sealed class SharedComponents(OperationFilterContext context)
{
    public const string RetryAfter = "Retry-After";
    public const string Location = "Location";

    private static readonly Dictionary<string, (string Id, string Description)> Answers = new()
    {
        ["401"] = ("Unauthorized", "No API key, or an unknown or revoked one."),
        ["429"] = ("TooManyRequests", "Too many requests from this client; retry after the seconds in `Retry-After`."),
        ["500"] = ("InternalError", "An unexpected error; quote the `traceId` when reporting it."),
        ["503"] = ("Unavailable",
            "The database is down or did not answer in time, or a connection to it failed and was replaced; nothing can be promised about " +
            "this request. Retry after the seconds in `Retry-After`."),
    };

    public IOpenApiHeader Header(string name)
    {
        var headers = context.Document.Components!.Headers ??= new Dictionary<string, IOpenApiHeader>();
        if (!headers.ContainsKey(name))
        {
            headers[name] = name switch
            {
                ApiRateLimiter.LimitHeader => Integer("Requests this client may make per minute.", 1, 1_000_000),
                ApiRateLimiter.RemainingHeader => Integer("Requests left in the current minute.", 0, 1_000_000),
                RetryAfter => Integer("Seconds to wait before retrying.", 1, 60),
                Location => new OpenApiHeader
                {
                    Description = "The path of what was created, to read it back.",
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference", MaxLength = 2048 },
                },
                _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a shared header."),
            };
        }
        return new OpenApiHeaderReference(name, context.Document);
    }

    public IOpenApiResponse Response(string status)
    {
        var (id, description) = Answers[status];
        var responses = context.Document.Components!.Responses ??= new Dictionary<string, IOpenApiResponse>();
        if (!responses.ContainsKey(id))
        {
            var headers = new Dictionary<string, IOpenApiHeader>
            {
                [ApiRateLimiter.LimitHeader] = Header(ApiRateLimiter.LimitHeader),
                [ApiRateLimiter.RemainingHeader] = Header(ApiRateLimiter.RemainingHeader),
            };
            if (status is "429" or "503")
            {
                headers[RetryAfter] = Header(RetryAfter);
            }
            if (status == "401")
            {
                var challenge = $"{ApiKeyAuthenticationHandler.SchemeName} header=\"{ApiKeys.HeaderName}\"";
                headers["WWW-Authenticate"] = new OpenApiHeader
                {
                    Description = "How to authenticate: an API key in the named header.",
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Const = challenge },
                };
            }
            responses[id] = new OpenApiResponse
            {
                Description = description,
                Headers = headers,
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    [ProblemSchemas.ContentType] = new OpenApiMediaType
                    {
                        Schema = ProblemSchemas.Reference(typeof(Problem), context),
                        Example = ProblemExamples.Shared(status),
                    },
                },
            };
        }
        return new OpenApiResponseReference(id, context.Document);
    }

    private static OpenApiHeader Integer(string description, int minimum, int maximum) => new()
    {
        Description = description,
        Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer, Format = "int32",
            Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = maximum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };
}
