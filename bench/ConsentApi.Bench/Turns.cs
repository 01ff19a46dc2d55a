namespace ConsentApi.Bench;

/// <summary>
/// Servers measured in turns: each server's load is split into several shorter ones, the servers taking turns with the
/// order rotating every turn, and each server's figure is the median of its turns.
/// </summary>
/// <remarks>
/// On the shared machines a stall of the whole machine (throughput near zero for most of a second, the CPU idle,
/// PostgreSQL's sessions all waiting for their client) comes every half minute or so, and it hits the baselines as
/// often as the API (README, Performance). Measured in one load each, a stall that falls into one server's load and not
/// the other's moves their ratio by a tenth; measured in turns, it costs the server one turn, and the median leaves it out.
/// </remarks>
public static class Turns
{
    /// <summary>Which server goes in each place of <paramref name="turn"/>: 0, 1, 2, then 1, 2, 0, then 2, 0, 1, …</summary>
    public static IEnumerable<int> Order(int servers, int turn) => Enumerable.Range(0, servers).Select(i => (i + turn) % servers);

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            throw new ArgumentException("A median needs at least one value.", nameof(values));
        }
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>One server's turns as one result: the median throughput and percentiles, and every request and error counted.</summary>
    public static LoadResult MedianOf(IReadOnlyList<LoadResult> turns) =>
        new(Median(turns.Select(t => t.RequestsPerSecond)), Median(turns.Select(t => t.P50Ms)), Median(turns.Select(t => t.P99Ms)),
            turns.Sum(t => t.Requests), turns.Sum(t => t.Errors));
}
