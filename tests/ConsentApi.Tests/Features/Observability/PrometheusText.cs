using System.Globalization;
using System.Text.RegularExpressions;

namespace ConsentApi.Tests.Features.Observability;

/// <summary>The samples of a Prometheus text exposition, read back: name, labels and value per line.</summary>
public sealed partial class PrometheusText(string text)
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public string Text { get; } = text;

    public IReadOnlyList<Sample> Samples { get; } = [.. text.Split('\n')
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line => SampleLine().Match(line))
        .Where(match => match.Success)
        .Select(match => new Sample(match.Groups["name"].Value,
            LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value),
            double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)))];

    /// <summary>The sum of <paramref name="name"/>'s samples whose labels include all of <paramref name="labels"/> ("key=value").</summary>
    public double Sum(string name, params string[] labels) =>
        Samples.Where(s => s.Name == name && labels.Select(l => l.Split('=', 2)).All(l => s.Labels.GetValueOrDefault(l[0]) == l[1]))
            .Sum(s => s.Value);

    public bool Has(string name) => Samples.Any(s => s.Name == name);

    public IEnumerable<string> Names => Samples.Select(s => s.Name).Distinct();

    /// <summary>The values one label takes on a metric's samples.</summary>
    public IEnumerable<string> LabelValues(string name, string label) =>
        Samples.Where(s => s.Name == name && s.Labels.ContainsKey(label)).Select(s => s.Labels[label]).Distinct().Order();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
