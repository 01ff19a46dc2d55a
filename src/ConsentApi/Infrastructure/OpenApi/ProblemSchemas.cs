using ConsentApi.Infrastructure.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// The error bodies as components: <see cref="Problem"/> with the members every problem has, and each kind with members
/// of its own as <c>allOf</c> that base plus its own typed members, which openapi-typescript, Kiota and NSwag turn into
/// a base type and one derived type per kind. The framework's <c>ProblemDetails</c> schemas (an untyped bag of
/// extensions) are replaced wherever an endpoint declared them.
/// </summary>
internal static class ProblemSchemas
{
    public const string ContentType = ProblemMetadata.ContentType;

    private static readonly string[] BaseRequired = ["type", "title", "status", "instance", "traceId"];
    private static readonly string[] Replaced = [nameof(ProblemDetails), nameof(HttpValidationProblemDetails)];

    /// <summary>
    /// The kind a declared error answer has: the endpoint's own kind when it named one, else <see cref="ValidationProblem"/>
    /// for a 400 and <see cref="Problem"/> for anything else.
    /// </summary>
    public static Type KindOf(string status, IOpenApiSchema? declared, OperationFilterContext context)
    {
        if (declared is OpenApiSchemaReference { Reference.Id: { } id } && !Replaced.Contains(id)
            && context.SchemaRepository.Schemas.ContainsKey(id)
            && context.ApiDescription.SupportedResponseTypes.Select(r => r.Type)
                .FirstOrDefault(t => t is not null && typeof(Problem).IsAssignableFrom(t) && t.Name == id) is { } kind)
        {
            return kind;
        }
        return status == "400" ? typeof(ValidationProblem) : typeof(Problem);
    }

    /// <summary>A reference to the component of <paramref name="kind"/>, generating (and shaping) it on first use.</summary>
    public static IOpenApiSchema Reference(Type kind, OperationFilterContext context) =>
        Reference(kind, context.SchemaGenerator, context.SchemaRepository, context.Document);

    public static IOpenApiSchema Reference(Type kind, ISchemaGenerator generator, SchemaRepository repository, OpenApiDocument document)
    {
        var reference = generator.GenerateSchema(typeof(Problem), repository);
        ShapeBase((OpenApiSchema)repository.Schemas[nameof(Problem)]);
        if (kind == typeof(Problem))
        {
            return reference;
        }
        var kindReference = generator.GenerateSchema(kind, repository);
        if (repository.Schemas[kind.Name] is OpenApiSchema { AllOf: null or { Count: 0 } } flat)
        {
            repository.Schemas[kind.Name] = Derived(flat, (OpenApiSchema)repository.Schemas[nameof(Problem)], document);
            BoundMessages(flat);
        }
        return kindReference;
    }

    /// <summary>Whether <paramref name="schema"/> is missing or one of the framework's problem schemas.</summary>
    public static bool IsReplaced(IOpenApiSchema? schema) =>
        schema is null || (schema is OpenApiSchemaReference { Reference.Id: { } id } && Replaced.Contains(id));

    /// <summary>Drops the framework's problem schemas once every answer refers to the kinds instead.</summary>
    public static void RemoveReplaced(SchemaRepository repository)
    {
        foreach (var id in Replaced)
        {
            repository.Schemas.Remove(id);
        }
    }

    private static void ShapeBase(OpenApiSchema schema)
    {
        schema.Required = new HashSet<string>(BaseRequired);
        // Kinds add members to the base (allOf), and RFC 9457 tells clients to ignore members they do not know.
        schema.AdditionalProperties = null;
        schema.AdditionalPropertiesAllowed = true;
        if (schema.Properties is not { } properties)
        {
            return;
        }
        if (properties.TryGetValue("type", out var type) && type is OpenApiSchema typeSchema)
        {
            typeSchema.Format = "uri";
        }
        if (properties.TryGetValue("instance", out var instance) && instance is OpenApiSchema instanceSchema)
        {
            instanceSchema.Format = "uri-reference";
        }
        foreach (var property in properties.Values.OfType<OpenApiSchema>())
        {
            NeverNull(property);
        }
    }

    private static OpenApiSchema Derived(OpenApiSchema flat, OpenApiSchema problem, OpenApiDocument document)
    {
        var own = (flat.Properties ?? new Dictionary<string, IOpenApiSchema>())
            .Where(p => problem.Properties?.ContainsKey(p.Key) != true)
            .ToDictionary(p => p.Key, p => p.Value);
        foreach (var property in own.Values.OfType<OpenApiSchema>())
        {
            NeverNull(property);
        }
        var ownRequired = (flat.Required ?? new HashSet<string>()).Where(own.ContainsKey).ToHashSet();
        return new OpenApiSchema
        {
            Description = flat.Description,
            AllOf =
            [
                new OpenApiSchemaReference(nameof(Problem), document),
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = own,
                    Required = ownRequired.Count > 0 ? ownRequired : null,
                },
            ],
        };
    }

    /// <summary>A field's messages: a few sentences at most.</summary>
    private static void BoundMessages(OpenApiSchema flat)
    {
        if (flat.Properties?.TryGetValue("errors", out var errors) == true
            && errors is OpenApiSchema { AdditionalProperties: OpenApiSchema messages })
        {
            messages.MaxItems ??= 10;
            if (messages.Items is OpenApiSchema message)
            {
                message.MaxLength ??= Problem.TextLength;
                StringShapes.MarkFreeText(message);
            }
        }
    }

    /// <summary>
    /// The problem writer leaves out members it has no value for rather than writing null, so no member is nullable:
    /// an optional one is absent.
    /// </summary>
    private static void NeverNull(OpenApiSchema schema)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.Null))
        {
            schema.Type = type & ~JsonSchemaType.Null;
        }
    }
}
