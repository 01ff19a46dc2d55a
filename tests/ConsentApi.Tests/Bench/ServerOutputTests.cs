using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>After a load with errors the bench logs what the server wrote meanwhile, from the last lines it keeps.</summary>
public sealed class ServerOutputTests
{
    [Test]
    public void Gives_the_lines_written_after_a_mark_and_keeps_only_the_latest()
    {
        var output = new ServerOutput(capacity: 3);
        output.Add("warn: before");
        var mark = output.Mark;
        output.Add("fail: one");
        output.Add(null);
        output.Add("fail: two");

        Assert.Multiple(() =>
        {
            Assert.That(mark, Is.EqualTo(1));
            Assert.That(output.Since(mark), Is.EqualTo(new[] { "fail: one", "fail: two" }));
            Assert.That(output.Since(output.Mark), Is.Empty);
        });

        output.Add("fail: three");
        output.Add("fail: four");

        Assert.That(output.Since(mark), Is.EqualTo(new[] { "fail: two", "fail: three", "fail: four" }),
            "four lines since the mark, three kept: the latest three");
    }

    [Test]
    public void Reports_at_most_so_many_lines_and_says_so_when_the_server_wrote_nothing()
    {
        var output = new ServerOutput();
        var mark = output.Mark;

        Assert.That(output.Report("by hand", mark).Single(), Does.StartWith("by hand wrote nothing"));

        for (var i = 1; i <= 5; i++)
        {
            output.Add($"line {i}");
        }

        Assert.That(output.Report("by hand", mark, most: 2),
            Is.EqualTo(new[] { "by hand wrote: line 1", "by hand wrote: line 2", "by hand wrote 3 more lines" }));
    }
}
