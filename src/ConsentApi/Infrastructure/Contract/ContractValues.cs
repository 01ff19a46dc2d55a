using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConsentApi.Infrastructure.Contract;

/// <summary>
/// The one spelling of every enum value on the wire: kebab-case of the C# name, or the name given by
/// <see cref="JsonStringEnumMemberNameAttribute"/> where kebab-case cannot say it (<c>consent.changed</c>, <c>roster:read</c>).
/// The JSON converter, the validation of string fields and the OpenAPI document all read it from here.
/// </summary>
public static class ContractValues
{
    private static readonly Dictionary<Type, IReadOnlyList<(string Name, object Value)>> Cache = [];
    private static readonly Lock Guard = new();

    /// <summary>The wire names of an enum type's values, in declaration order.</summary>
    public static IReadOnlyList<string> Of(Type enumType) => [.. Members(enumType).Select(m => m.Name)];

    public static IReadOnlyList<(string Name, object Value)> Members(Type enumType)
    {
        if (!enumType.IsEnum)
        {
            throw new ArgumentException($"{enumType.Name} is not an enum.", nameof(enumType));
        }
        lock (Guard)
        {
            if (!Cache.TryGetValue(enumType, out var members))
            {
                members = [.. enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
                    .Select(f => (NameOf(f), f.GetValue(null)!))];
                Cache[enumType] = members;
            }
            return members;
        }
    }

    public static string NameOf(FieldInfo field) =>
        field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.KebabCaseLower.ConvertName(field.Name);
}
