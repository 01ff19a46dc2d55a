namespace ConsentApi.Tests.Infrastructure;

/// <summary>
/// The order of lists paged by id. Ids are UUIDv7, but two made in the same millisecond are in no particular order, so a
/// test sorts what it expects the way PostgreSQL sorts uuids (byte by byte) rather than assume creation order.
/// </summary>
public static class IdOrder
{
    public static IEnumerable<T> InIdOrder<T>(this IEnumerable<T> items, Func<T, Guid> idOf) =>
        items.OrderBy(item => idOf(item).ToString("N"), StringComparer.Ordinal);

    public static IEnumerable<Guid> InIdOrder(this IEnumerable<Guid> ids) => ids.InIdOrder(id => id);
}
