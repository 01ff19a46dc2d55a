using System.Collections;
using System.ComponentModel.DataAnnotations;

namespace ConsentApi.Infrastructure.Contract;

/// <summary>
/// A string field (or each string of a list) takes only the values of an enum's contract spelling. Used where the value
/// travels as a string in the code (a reason code, a scope, an event type) but is a fixed set in the contract: the
/// OpenAPI document then refers to the enum's schema, and a request with any other value is refused.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OneOfAttribute(Type values) : ValidationAttribute
{
    public Type Values { get; } = values;

    public override bool IsValid(object? value) => value switch
    {
        null => true,
        string text => ContractValues.Of(Values).Contains(text, StringComparer.Ordinal),
        IEnumerable list => list.Cast<object?>().All(item => item is string text && ContractValues.Of(Values).Contains(text, StringComparer.Ordinal)),
        _ => false,
    };

    public override string FormatErrorMessage(string name) =>
        $"{name} must be one of: {string.Join(", ", ContractValues.Of(Values))} (exactly as written).";
}
