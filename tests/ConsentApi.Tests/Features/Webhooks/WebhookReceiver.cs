using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConsentApi.Tests.Features.Webhooks;

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 that records what it receives, the moment it arrives, and answers with the
/// statuses it is told, after <see cref="Delay"/> (a slow receiver).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();

    /// <summary>One request, recorded when it arrived (before any delay): a request cut off mid-answer is still here.</summary>
    public sealed record Received(string Id, string Timestamp, string Signature, string Body, int AnsweredWith, DateTimeOffset ArrivedAt);

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string Url { get; private set; } = "";

    /// <summary>How long the receiver takes before it answers.</summary>
    public TimeSpan Delay { get; set; }

    private WebhookReceiver(WebApplication app) => _app = app;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var status = receiver._answers.TryDequeue(out var next) ? next : 200;
            receiver.Requests.Enqueue(new Received(request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
                request.Headers["webhook-signature"].ToString(), body, status, DateTimeOffset.UtcNow));
            if (receiver.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(receiver.Delay, request.HttpContext.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The sender went away mid-request (timed out, or was killed).
                }
            }
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address + "/hook";
        return receiver;
    }

    /// <summary>The statuses to answer the next requests with, in order; 200 after that.</summary>
    public void AnswerWith(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _answers.Enqueue(status);
        }
    }

    /// <summary>The ids in the order they first arrived, and how many arrived again.</summary>
    public (List<string> FirstArrivals, int Duplicates) Arrivals()
    {
        var ids = Requests.Select(r => r.Id).ToList();
        var first = ids.Distinct().ToList();
        return (first, ids.Count - first.Count);
    }

    /// <summary>Waits (generously) until <paramref name="done"/> holds; fails the test when it never does.</summary>
    public static async Task WaitUntilAsync(Func<bool> done, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited {within.TotalSeconds:0} s for {what}.");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
