using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>
/// Reads a PDF the way a person's reader would, with poppler's <c>pdfinfo</c> and <c>pdftotext</c> (./test.sh installs
/// poppler-utils): a PDF the product writes is checked by a program that did not write it.
/// </summary>
public static partial class PdfReader
{
    /// <summary>The number of pages; fails the test when the reader finds the file broken.</summary>
    public static async Task<int> PageCountAsync(byte[] pdf)
    {
        var info = await RunAsync("pdfinfo", pdf);
        var pages = PagesLine().Match(info);
        Assert.That(pages.Success, Is.True, $"pdfinfo read no page count:\n{info}");
        return int.Parse(pages.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The text of each page, in reading order.</summary>
    public static async Task<IReadOnlyList<string>> PagesAsync(byte[] pdf)
    {
        var text = await RunAsync("pdftotext", pdf, "-");
        return text.Split('\f').SkipLast(1).ToList();
    }

    private static async Task<string> RunAsync(string tool, byte[] pdf, params string[] after)
    {
        var file = Path.Combine(Path.GetTempPath(), $"consent-print-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, pdf);
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-enc");
            start.ArgumentList.Add("UTF-8");
            start.ArgumentList.Add(file);
            foreach (var argument in after)
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)
                ?? throw new InvalidOperationException($"{tool} did not start (./test.sh installs poppler-utils).");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.That(process.ExitCode, Is.Zero, $"{tool} could not read the PDF: {await errors}");
            Assert.That(await errors, Is.Empty, $"{tool} complained about the PDF");
            return await output;
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"^Pages:\s+(\d+)$", RegexOptions.Multiline)]
    private static partial Regex PagesLine();
}
