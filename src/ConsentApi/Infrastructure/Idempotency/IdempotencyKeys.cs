namespace ConsentApi.Infrastructure.Idempotency;

/// <summary>
/// The <c>Idempotency-Key</c> request header (IETF httpapi draft "The Idempotency-Key HTTP Header Field"): its syntax
/// and how long a key is remembered.
/// </summary>
public static class IdempotencyKeys
{
    public const string HeaderName = "Idempotency-Key";

    /// <summary>Set to <c>true</c> on an answer that repeats the stored answer of an earlier request with the same key.</summary>
    public const string ReplayedHeaderName = "Idempotent-Replayed";

    public const int MaxLength = 255;

    /// <summary>How long a key is remembered; a key older than this is treated as never used.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public const string SyntaxMessage =
        "Idempotency-Key must be one value of 1 to 255 printable ASCII characters (a UUID is a good choice), optionally "
        + "sent as a quoted structured-field string; it may not contain '\"' or '\\'.";

    /// <summary>
    /// The draft defines the value as a structured-field string (<c>"…"</c>); many clients send it bare, so both are
    /// accepted and mean the same key. Without escapes, so that a key is exactly the characters between the quotes.
    /// </summary>
    public static bool TryParse(Microsoft.Extensions.Primitives.StringValues values, out string key)
    {
        key = "";
        if (values.Count != 1 || values[0] is not { } raw)
        {
            return false;
        }
        var value = raw.Trim(' ', '\t');
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }
        if (value.Length is 0 or > MaxLength || value.Any(c => c is < ' ' or > '~' or '"' or '\\'))
        {
            return false;
        }
        key = value;
        return true;
    }
}
