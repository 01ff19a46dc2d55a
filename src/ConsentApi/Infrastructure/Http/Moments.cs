using System.Text.Json;
using System.Text.Json.Serialization;

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

/// <summary>The system clock, read at the database's precision.</summary>
public sealed class DatabaseTimeProvider : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => Moments.Normalise(System.GetUtcNow());
}

/// <summary>Reads every JSON moment as UTC to the microsecond.</summary>
public sealed class UtcMomentConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Moments.Normalise(reader.GetDateTimeOffset());

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
