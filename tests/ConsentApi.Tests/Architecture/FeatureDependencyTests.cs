using System.Text.RegularExpressions;

namespace ConsentApi.Tests.Architecture;

/// <summary>
/// Feature folders depend on each other in one direction only: a cycle (consents needing takedowns needing consents)
/// means a rule or a consequence lives in the wrong place.
/// </summary>
public sealed partial class FeatureDependencyTests
{
    [GeneratedRegex(@"\bConsentApi\.Features\.(\w+)")]
    private static partial Regex FeatureReference();

    [Test]
    public void No_feature_folder_depends_on_itself_through_others()
    {
        var features = Path.Combine(Repository(), "src", "ConsentApi", "Features");
        var uses = Directory.GetDirectories(features).ToDictionary(folder => Path.GetFileName(folder), folder => Directory
            .GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => FeatureReference().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Where(used => used != Path.GetFileName(folder))
            .ToHashSet());

        var cycles = uses.Keys.Select(start => Cycle(start, uses)).OfType<string>().ToList();

        Assert.That(uses, Has.Count.GreaterThan(10), "the feature folders were found");
        Assert.That(cycles, Is.Empty);
    }

    /// <summary>A path from <paramref name="start"/> back to itself, or null.</summary>
    private static string? Cycle(string start, Dictionary<string, HashSet<string>> uses)
    {
        var paths = new Queue<List<string>>([[start]]);
        var seen = new HashSet<string>();
        while (paths.TryDequeue(out var path))
        {
            foreach (var next in uses.GetValueOrDefault(path[^1]) ?? [])
            {
                if (next == start)
                {
                    return string.Join(" -> ", [.. path, start]);
                }
                if (seen.Add(next))
                {
                    paths.Enqueue([.. path, next]);
                }
            }
        }
        return null;
    }

    private static string Repository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ConsentApi.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }
}
