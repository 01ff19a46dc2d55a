using ConsentApi.Infrastructure.Contract;
using Microsoft.OpenApi;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// What each string of the contract looks like, by its name: identifiers get the pattern or format of their shape;
/// free text (names, notes, form texts, messages) is marked <c>x-free-text</c>, since any wording is valid there and a
/// pattern would only say "no control characters". The lint (.spectral.yaml) asks every other string for a shape, so a
/// new identifier without one is caught.
/// </summary>
internal static class StringShapes
{
    private static readonly Dictionary<string, (string? Pattern, string? Format)> Properties = new(StringComparer.Ordinal)
    {
        ["externalId"] = (ContractPatterns.PlainText, null),
        ["groupExternalId"] = (ContractPatterns.PlainText, null),
        ["guardianExternalId"] = (ContractPatterns.PlainText, null),
        ["channel"] = (ContractPatterns.ChannelKey, null),
        ["key"] = (ContractPatterns.ChannelKey, null),
        ["brinCode"] = (ContractPatterns.BrinCode, null),
        ["schoolYear"] = (ContractPatterns.SchoolYear, null),
        ["nextCursor"] = (ContractPatterns.Cursor, null),
        ["contentHash"] = (ContractPatterns.ContentHash, null),
        ["formContentHash"] = (ContractPatterns.ContentHash, null),
        ["sha256"] = (ContractPatterns.ContentHash, null),
        ["contentType"] = (ContractPatterns.ProofContentType, null),
        ["fileContentType"] = (ContractPatterns.FileContentType, null),
        ["fileName"] = (ContractPatterns.ProofFileName, null),
        ["keyPrefix"] = (ContractPatterns.KeyPrefix, null),
        ["apiKey"] = (ContractPatterns.ApiKey, null),
        ["secret"] = (ContractPatterns.WebhookSecret, null),
        ["timeZone"] = (ContractPatterns.TimeZone, null),
        ["requestId"] = (ContractPatterns.RequestId, null),
        ["traceId"] = (ContractPatterns.RequestId, null),
        ["action"] = (ContractPatterns.AuditAction, null),
        ["resourceType"] = (ContractPatterns.ResourceType, null),
        ["schemaVersion"] = (ContractPatterns.ReceiptSchemaVersion, null),
        ["url"] = (null, "uri"),
        ["receiptUrl"] = (null, "uri-reference"),
        ["downloadPath"] = (null, "uri-reference"),
        // Problem Details (RFC 9457): the type is a URI, the instance a URI reference.
        ["type"] = (null, "uri"),
        ["instance"] = (null, "uri-reference"),
    };

    /// <summary>Query and path values: filters take any text (an unknown value matches nothing), keys their shape.</summary>
    private static readonly Dictionary<string, string> Parameters = new(StringComparer.Ordinal)
    {
        ["cursor"] = ContractPatterns.CursorParameter,
        ["externalId"] = ContractPatterns.PlainText,
        ["guardianExternalId"] = ContractPatterns.PlainText,
        ["channel"] = ContractPatterns.PlainText,
        ["action"] = ContractPatterns.PlainText,
        ["channelKey"] = ContractPatterns.ChannelKey,
        ["fileName"] = ContractPatterns.PlainText,
    };

    private static readonly HashSet<string> FreeText = new(StringComparer.Ordinal)
    {
        // Names people read: of pupils, guardians, schools, boards, groups, channels, forms, clients, publications.
        "name", "displayName", "childName", "schoolName", "groupName", "organisationName", "formName", "channelName", "nameNl", "nameEn", "title",
        // In a publication's dossier: who decided, and the clients that registered, declared and completed.
        "guardianName", "registeredByClientName", "declaredByClientName", "completedByClientName",
        // Texts people write or read: notes, reasons, form texts, where a publication is, who did a takedown.
        "note", "removalNote", "completionNote", "completedBy", "declaredBy", "withdrawalReason", "reason", "textNl", "textEn", "text",
        "location", "proofReference", "withdrawalInstructions",
        // Messages: a health check's finding, a failed delivery's error, a problem's detail.
        "description", "error", "detail",
        // Where an import file has a problem, and what it is: an element path or a row, a field or column, a message.
        "path", "field", "message",
    };

    public static void ApplyToProperty(string name, OpenApiSchema schema)
    {
        if (!IsPlainString(schema))
        {
            return;
        }
        if (Properties.TryGetValue(name, out var shape))
        {
            schema.Pattern ??= shape.Pattern;
            schema.Format ??= shape.Format;
        }
        else if (FreeText.Contains(name))
        {
            MarkFreeText(schema);
        }
    }

    public static void ApplyToParameter(string name, OpenApiSchema schema)
    {
        if (IsPlainString(schema) && Parameters.TryGetValue(name, out var pattern))
        {
            schema.Pattern ??= pattern;
        }
    }

    public static void MarkFreeText(OpenApiSchema schema)
    {
        schema.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        schema.Extensions["x-free-text"] = new JsonNodeExtension(true);
    }

    private static bool IsPlainString(OpenApiSchema schema) =>
        schema.Type?.HasFlag(JsonSchemaType.String) == true && schema.Pattern is null && schema.Format is null && schema.Enum is not { Count: > 0 }
        && schema.Const is null;
}
