using System.Collections.Concurrent;
using System.Net;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace ConsentApi.Tests.Features.Access;

/// <summary>A caller repeating a bad key costs no log line per request: the 401 says it, the log does not fill up.</summary>
public sealed class AuthenticationLogTests : ApiTest
{
    private sealed class Capture : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");

        public void Dispose()
        {
        }
    }

    [Test]
    public async Task Requests_with_an_unknown_or_malformed_key_write_no_log_line_each()
    {
        var capture = new Capture();
        await using var factory = Factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(capture)));
        var unknown = factory.CreateClient();
        unknown.DefaultRequestHeaders.Add("X-Api-Key", "cak_0123456789ab_" + new string('x', 43));
        var malformed = factory.CreateClient();
        malformed.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key");
        Assert.That((await unknown.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = capture.Lines.Count;

        for (var i = 0; i < 20; i++)
        {
            Assert.That((await unknown.GetAsync("/v1/schools")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await malformed.GetAsync("/v1/schools")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        var lines = capture.Lines.Skip(before).ToList();
        Assert.That(lines.Count, Is.LessThan(40), string.Join("\n", lines.Take(5)));
    }
}
