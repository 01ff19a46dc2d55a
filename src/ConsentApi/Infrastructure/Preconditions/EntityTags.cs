using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace ConsentApi.Infrastructure.Preconditions;

/// <summary>
/// Strong entity tags from PostgreSQL's row version (<c>xmin</c>, the id of the transaction that last wrote the row):
/// it changes with every write of the row and with nothing else, and costs no column. A write that changes no value
/// issues no UPDATE (EF Core compares before it writes), so an unchanged roster re-sync keeps every tag.
/// </summary>
public static class EntityTags
{
    public static string Format(uint version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// Whether <paramref name="header"/> (an <c>If-Match</c> or <c>If-None-Match</c> list) names <paramref name="current"/>:
    /// <c>*</c> names any existing version. If-Match compares strongly (a weak tag never matches); If-None-Match weakly.
    /// A malformed member names nothing.
    /// </summary>
    public static bool Names(StringValues header, uint? current, bool weakComparison)
    {
        if (current is null)
        {
            return false;
        }
        var tag = Format(current.Value);
        foreach (var member in header.SelectMany(v => (v ?? "").Split(',')).Select(m => m.Trim()))
        {
            if (member == "*" || member == tag || (weakComparison && member == "W/" + tag))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>An <c>If-Match</c> that names no current version of the resource (412).</summary>
/// <param name="current">The version the resource is at (read under the change's lock), or null when it does not exist.</param>
/// <remarks>
/// The endpoint's own filter answers it (<see cref="PreconditionFailedResult"/>) with the current version as the answer's
/// <c>ETag</c>, so that a client can decide and retry without reading the resource again. It must not reach the exception
/// handler middleware, which removes cache validators such as <c>ETag</c> from the answers it writes.
/// </remarks>
public sealed class PreconditionFailedException(string message, uint? current) : Exception(message)
{
    public uint? Current { get; } = current;
}
