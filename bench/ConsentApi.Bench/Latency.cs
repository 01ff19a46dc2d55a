namespace ConsentApi.Bench;

public static class Latency
{
    /// <summary>The nearest-rank percentile of <paramref name="values"/> (e.g. 99 for p99).</summary>
    public static double Percentile(IReadOnlyCollection<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
