using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
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

/// <summary>
/// Reads every JSON string under <see cref="ControlCharacters"/>' rule; the field is named by the error's path. With a
/// <see cref="StringLengthAttribute"/> (see <see cref="TextLimits"/>), a value whose JSON text cannot fit the limit is
/// refused before it becomes a string: six bytes (<c>\uXXXX</c>) is the most one character can take.
/// </summary>
public sealed class PlainTextConverter(StringLengthAttribute? limit = null, string? member = null) : JsonConverter<string>
{
    private const int MostBytesPerChar = 6;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (limit is not null && reader.TokenType == JsonTokenType.String
            && (reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) > (long)limit.MaximumLength * MostBytesPerChar)
        {
            throw new TextTooLongException(limit.FormatErrorMessage(member ?? "value"));
        }
        var text = reader.GetString();
        return text is not null && ControlCharacters.AreIn(text) ? throw new JsonException(ControlCharacters.Message) : text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>A text in a request body is longer than its field accepts; the message is the one [StringLength] gives.</summary>
public sealed class TextTooLongException(string message) : JsonException(message);

public static class TextLimits
{
    /// <summary>
    /// Gives every string property with [StringLength] a reader that refuses an oversized value before building it, so
    /// a body cannot turn megabytes of one name into a string (twice its size) that validation refuses afterwards.
    /// </summary>
    public static void RefuseLongTextWhileReading(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        foreach (var property in info.Properties)
        {
            if (property.PropertyType == typeof(string) && property.CustomConverter is null
                && property.AttributeProvider is MemberInfo member
                && member.GetCustomAttribute<StringLengthAttribute>() is { } limit)
            {
                property.CustomConverter = new PlainTextConverter(limit, member.Name);
            }
        }
    }
}
