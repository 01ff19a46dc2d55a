using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>Servers measured in turns: every server goes first once, and a stall costs one turn, not the figure.</summary>
public sealed class TurnsTests
{
    [Test]
    public void The_order_rotates_so_that_every_server_takes_every_place_once_in_as_many_turns()
    {
        var orders = Enumerable.Range(0, 3).Select(turn => Turns.Order(3, turn).ToList()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(orders[0], Is.EqualTo(new[] { 0, 1, 2 }));
            Assert.That(orders[1], Is.EqualTo(new[] { 1, 2, 0 }));
            Assert.That(orders[2], Is.EqualTo(new[] { 2, 0, 1 }));
            Assert.That(Turns.Order(2, 1), Is.EqualTo(new[] { 1, 0 }));
            Assert.That(Turns.Order(2, 2), Is.EqualTo(new[] { 0, 1 }));
        });
    }

    [Test]
    public void A_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Turns.Median([3, 1, 2]), Is.EqualTo(2));
            Assert.That(Turns.Median([4, 1, 3, 2]), Is.EqualTo(2.5));
            Assert.That(Turns.Median([7]), Is.EqualTo(7));
            Assert.That(() => Turns.Median([]), Throws.ArgumentException);
        });
    }

    [Test]
    public void A_servers_turns_give_median_throughput_and_percentiles_and_every_request_and_error()
    {
        // The second turn caught a stall of the machine: a fraction of the throughput and a p99 of most of a second.
        LoadResult[] turns =
        [
            new(2400, 12, 110, 24_000, 0),
            new(900, 14, 850, 9_000, 2),
            new(2300, 13, 120, 23_000, 1),
        ];

        var result = Turns.MedianOf(turns);

        Assert.Multiple(() =>
        {
            Assert.That(result.RequestsPerSecond, Is.EqualTo(2300));
            Assert.That(result.P50Ms, Is.EqualTo(13));
            Assert.That(result.P99Ms, Is.EqualTo(120));
            Assert.That(result.Requests, Is.EqualTo(56_000));
            Assert.That(result.Errors, Is.EqualTo(3));
        });
    }
}
