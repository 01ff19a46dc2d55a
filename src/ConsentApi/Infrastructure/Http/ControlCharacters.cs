using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using ConsentApi.Infrastructure.Errors;

namespace ConsentApi.Infrastructure.Http;

/// <summary>
/// The one rule for text the API accepts: no control characters but tab, CR and LF. U+0000 cannot be stored by
/// PostgreSQL at all (and a refused parameter must never reach a pooled connection); the others have no place in names,
/// ids or texts and only hide what a value says.
/// </summary>
public static class ControlCharacters
{
    public const string Message = "Control characters other than tab, carriage return and line feed are not allowed.";

    private static readonly SearchValues<char> Refused = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c is not ('\t' or '\r' or '\n')).Select(c => (char)c),
         .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c)]);

    public static bool AreIn(ReadOnlySpan<char> text) => text.ContainsAny(Refused);
}

/// <summary>Reads every JSON string under <see cref="ControlCharacters"/>' rule; the field is named by the error's path.</summary>
public sealed class PlainTextConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return text is not null && ControlCharacters.AreIn(text) ? throw new JsonException(ControlCharacters.Message) : text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
