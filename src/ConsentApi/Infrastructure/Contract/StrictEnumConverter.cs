using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConsentApi.Infrastructure.Contract;

/// <summary>
/// Enums as the exact strings the contract lists, and nothing else. <see cref="JsonStringEnumConverter"/> also takes the
/// C# name in any case (<c>"ParentApp"</c>, <c>"PHOTO"</c>), which the contract does not allow: a client that relies on
/// that breaks against any other implementation of the contract, and the record would hold values no one declared.
/// </summary>
public sealed class StrictEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(StrictEnumConverter<>).MakeGenericType(typeToConvert))!;
}

public sealed class StrictEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    private readonly Dictionary<string, T> byName = ContractValues.Members(typeof(T)).ToDictionary(m => m.Name, m => (T)m.Value, StringComparer.Ordinal);
    private readonly Dictionary<T, string> names = ContractValues.Members(typeof(T)).ToDictionary(m => (T)m.Value, m => m.Name);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && byName.TryGetValue(reader.GetString()!, out var value))
        {
            return value;
        }
        throw Refused();
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(names.TryGetValue(value, out var name)
            ? name
            : throw new JsonException($"{value} is not a value of {typeof(T).Name} the contract lists."));

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        byName.TryGetValue(reader.GetString()!, out var value) ? value : throw Refused();

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WritePropertyName(names[value]);

    // The message never echoes the value sent; the error handler names the field from the reader's path.
    private static JsonException Refused() =>
        new($"The value must be one of: {string.Join(", ", ContractValues.Of(typeof(T)))} (exactly as written).");
}
