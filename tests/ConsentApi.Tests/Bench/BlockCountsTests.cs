using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>
/// The report says how many database blocks the check loads read into shared buffers and how many they found there, so
/// that a run shows whether the checks waited on reads (memory sized too small for the data) or only on CPU.
/// </summary>
public sealed class BlockCountsTests
{
    [Test]
    public void The_blocks_of_a_load_are_the_counters_after_it_less_those_before()
    {
        Assert.That(new BlockCounts(194_660, 49_381_280) - new BlockCounts(194_660, 5_541_147), Is.EqualTo(new BlockCounts(0, 43_840_133)));
    }

    [Test]
    public async Task The_report_shows_the_check_loads_blocks_read_and_found()
    {
        var load = new LoadResult(1000, 20, 100, 20_000, 0);
        var result = new ScaleResult(Scale.Xl, 1, new Dictionary<string, long> { ["pupils"] = 1_000_000 },
            [(ScaleRun.CheckScenario, load, load)], 200, 4, 1, 300,
            new Dictionary<string, LoadResult> { [ScaleRun.CheckScenario] = load }, CheckBlocks: new BlockCounts(12, 43_840_133));
        var report = new Report(new BenchSettings("Host=127.0.0.1", "api.dll", "baseline.dll", Path.GetTempPath(), BenchDurations.Full), "xl");
        report.Add(result);

        var markdown = await report.RenderAsync();

        Assert.That(markdown, Does.Contain("| database blocks during the three check loads: read into shared buffers / found there | 12 / 43,840,133 |"));
    }
}
