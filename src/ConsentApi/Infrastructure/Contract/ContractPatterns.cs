using ConsentApi.Domain;
using ConsentApi.Features.Channels;
using ConsentApi.Features.Schools;

namespace ConsentApi.Infrastructure.Contract;

/// <summary>
/// The shapes of the API's identifiers, as regular expressions the OpenAPI document declares. Each accepts every value the
/// server accepts (where the server checks a shape, it is that check's pattern), so a client that validates before
/// sending never refuses what the API would take.
/// </summary>
public static class ContractPatterns
{
    /// <summary>
    /// Any text without control characters but tab, CR and LF (<see cref="Http.ControlCharacters"/>): the only rule the
    /// API holds ids of other systems (external ids of pupils, guardians and groups) to, since each admin system has its own.
    /// </summary>
    public const string PlainText = @"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

    public const string ChannelKey = CreateChannelRequest.KeyPattern;
    public const string BrinCode = SchoolRequest.BrinPattern;
    public const string SchoolYear = SchoolYears.Pattern;

    /// <summary>A cursor as the API writes it: the base64url of 16 bytes, unpadded.</summary>
    public const string Cursor = "^[A-Za-z0-9_-]{22}$";

    /// <summary>A cursor as the API reads it: empty for the first page, or 22 base64 characters (either alphabet).</summary>
    public const string CursorParameter = "^([A-Za-z0-9_+/-]{22})?$";

    public const string ContentHash = "^sha256:[0-9a-f]{64}$";
    public const string ProofContentType = "^(application/pdf|image/jpeg|image/png)$";

    /// <summary>A media type without parameters, as an import file was sent with: <c>application/xml</c>, <c>text/csv</c>.</summary>
    public const string FileContentType = "^[a-z]+/[a-z0-9.+-]+$";
    public const string ProofFileName = @"^[a-z0-9][a-z0-9-]{0,90}\.(pdf|jpg|png)$";
    public const string KeyPrefix = "^cak_[0-9a-f]{12}$";
    public const string ApiKey = "^cak_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$";
    public const string WebhookSecret = "^whsec_[A-Za-z0-9+/]{43}=$";

    /// <summary>An IANA time zone id; the server also requires that it is known (<see cref="ConsentCalendar.IsKnown"/>).</summary>
    public const string TimeZone = "^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+$";

    /// <summary>A caller's X-Request-Id (visible ASCII, <see cref="Http.RequestIds"/>) or the request's trace id.</summary>
    public const string RequestId = "^[!-~]{1,128}$";

    /// <summary>An audit event's action: the command's name, e.g. <c>SyncRoster</c>.</summary>
    public const string AuditAction = "^[A-Z][A-Za-z0-9]*$";

    /// <summary>An audit event's resource type, e.g. <c>api-client</c>.</summary>
    public const string ResourceType = "^[a-z]+(-[a-z]+)*$";

    public const string ReceiptSchemaVersion = @"^consent-api-receipt/[0-9]+ \(.+\)$";
}
