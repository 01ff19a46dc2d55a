using System.Collections.ObjectModel;
using System.Text.Json;

namespace ConsentApi.Infrastructure.Http;

/// <summary>
/// A request list that refuses the item past its limit as the JSON reader adds it, so that an oversized list ends the
/// read after <c>max + 1</c> items instead of being built whole and refused by <c>[MaxLength]</c> afterwards. The
/// limit comes from the JSON options (a type-info modifier sets how the list is created); lists built in code have none.
/// </summary>
public sealed class LimitedList<T> : Collection<T>, IReadOnlyList<T>
{
    public LimitedList() : this(int.MaxValue)
    {
    }

    public LimitedList(int max) => Max = max;

    public int Max { get; }

    protected override void InsertItem(int index, T item)
    {
        if (Count >= Max)
        {
            throw new TooManyItemsException(Max);
        }
        base.InsertItem(index, item);
    }
}

/// <summary>A list in a request body has more items than its limit; the JSON path names the first item too many.</summary>
public sealed class TooManyItemsException(int max) : JsonException($"The list holds more than {max} items.")
{
    public int Max { get; } = max;
}
