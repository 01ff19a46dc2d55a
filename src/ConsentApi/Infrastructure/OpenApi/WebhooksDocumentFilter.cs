using System.Xml.XPath;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Events;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// The events the API sends to webhook subscriptions, as OpenAPI 3.1 <c>webhooks</c>: one entry per event type with its
/// own envelope schema (the body exactly as <see cref="EventOutbox"/> writes it), the Standard Webhooks headers, and what
/// a receiver must answer. Events are not responses of any operation, so nothing else would describe them.
/// </summary>
/// <remarks>
/// 3.1 rather than 3.0's <c>x-webhooks</c> extension: tried with this document, Spectral (spectral:oas and OWASP) lints
/// it, openapi-typescript 7.13 generates types that compile (with a <c>webhooks</c> interface), and the C# clients of
/// Kiota 1.38 and NSwag 14.7 (System.Text.Json) generate and compile. Only 3.1 lets tools see the entries, and
/// schemas referred to from them count as used.
/// </remarks>
internal sealed class WebhooksDocumentFilter(XPathDocument? xml) : IDocumentFilter
{
    private readonly XPathNavigator? comments = xml?.CreateNavigator();

    /// <summary>Every event type the outbox writes, with the type of its <c>data</c>.</summary>
    public static readonly IReadOnlyDictionary<string, Type> DataTypes = new Dictionary<string, Type>
    {
        [EventTypes.ConsentChanged] = typeof(ConsentChangedEvent),
        [EventTypes.TakedownOpened] = typeof(TakedownEvent),
        [EventTypes.TakedownUpdated] = typeof(TakedownEvent),
        [EventTypes.TakedownCompleted] = typeof(TakedownCompletedEvent),
        [EventTypes.PublicationRegistered] = typeof(PublicationRegisteredEvent),
        [EventTypes.RosterSynced] = typeof(RosterSyncedEvent),
        [EventTypes.PupilTurning16] = typeof(PupilTurning16Event),
        [EventTypes.PupilErased] = typeof(PupilErasedEvent),
        [EventTypes.ImportCompleted] = typeof(ImportFinishedEvent),
        [EventTypes.ImportFailed] = typeof(ImportFinishedEvent),
    };

    /// <summary>
    /// The envelope schema's id for an event type: <c>takedown.opened</c> becomes <c>TakedownOpenedWebhook</c>,
    /// <c>pupil.turning-16</c> <c>PupilTurning16Webhook</c>.
    /// </summary>
    public static string EnvelopeId(string eventType) =>
        string.Concat(eventType.Split('.', '-').Select(part => char.ToUpperInvariant(part[0]) + part[1..])) + "Webhook";

    private const string Guarantees = """
        Delivered as a signed `POST` (Standard Webhooks) to every active subscription that asked for this event type (and,
        for a subscription limited to one school, only for that school's events). Guarantees:

        - **At least once.** The event is written in the same transaction as the change that caused it and sent after the
          commit; a delivery whose outcome was not recorded (an instance stopped mid-send) is sent again. Use `webhook-id`,
          which is the body's `id` and the delivery's `eventId` in `GET /v1/webhooks/{webhookId}/deliveries`, to ignore a
          message you already handled.
        - **In order per subscription.** Events go in the order they were written, and a delivery waiting for its retry
          holds back the ones after it. A pupil's `consent.changed` events also carry `data.sequence` 1, 2, 3… without gaps:
          each item's `oldState` is its `newState` in the pupil's previous event that named it.
        - **Answer with any 2xx within the timeout (10 s by default).** Anything else (another status, a redirect, which is
          not followed, or no answer in time) is a failed attempt, retried with growing delays for about a day; after the
          last attempt the delivery is `failed` and can be re-sent.
        - **Verify before trusting.** `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of
          `{webhook-id}.{webhook-timestamp}.{raw body}`, keyed with the base64 part of the subscription's `whsec_` secret.
          Refuse a `webhook-timestamp` far from your clock (for example more than 5 minutes) against replays.
        """;

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        swaggerDoc.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
        swaggerDoc.Components ??= new OpenApiComponents();
        swaggerDoc.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        context.SchemaGenerator.GenerateSchema(typeof(EventType), context.SchemaRepository);
        foreach (var (type, dataType) in DataTypes)
        {
            var data = context.SchemaGenerator.GenerateSchema(dataType, context.SchemaRepository);
            var id = EnvelopeId(type);
            context.SchemaRepository.AddDefinition(id, Envelope(type, data));
            swaggerDoc.Webhooks[type] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Post] = Delivery(type, new OpenApiSchemaReference(id, swaggerDoc)),
                },
            };
        }
    }

    private static OpenApiSchema Envelope(string type, IOpenApiSchema data) => new()
    {
        Type = JsonSchemaType.Object,
        Description = $"The body of a `{type}` delivery.",
        Required = new HashSet<string> { "id", "type", "timestamp", "schoolId", "data" },
        AdditionalPropertiesAllowed = false,
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["id"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Format = "uuid", MaxLength = 36,
                Description = "The event's id: the same as the `webhook-id` header and the delivery's `eventId`. The same on every attempt.",
            },
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = type, Description = "The event type." },
            ["timestamp"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Format = "date-time", MaxLength = 40,
                Description = "When the change happened (UTC, RFC 3339); not when this attempt was sent.",
            },
            ["schoolId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "uuid", MaxLength = 36,
                Description = "The school the event is about, or null for an event of the whole organisation.",
            },
            ["data"] = data,
        },
    };

    private OpenApiOperation Delivery(string type, IOpenApiSchema envelope) => new()
    {
        OperationId = "on" + EnvelopeId(type)[..^"Webhook".Length],
        Summary = Meaning(type),
        Description = Guarantees,
        Tags = new HashSet<OpenApiTagReference> { new("Webhooks") },
        Security = [],
        Parameters =
        [
            Header("webhook-id", "The event's id (the body's `id`): the same on every attempt, so use it to ignore repeats.",
                new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", MaxLength = 36 }),
            Header("webhook-timestamp", "When this attempt was sent, in Unix seconds.",
                new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0", Maximum = "99999999999" }),
            Header("webhook-signature", "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{raw body}`.",
                new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^v1,[A-Za-z0-9+/]{43}=$", MaxLength = 47 }),
        ],
        RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["application/json"] = new OpenApiMediaType { Schema = envelope },
            },
        },
        Responses = new OpenApiResponses
        {
            ["2XX"] = new OpenApiResponse { Description = "Received: the delivery is recorded as delivered; any body is ignored." },
            ["default"] = new OpenApiResponse
            {
                Description = "Any other status, or no answer within the timeout: a failed attempt, retried with growing delays for about a day.",
            },
        },
    };

    /// <summary>The event type's meaning, from <see cref="EventType"/>'s comments: one text for the enum and the entry.</summary>
    private string Meaning(string type)
    {
        var field = typeof(EventType).GetFields().FirstOrDefault(f => f.IsStatic && ContractValues.NameOf(f) == type);
        var summary = field is null ? null : XmlDocText.Member(comments, field);
        return summary is null ? $"`{type}`" : summary.TrimEnd('.');
    }

    private static OpenApiParameter Header(string name, string description, OpenApiSchema schema) => new()
    {
        Name = name, In = ParameterLocation.Header, Required = true, Description = description, Schema = schema,
    };
}
