using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>The depth targets come from ratios within alternating rounds; a ratio taken across rounds would let drift in.</summary>
public sealed class DepthComparisonTests
{
    private static LoadResult Load(double requestsPerSecond) => new(requestsPerSecond, 10, 50, (long)requestsPerSecond * 10, 0);

    private static Dictionary<int, DepthLoads> Round(double api1, double baseline1, double api10, double baseline10,
        double fastest1 = 0, double fastest10 = 0) =>
        new()
        {
            [1] = new(Load(api1), Load(baseline1), Load(fastest1)),
            [10] = new(Load(api10), Load(baseline10), Load(fastest10)),
        };

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
    public void The_checks_target_is_the_median_of_each_rounds_api_against_the_faster_of_its_two_baselines()
    {
        var result = new DepthComparisonResult(Scale.Small, [1, 10],
        [
            // Round 1: the fastest SQL is faster at depth 1, the API's SQL by hand at depth 10.
            Round(api1: 900, baseline1: 1000, api10: 900, baseline10: 1000, fastest1: 1200, fastest10: 800),
            // Round 2: everything halved, the fastest SQL slower than by hand at depth 1 this time.
            Round(api1: 500, baseline1: 600, api10: 450, baseline10: 500, fastest1: 550, fastest10: 400),
            Round(api1: 800, baseline1: 800, api10: 900, baseline10: 900, fastest1: 1000, fastest10: 1000),
        ]);

        Assert.Multiple(() =>
        {
            // Depth 1: 900 ÷ 1200 = 0.75, 500 ÷ 600 = 0.833, 800 ÷ 1000 = 0.8.
            Assert.That(result.ApiToFaster(1), Is.EqualTo(0.8).Within(1e-9));
            // Depth 10: 900 ÷ 1000 = 0.9, 450 ÷ 500 = 0.9, 900 ÷ 1000 = 0.9.
            Assert.That(result.ApiToFaster(10), Is.EqualTo(0.9).Within(1e-9));
            Assert.That(result.MedianFastestRequestsPerSecond(1), Is.EqualTo(1000));
        });
    }

    [Test]
    public void An_even_number_of_rounds_takes_the_mean_of_the_middle_two()
    {
        var result = new DepthComparisonResult(Scale.Small, [1, 10], [Round(1000, 1000, 900, 1000), Round(1000, 1000, 800, 1000)]);

        Assert.That(result.DepthRatio(10), Is.EqualTo(0.85).Within(1e-9));
    }
}
