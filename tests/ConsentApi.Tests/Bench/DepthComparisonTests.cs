using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>The depth targets come from ratios within alternating rounds; a ratio taken across rounds would let drift in.</summary>
public sealed class DepthComparisonTests
{
    private static LoadResult Load(double requestsPerSecond) => new(requestsPerSecond, 10, 50, (long)requestsPerSecond * 10, 0);

    private static Dictionary<int, (LoadResult, LoadResult)> Round(double api1, double baseline1, double api10, double baseline10) =>
        new() { [1] = (Load(api1), Load(baseline1)), [10] = (Load(api10), Load(baseline10)) };

    [Test]
    public void Depth_ratios_are_medians_of_ratios_within_each_round()
    {
        // The machine slowed down in round 2: every figure halved, but the ratios within the round held.
        var result = new DepthComparisonResult(Scale.Small, [1, 10],
        [
            Round(1000, 1100, 950, 1000),
            Round(500, 550, 475, 500),
            Round(1000, 1000, 600, 1000),
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(result.DepthRatio(10), Is.EqualTo(0.95).Within(1e-9));
            Assert.That(result.DepthRatio(10, baseline: true), Is.EqualTo(500.0 / 550).Within(1e-9));
            Assert.That(result.DepthRatio(1), Is.EqualTo(1).Within(1e-9));
            Assert.That(result.ApiToBaseline(1), Is.EqualTo(1000.0 / 1100).Within(1e-9));
            Assert.That(result.ApiToBaseline(10), Is.EqualTo(0.95).Within(1e-9));
            Assert.That(result.MedianRequestsPerSecond(10, baseline: false), Is.EqualTo(600));
        });
    }

    [Test]
    public void An_even_number_of_rounds_takes_the_mean_of_the_middle_two()
    {
        var result = new DepthComparisonResult(Scale.Small, [1, 10], [Round(1000, 1000, 900, 1000), Round(1000, 1000, 800, 1000)]);

        Assert.That(result.DepthRatio(10), Is.EqualTo(0.85).Within(1e-9));
    }
}
