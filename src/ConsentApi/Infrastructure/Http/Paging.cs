using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Http;

/// <summary>One page of a list. Pass <c>nextCursor</c> back as <c>cursor</c> for the next page; null means the end.</summary>
public sealed record Page<T>(
    [property: MaxLength(Paging.MaxLimit)] IReadOnlyList<T> Items,
    [property: MaxLength(FieldLengths.Cursor)] string? NextCursor);

/// <summary>
/// Keyset paging: stable under inserts, no offsets, and cheap at any depth. The cursor names the last item's id; lists
/// that promise recording order page by a sequence, since UUIDv7 ids made in the same millisecond are in no order.
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>The id after which a page starts, or null for the first page. A cursor is opaque to clients.</summary>
    public static Guid? After(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        var base64 = cursor.Replace('-', '+').Replace('_', '/') + "==";
        if (cursor.Length != 22 || !Convert.TryFromBase64String(base64, bytes, out var written) || written != 16)
        {
            throw new RequestValidationException("cursor", "The cursor is not one this API returned.");
        }
        return new Guid(bytes, bigEndian: true);
    }

    public static string CursorFor(Guid id) =>
        Convert.ToBase64String(id.ToByteArray(bigEndian: true)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Reads one page of <paramref name="ordered"/> (already filtered past the cursor and ordered).</summary>
    public static async Task<Page<T>> ToPageAsync<T>(
        this IQueryable<T> ordered, int? limit, Func<T, Guid> idOf, CancellationToken ct)
    {
        var take = limit ?? DefaultLimit;
        var items = await ordered.Take(take + 1).ToListAsync(ct);
        if (items.Count <= take)
        {
            return new Page<T>(items, null);
        }
        items.RemoveAt(take);
        return new Page<T>(items, CursorFor(idOf(items[^1])));
    }
}

/// <summary>The <c>limit</c> and <c>cursor</c> query parameters every list operation takes.</summary>
public interface IPageRequest
{
    /// <summary>How many items to return, 1 to 200 (default 50).</summary>
    [Range(1, Paging.MaxLimit)]
    [DefaultValue(Paging.DefaultLimit)]
    int? Limit { get; }

    /// <summary>The <c>nextCursor</c> of the previous page.</summary>
    [StringLength(22)]
    string? Cursor { get; }
}
