using System.Text.Json.Nodes;
using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>
/// The targets are read against the faster of two baselines, and the fastest-SQL baseline is trusted only once its
/// answers equal the API's: a wrong pick or a comparison that lets a difference through would report a target met that is not.
/// </summary>
public sealed class TwoBaselinesTests
{
    private static LoadResult Load(double requestsPerSecond) => new(requestsPerSecond, 10, 50, (long)requestsPerSecond * 10, 0);

    [Test]
    public void The_faster_baseline_is_the_one_with_more_throughput_whichever_it_is()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Report.Faster(Load(1000), Load(1400))!.Value.Name, Is.EqualTo("fastest"));
            Assert.That(Report.Faster(Load(1500), Load(1400))!.Value.Name, Is.EqualTo("by hand"));
            Assert.That(Report.Faster(null, Load(300))!.Value.Load.RequestsPerSecond, Is.EqualTo(300), "recording decisions has only the by-hand write");
            Assert.That(Report.Faster(null, null), Is.Null);
        });
    }

    [Test]
    public void Equal_answers_have_no_difference()
    {
        var answer = JsonNode.Parse("""{"allowed":false,"results":[{"pupilId":"a","state":"granted"},{"pupilId":"b","state":"refused"}]}""");

        Assert.That(Answers.Difference(answer, answer!.DeepClone(), "$"), Is.Null);
    }

    [Test]
    public void A_different_state_of_one_pupil_is_found_with_its_path()
    {
        var api = JsonNode.Parse("""{"results":[{"pupilId":"a","state":"granted"},{"pupilId":"b","state":"refused"}]}""");
        var baseline = JsonNode.Parse("""{"results":[{"pupilId":"a","state":"granted"},{"pupilId":"b","state":"conflict"}]}""");

        Assert.That(Answers.Difference(api, baseline, "$"), Does.StartWith("$.results[1].state"));
    }

    [Test]
    public void A_missing_item_a_reordered_list_and_a_missing_field_are_differences()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Answers.Difference(JsonNode.Parse("[1,2]"), JsonNode.Parse("[1]"), "$"), Does.StartWith("$ (2 elements"));
            Assert.That(Answers.Difference(JsonNode.Parse("[1,2]"), JsonNode.Parse("[2,1]"), "$"), Does.StartWith("$[0]"));
            Assert.That(Answers.Difference(JsonNode.Parse("""{"a":1,"b":2}"""), JsonNode.Parse("""{"a":1}"""), "$"), Does.StartWith("$.b"));
        });
    }
}
