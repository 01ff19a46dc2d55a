using System.Diagnostics;
using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>The roster sync's peak is its own: the process's peak memory is reset as it begins.</summary>
public sealed class ProcessMemoryTests
{
    [Test]
    public async Task Resetting_the_peak_forgets_memory_the_process_held_before_and_has_given_back()
    {
        // A shell that holds a 64 MB string for a moment, gives it back, says so, and waits (the exit keeps the shell
        // from becoming the sleep, whose memory would start afresh).
        using var shell = Process.Start(new ProcessStartInfo("bash",
            ["-c", "x=$(head -c 64000000 /dev/zero | tr '\\0' a); unset x; echo freed; sleep 30; exit 0"])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.That(await shell.StandardOutput.ReadLineAsync(), Is.EqualTo("freed"));
            var peakBefore = ProcessMemory.StatusKiB(shell.Id, "VmHWM");
            var now = ProcessMemory.StatusKiB(shell.Id, "VmRSS");
            Assert.That(peakBefore, Is.GreaterThan(now + 50_000), "the shell held the string, then gave its memory back");

            Assert.That(ProcessMemory.ResetPeak(shell.Id), Is.True);

            var peakAfter = ProcessMemory.StatusKiB(shell.Id, "VmHWM");
            Assert.That(peakAfter, Is.LessThan(now + 10_000));
        }
        finally
        {
            shell.Kill();
            await shell.WaitForExitAsync();
        }
    }
}
