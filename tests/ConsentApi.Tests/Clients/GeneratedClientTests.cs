using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using ConsentApi.Domain.Webhooks;
using ConsentApi.Features.Organisations;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentApi.Tests.Clients;

/// <summary>
/// The clients an integrator generates from the committed contract (clients/generate.sh: openapi-typescript with
/// openapi-fetch, and Kiota for C#) compile strictly and run their example scenarios against the API, served by Kestrel
/// on a loopback port over this fixture's PostgreSQL database, as any other caller would reach it. Each example also
/// receives the consent.changed webhook the API delivers to it on 127.0.0.1, and verifies and parses it.
/// </summary>
public sealed class GeneratedClientTests : ApiTest
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The examples' webhook receivers listen on 127.0.0.1 over http; the dispatcher runs, and promptly.</summary>
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
        ["Webhooks:PollInterval"] = "00:00:00.200",
    };

    private Uri _baseUrl = null!;
    private ToolRun _generation = null!;

    [OneTimeSetUp]
    public async Task ServeAndGenerateAsync()
    {
        Factory.UseKestrel(0);
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel reports no addresses.");
        _baseUrl = new Uri(addresses.Addresses.Single());
        _generation = await RunAsync("bash", "clients/generate.sh");
    }

    [Test]
    public void Generation_produces_no_duplicate_numbered_or_made_up_type_names()
    {
        AssertGenerated();
        // One line naming every finding, so that ./test.sh's summary (which shows "But was:" lines) lists them all.
        var findings = string.Join(", ", _generation.Output.Split('\n')
            .Where(line => line.StartsWith("  C#: ", StringComparison.Ordinal) || line.StartsWith("  TypeScript: ", StringComparison.Ordinal))
            .Select(line => line.Trim().Split(" (")[0]));
        Assert.Multiple(() =>
        {
            Assert.That(findings, Is.Empty, _generation.Report());
            Assert.That(_generation.ExitCode, Is.Zero, _generation.Report());
        });
    }

    [Test]
    public async Task The_TypeScript_client_compiles_strictly_and_runs_the_scenario_against_the_live_API()
    {
        AssertGenerated();
        var compile = await RunAsync("npx", "--no-install", "tsc", "-p", "clients/typescript");
        Assert.That(compile.ExitCode, Is.Zero, compile.Report());

        await AssertScenarioRunsAsync("TypeScript", "npx", "--no-install", "tsx", "clients/typescript/example.ts", _baseUrl.ToString());
    }

    [Test]
    public async Task The_CSharp_client_compiles_with_warnings_as_errors_and_runs_the_scenario_against_the_live_API()
    {
        AssertGenerated();
        var compile = await RunAsync("dotnet", "build", "clients/csharp/Example/Example.csproj", "-c", "Release",
            "--nologo", "-v", "quiet", "--disable-build-servers");
        Assert.That(compile.ExitCode, Is.Zero, compile.Report());

        await AssertScenarioRunsAsync("C#", "dotnet", "clients/csharp/Example/bin/Release/net10.0/Example.dll", _baseUrl.ToString());
    }

    /// <summary>Generation either succeeded or failed only its type-name check (exit 2): either way the code is there.</summary>
    private void AssertGenerated() =>
        Assert.That(_generation.ExitCode, Is.EqualTo(0).Or.EqualTo(2), "clients/generate.sh could not generate:\n" + _generation.Report());

    /// <summary>
    /// Runs an example for a new school board, made through the API by the platform operator, with its admin key and a
    /// webhook receiver; then checks what the API recorded for that board. Runs it once more with a key the API refuses:
    /// the example must report that and exit 1, or a failing scenario could pass.
    /// </summary>
    private async Task AssertScenarioRunsAsync(string client, string file, params string[] arguments)
    {
        using var platform = new HttpClient { BaseAddress = _baseUrl };
        platform.DefaultRequestHeaders.Add("X-Api-Key", ConsentApiFactory.BootstrapKey);
        var board = await (await platform.PostAsJsonAsync("/v1/organisations", new { name = Unique("Stichting") }))
            .ReadAsync<CreatedOrganisationResponse>();

        var example = await RunAsync(new() { ["CONSENT_API_KEY"] = board.AdminClient.ApiKey }, file, [.. arguments, "--receive-webhooks"]);

        Assert.That(example.ExitCode, Is.Zero, example.Report());
        Assert.That(example.Output, Does.Contain($"{client} client example: every step passed."), example.Report());
        var organisationId = board.Organisation.Id;
        var decisions = await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.OrganisationId == organisationId));
        // The dispatcher records a delivery once the receiver has answered: possibly after the example has read it and ended.
        var delivered = 0;
        for (var wait = 0; wait < 100 && delivered == 0; wait++)
        {
            await Task.Delay(wait == 0 ? 0 : 100);
            delivered = await Factory.QueryAsync(db => db.WebhookDeliveries.CountAsync(d => d.Status == DeliveryStatus.Delivered
                && db.WebhookSubscriptions.Any(w => w.Id == d.SubscriptionId && w.OrganisationId == organisationId)));
        }
        Assert.Multiple(() =>
        {
            Assert.That(decisions, Is.EqualTo(2), "decisions the example recorded");
            Assert.That(delivered, Is.EqualTo(1), "consent.changed deliveries the example's receiver acknowledged");
        });

        var refused = await RunAsync(new() { ["CONSENT_API_KEY"] = "cak_000000000000_not-a-key" }, file, arguments);
        Assert.Multiple(() =>
        {
            Assert.That(refused.ExitCode, Is.EqualTo(1), refused.Report());
            Assert.That(refused.Output, Does.Contain("FAILED").And.Contain("401"), refused.Report());
        });
    }

    private sealed record ToolRun(string Command, int ExitCode, string Output, TimeSpan Took)
    {
        public string Report() => $"`{Command}` exited {ExitCode} after {Took.TotalSeconds:0.0} s:\n{Output}";
    }

    /// <summary>Runs a tool in the repository root and collects what it printed, stdout and stderr in order.</summary>
    private static Task<ToolRun> RunAsync(string file, params string[] arguments) => RunAsync([], file, arguments);

    private static async Task<ToolRun> RunAsync(Dictionary<string, string> environment, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // The test host runs under `dotnet test`, whose MSBuild settings would steer a nested `dotnet build`.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var command = string.Join(' ', [file, .. arguments]);
        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new ToolRun(command, -1, $"{output}\n(killed: no exit within {StepTimeout.TotalMinutes} minutes)", watch.Elapsed);
        }
        TestContext.Progress.WriteLine($"{command}: exit {process.ExitCode} after {watch.Elapsed.TotalSeconds:0.0} s");
        lock (output)
        {
            return new ToolRun(command, process.ExitCode, output.ToString(), watch.Elapsed);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "clients", "generate.sh")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (with clients/generate.sh) was not found above " + AppContext.BaseDirectory);
    }
}
