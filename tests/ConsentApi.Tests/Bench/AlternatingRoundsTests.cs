using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>The depth and scale targets come from ratios within alternating rounds; a ratio taken across rounds would let drift in.</summary>
public sealed class AlternatingRoundsTests
{
    private static readonly DataSetKey Depth1 = new(Scale.Small, 1);
    private static readonly DataSetKey Depth10 = new(Scale.Small, 10);
    private static readonly DataSetKey Small = new(Scale.Small, 1);
    private static readonly DataSetKey Large = new(Scale.Large, 1);

    private static LoadResult Load(double requestsPerSecond, double p50Ms = 10, double p99Ms = 50) =>
        new(requestsPerSecond, p50Ms, p99Ms, (long)requestsPerSecond * 10, 0);

    private static Dictionary<DataSetKey, RoundLoads> Round(double api1, double baseline1, double api10, double baseline10,
        double fastest1 = 0, double fastest10 = 0) =>
        new()
        {
            [Depth1] = new(Load(api1), Load(baseline1), Load(fastest1)),
            [Depth10] = new(Load(api10), Load(baseline10), Load(fastest10)),
        };

    [Test]
    public void Depth_ratios_are_medians_of_ratios_within_each_round()
    {
        // The machine slowed down in round 2: every figure halved, but the ratios within the round held.
        var result = new AlternatingRoundsResult([Depth1, Depth10],
        [
            Round(1000, 1100, 950, 1000),
            Round(500, 550, 475, 500),
            Round(1000, 1000, 600, 1000),
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(result.ComparesDepths, Is.True);
            Assert.That(result.ThroughputRatio(Depth10), Is.EqualTo(0.95).Within(1e-9));
            Assert.That(result.ThroughputRatio(Depth10, baseline: true), Is.EqualTo(500.0 / 550).Within(1e-9));
            Assert.That(result.ThroughputRatio(Depth1), Is.EqualTo(1).Within(1e-9));
            Assert.That(result.ApiToBaseline(Depth1), Is.EqualTo(1000.0 / 1100).Within(1e-9));
            Assert.That(result.ApiToBaseline(Depth10), Is.EqualTo(0.95).Within(1e-9));
            Assert.That(result.MedianRequestsPerSecond(Depth10, baseline: false), Is.EqualTo(600));
        });
    }

    [Test]
    public void The_checks_target_is_the_median_of_each_rounds_api_against_the_faster_of_its_two_baselines()
    {
        var result = new AlternatingRoundsResult([Depth1, Depth10],
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
            Assert.That(result.ApiToFaster(Depth1), Is.EqualTo(0.8).Within(1e-9));
            // Depth 10: 900 ÷ 1000 = 0.9, 450 ÷ 500 = 0.9, 900 ÷ 1000 = 0.9.
            Assert.That(result.ApiToFaster(Depth10), Is.EqualTo(0.9).Within(1e-9));
            Assert.That(result.MedianFastestRequestsPerSecond(Depth1), Is.EqualTo(1000));
        });
    }

    [Test]
    public void An_even_number_of_rounds_takes_the_mean_of_the_middle_two()
    {
        var result = new AlternatingRoundsResult([Depth1, Depth10], [Round(1000, 1000, 900, 1000), Round(1000, 1000, 800, 1000)]);

        Assert.That(result.ThroughputRatio(Depth10), Is.EqualTo(0.85).Within(1e-9));
    }

    [Test]
    public void Scale_latency_ratios_are_medians_of_ratios_within_each_round_against_the_first_data_set()
    {
        static Dictionary<DataSetKey, RoundLoads> ScaleRound(double smallP50, double largeP50, double smallP99, double largeP99,
            double byHandSmallP50, double byHandLargeP50) =>
            new()
            {
                [Small] = new(Load(1000, smallP50, smallP99), Load(1000, byHandSmallP50), Load(1000)),
                [Large] = new(Load(1000, largeP50, largeP99), Load(1000, byHandLargeP50), Load(1000)),
            };

        // Round 2 ran on a machine twice as slow: taken across rounds (the median p50s 20 and 11) large would look
        // nearly twice as fast as small; within each round it is 1.05, 1.05 and 1.5 × small.
        var result = new AlternatingRoundsResult([Small, Large],
        [
            ScaleRound(smallP50: 10, largeP50: 10.5, smallP99: 40, largeP99: 60, byHandSmallP50: 8, byHandLargeP50: 8),
            ScaleRound(smallP50: 20, largeP50: 21, smallP99: 80, largeP99: 80, byHandSmallP50: 16, byHandLargeP50: 20),
            ScaleRound(smallP50: 30, largeP50: 45, smallP99: 100, largeP99: 110, byHandSmallP50: 8, byHandLargeP50: 10),
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(result.ComparesDepths, Is.False);
            Assert.That(result.P50Ratio(Large), Is.EqualTo(1.05).Within(1e-9));
            Assert.That(result.P50Ratio(Large, baseline: true), Is.EqualTo(1.25).Within(1e-9));
            // p99: 1.5, 1.0, 1.1.
            Assert.That(result.P99Ratio(Large), Is.EqualTo(1.1).Within(1e-9));
            Assert.That(result.P50Ratio(Small), Is.EqualTo(1).Within(1e-9));
            Assert.That(result.MedianP50(Large, baseline: false), Is.EqualTo(21));
            Assert.That(result.MedianP99(Small, baseline: false), Is.EqualTo(80));
        });
    }

    [Test]
    public void A_data_set_is_labelled_by_its_scale_and_by_its_depth_beyond_one()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new DataSetKey(Scale.Xl, 1).Label, Is.EqualTo("xl"));
            Assert.That(new DataSetKey(Scale.Small, 10).Label, Is.EqualTo("small depth 10"));
        });
    }
}
