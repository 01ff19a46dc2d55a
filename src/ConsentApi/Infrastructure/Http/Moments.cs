using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace ConsentApi.Infrastructure.Http;

/// <summary>
/// Moments as PostgreSQL keeps them: UTC, to the microsecond. Normalising on the way in means a value the API returns
/// is exactly the value it stored, and a moment sent with any offset means the same instant.
/// </summary>
public static class Moments
{
    public static DateTimeOffset Normalise(DateTimeOffset moment)
    {
        var utc = moment.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    public static DateTimeOffset? Normalise(DateTimeOffset? moment) => moment is { } m ? Normalise(m) : null;
}

/// <summary>
/// The one form a moment takes in requests, in JSON and in the query alike: RFC 3339 with a time and an offset
/// (<c>2026-09-01T08:30:00Z</c>, <c>2026-09-01T10:30:00+02:00</c>). A date alone, a number or a local time says nothing
/// certain about an instant, so it is refused rather than guessed.
/// </summary>
public static partial class Rfc3339
{
    public const string Message = "Give a moment in RFC 3339 with a time and an offset, e.g. 2026-09-01T08:30:00Z or 2026-09-01T10:30:00+02:00.";

    /// <summary>The query parameters that carry moments (the OpenAPI tests hold this list to the document).</summary>
    public static readonly IReadOnlySet<string> QueryParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "at", "asKnownAt", "from", "to" };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out DateTimeOffset moment)
    {
        moment = default;
        return text is not null && Pattern().IsMatch(text)
               && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out moment);
    }
}

/// <summary>The system clock, read at the database's precision.</summary>
public sealed class DatabaseTimeProvider : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => Moments.Normalise(System.GetUtcNow());
}

/// <summary>Reads every JSON moment as UTC to the microsecond.</summary>
public sealed class UtcMomentConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && Rfc3339.TryParse(reader.GetString(), out var moment)
            ? Moments.Normalise(moment)
            : throw new JsonException(Rfc3339.Message);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
