using System.Diagnostics;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>
/// Headless Chromium, as people print the product's pages. Found as scripts/render-class-sheet.sh finds it: $CHROMIUM,
/// else chromium, chromium-browser or google-chrome on the PATH. Missing is a failure, not a skip: ./test.sh installs it,
/// so a fresh machine must not pass these tests by leaving them out.
/// </summary>
public static class HeadlessChromium
{
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } configured)
        {
            return configured;
        }
        var found = new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator,
                StringSplitOptions.RemoveEmptyEntries).Select(directory => Path.Combine(directory, name)))
            .FirstOrDefault(File.Exists);
        Assert.That(found, Is.Not.Null,
            "Headless Chromium is not installed (./test.sh installs it; or apt-get install chromium, or set CHROMIUM).");
        return found!;
    }

    /// <summary>
    /// Renders a local HTML file to <paramref name="output"/>: a PDF as the print dialog makes it (the page's own
    /// <c>@page</c> size, no browser header or footer) when it ends in .pdf, else a screenshot of the window.
    /// </summary>
    public static async Task RenderAsync(string htmlFile, string output, string userDataDirectory, string windowSize = "1123,794")
    {
        var start = new ProcessStartInfo(Locate())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(htmlFile)!,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={userDataDirectory}",
                     $"--window-size={windowSize}",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        if (output.EndsWith(".pdf", StringComparison.Ordinal))
        {
            start.ArgumentList.Add("--no-pdf-header-footer");
            start.ArgumentList.Add($"--print-to-pdf={output}");
        }
        else
        {
            start.ArgumentList.Add($"--screenshot={output}");
        }
        start.ArgumentList.Add(new Uri(htmlFile).AbsoluteUri);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"Chromium did not finish rendering {output} within 90 seconds.");
        }
        Assert.That(process.ExitCode, Is.Zero, $"{await stdout}\n{await stderr}");
    }
}
