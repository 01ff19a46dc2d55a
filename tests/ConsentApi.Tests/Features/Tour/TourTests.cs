using System.Diagnostics;
using System.Text.RegularExpressions;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Tour;

/// <summary>
/// The README's tour is <c>docs/tour.sh</c>: run here against a live API over a database seeded as <c>./run.sh</c>
/// seeds it, and held to the README, which quotes its commands.
/// </summary>
public sealed partial class TourTests
{
    private static string Root => ApiProcess.RepositoryRoot();

    [Test]
    public async Task The_tour_runs_from_start_to_end_against_the_seeded_demo()
    {
        var connection = await TestDatabase.CreateAsync();
        var seeded = await ApiProcess.RunModeAsync("seed-demo", TestDatabase.OwnerConnectionStringOf(connection));
        var demoKey = DemoKey().Match(seeded) is { Success: true } match
            ? match.Groups[1].Value
            : throw new AssertionException("seed-demo printed no demo key:\n" + seeded);
        await using var api = ApiProcess.Start(connection);
        await api.WaitUntilLiveAsync();
        var directory = Directory.CreateTempSubdirectory("tour-");
        try
        {
            var start = new ProcessStartInfo("bash")
            {
                ArgumentList = { Path.Combine(Root, "docs", "tour.sh") },
                WorkingDirectory = directory.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["API"] = api.BaseAddress.ToString().TrimEnd('/');
            start.Environment["OPERATOR"] = ConsentApiFactory.BootstrapKey;
            start.Environment["DEMO"] = demoKey;
            using var tour = Process.Start(start)!;
            var output = tour.StandardOutput.ReadToEndAsync();
            var error = tour.StandardError.ReadToEndAsync();
            await tour.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

            await TestContext.Out.WriteLineAsync(await output);
            Assert.That(tour.ExitCode, Is.EqualTo(0), $"{await output}\n{await error}\napi:\n{api.Log}");
            Assert.That(await output, Does.EndWith("tour: done\n"));
            Assert.That(File.ReadAllText(Path.Combine(directory.FullName, "klas.html")), Does.Contain("<table"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void Every_command_the_readme_tour_shows_is_a_line_of_the_script_in_the_same_order()
    {
        var script = File.ReadAllLines(Path.Combine(Root, "docs", "tour.sh"));
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var tour = readme[readme.IndexOf("## A five-minute tour", StringComparison.Ordinal)..];
        tour = tour[..tour.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var quoted = BashBlocks().Matches(tour).SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Where(line => line.Trim().Length > 0).ToList();

        Assert.That(quoted, Has.Count.GreaterThan(20), "the README's tour shows the commands");
        var at = 0;
        foreach (var line in quoted)
        {
            var found = Array.FindIndex(script, at, l => l == line);
            Assert.That(found, Is.GreaterThanOrEqualTo(0), $"README line not in docs/tour.sh (after line {at}): {line}");
            at = found + 1;
        }
    }

    [GeneratedRegex(@"Demo API key[^\n]*\n\s*(cak_\S+)")]
    private static partial Regex DemoKey();

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlocks();
}
