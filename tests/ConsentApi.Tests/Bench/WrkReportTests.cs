using ConsentApi.Bench;

namespace ConsentApi.Tests.Bench;

/// <summary>The benchmark's figures come from wrk's report; a misread unit would make every ratio wrong.</summary>
public sealed class WrkReportTests
{
    private const string Report = """
        Running 20s test @ http://127.0.0.1:5180/
          2 threads and 32 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency    40.12ms   12.01ms 210.00ms   80.00%
            Req/Sec   400.10     50.00   500.00     70.00%
          Latency Distribution
             50%  870.00us
             75%   45.00ms
             90%   60.00ms
             99%    1.21s
          16000 requests in 20.01s, 12.00MB read
          Socket errors: connect 0, read 2, write 0, timeout 3
          Non-2xx or 3xx responses: 7
        Requests/sec:    799.60
        Transfer/sec:    614.00KB
        """;

    [Test]
    public void Reads_throughput_percentiles_in_milliseconds_and_every_kind_of_error()
    {
        var result = Wrk.Parse(Report);

        Assert.Multiple(() =>
        {
            Assert.That(result.RequestsPerSecond, Is.EqualTo(799.60));
            Assert.That(result.P50Ms, Is.EqualTo(0.87).Within(1e-9));
            Assert.That(result.P99Ms, Is.EqualTo(1210).Within(1e-9));
            Assert.That(result.Requests, Is.EqualTo(16000));
            Assert.That(result.Errors, Is.EqualTo(12), "7 non-2xx responses and 5 socket errors");
            Assert.That(result.ErrorsText, Is.EqualTo("12 errors (non-2xx 7, read 2, timeout 3)"));
        });
    }

    [Test]
    public void A_clean_run_has_no_errors()
    {
        var clean = string.Join('\n', Report.Split('\n').Where(l => !l.Contains("errors") && !l.Contains("Non-2xx")));

        Assert.Multiple(() =>
        {
            Assert.That(Wrk.Parse(clean).Errors, Is.Zero);
            Assert.That(Wrk.Parse(clean).ErrorsText, Is.EqualTo("0 errors"));
        });
    }
}
