using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ConsentApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace ConsentApi.Tests.Features.Observability;

/// <summary>
/// Without an OTLP endpoint no spans are recorded (nothing would receive them), yet every problem still carries the trace
/// id of its request, so that a report and the log lines of the request still meet.
/// </summary>
public sealed partial class TracingWithoutExporterTests : ApiTest
{
    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex TraceId();

    [Test]
    public async Task No_spans_are_recorded_and_a_problem_carries_its_requests_trace_id()
    {
        var tenant = await CreateTenantAsync(1);

        var response = await tenant.Full().PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds = new[] { Guid.NewGuid() }, mediaType = "photo", channel = "website" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), await response.Content.ReadAsStringAsync());
        var problem = await response.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That((string?)problem["traceId"], Does.Match(TraceId()), "a W3C trace id, not the connection's request id");
            Assert.That(Factory.Services.GetService<TracerProvider>(), Is.Null);
        });
    }
}

/// <summary>With an OTLP endpoint configured, spans are recorded for the exporter.</summary>
public sealed class TracingWithExporterTests : ApiTest
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        // Nothing listens there: the test asks only whether spans are recorded for an exporter.
        ["OpenTelemetry:Otlp:Endpoint"] = "http://127.0.0.1:9",
    };

    [Test]
    public async Task A_tracer_provider_records_spans_for_the_exporter()
    {
        Assert.That((await Client().GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Factory.Services.GetService<TracerProvider>(), Is.Not.Null);
    }
}
