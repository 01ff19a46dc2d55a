using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

// The high-availability drill's load and judge (ops/ha-drill.sh starts the cluster and calls this). Under a steady
// mixed load through the load balancer it withdraws a consent, kills the primary database at once, later kills an API
// instance, and then reports what a school would care about: acknowledged writes lost, requests failed and for how long,
// time until writes succeed again, webhook events missing or delivered twice, and whether the withdrawal acknowledged
// just before the kill holds on the next check.
var options = DrillOptions.Parse(args);
using var drill = new Drill(options);
return await drill.RunAsync();

internal sealed record DrillOptions(
    Uri Api, string Key, string Database, int ReceiverPort, int Seconds, int Workers,
    IReadOnlyList<(int At, string Name, string Command)> Faults, string Report, string Requests)
{
    public static DrillOptions Parse(string[] args)
    {
        var values = new Dictionary<string, List<string>>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            (values.TryGetValue(args[i], out var list) ? list : values[args[i]] = []).Add(args[i + 1]);
        }
        string One(string name, string? fallback = null) =>
            values.TryGetValue(name, out var v) ? v[^1] : fallback ?? throw new ArgumentException($"{name} is required");
        // --fault "30|kill the primary's postmaster|kill -9 …"
        var faults = values.GetValueOrDefault("--fault", []).Select(f => f.Split('|', 3))
            .Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), p[1], p[2])).OrderBy(f => f.Item1).ToList();
        return new DrillOptions(new Uri(One("--api")), One("--key"), One("--db"), int.Parse(One("--receiver-port", "28090"), CultureInfo.InvariantCulture),
            int.Parse(One("--seconds", "120"), CultureInfo.InvariantCulture), int.Parse(One("--workers", "6"), CultureInfo.InvariantCulture),
            faults, One("--report", "ha-drill-report.md"), One("--requests", "ha-drill-requests.csv"));
    }
}

internal sealed record Outcome(string Operation, double Start, double End, bool Ok, string Detail);

internal sealed record Writer(Guid PupilId, Guid GuardianId, Guid FormVersionId);

internal sealed class Drill(DrillOptions options) : IDisposable
{
    private static readonly string[] Events = ["consent.changed", "publication.registered", "takedown.opened"];

    public void Dispose() => _http.Dispose();

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        BaseAddress = options.Api,
        Timeout = TimeSpan.FromSeconds(5),
        DefaultRequestHeaders = { { "X-Api-Key", options.Key } },
    };
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentBag<Outcome> _outcomes = [];
    private readonly ConcurrentBag<Guid> _acknowledgedDecisions = [];
    private readonly ConcurrentBag<string> _received = [];
    private readonly List<string> _log = [];

    private double Now => _clock.Elapsed.TotalSeconds;

    private void Say(string line)
    {
        var stamped = $"[{Now,6:0.0}s] {line}";
        Console.WriteLine(stamped);
        lock (_log)
        {
            _log.Add(stamped);
        }
    }

    public async Task<int> RunAsync()
    {
        using var receiver = StartReceiver();
        var (schoolId, pupils, writers, subscriptionId) = await ArrangeAsync();
        Say($"{pupils.Count} pupils, {writers.Count} guardians who decide, webhook subscription {subscriptionId}");

        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, options.Workers).Select(w => LoadAsync(w, schoolId, pupils, writers, stop.Token)).ToList();
        var faults = new List<(string Name, double At)>();
        var probes = new List<WithdrawalProbe>();
        var nextChecks = new List<Task<(WithdrawalProbe Probe, bool Holds)>>();
        foreach (var fault in options.Faults)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, fault.At - Now)));
            probes.Add(await WithdrawAsync(writers[probes.Count], fault.Name));
            Say($"FAULT: {fault.Name}");
            // The fault's moment is when its command starts (it finds its target in well under a second, then kills):
            // every failure it causes falls after that moment, and none of the previous fault's window after it.
            faults.Add((fault.Name, Now));
            await Shell(fault.Command);
            nextChecks.Add(NextCheckAsync(probes[^1]));
        }
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, options.Seconds - Now)));
        await stop.CancelAsync();
        await Task.WhenAll(load);
        Say("load stopped; checking the withdrawal, the decisions and the webhook deliveries");

        var withdrawals = (await Task.WhenAll(nextChecks)).ToList();
        var (lost, acknowledged) = await LostDecisionsAsync();
        var (expected, missing, duplicates, receivedTotal) = await WebhookGapsAsync(subscriptionId);
        var report = Report(faults, acknowledged, lost, expected, missing, duplicates, receivedTotal, withdrawals);
        await File.WriteAllTextAsync(options.Report, report);
        await File.WriteAllLinesAsync(options.Requests,
            _outcomes.OrderBy(o => o.Start).Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Start:0.000},{o.End:0.000},{o.Operation},{o.Ok},{o.Detail}")).Prepend("start,end,operation,ok,answer"));
        Console.WriteLine(report);
        return lost == 0 && missing == 0 && withdrawals.All(w => w.Holds) ? 0 : 1;
    }

    private async Task<(Guid School, List<Guid> Pupils, List<Writer> Writers, Guid Subscription)> ArrangeAsync()
    {
        var schools = await _http.GetFromJsonAsync<JsonObject>("/v1/schools") ?? throw new InvalidOperationException("no schools");
        var schoolId = schools["items"]![0]!["id"]!.GetValue<Guid>();
        var page = await _http.GetFromJsonAsync<JsonObject>($"/v1/schools/{schoolId}/pupils?status=active&limit=100");
        var pupils = page!["items"]!.AsArray().Select(p => p!["id"]!.GetValue<Guid>()).ToList();
        var writers = new List<Writer>();
        foreach (var pupil in pupils)
        {
            var matrix = await _http.GetFromJsonAsync<JsonObject>($"/v1/pupils/{pupil}/consents");
            var granted = matrix!["items"]!.AsArray().FirstOrDefault(i =>
                (string?)i!["mediaType"] == "photo" && (string?)i["channel"] == "social-media" && (string?)i["state"] == "granted");
            if (granted?["decisions"]?.AsArray().FirstOrDefault(d => d!["guardianId"] is not null) is { } decision)
            {
                writers.Add(new Writer(pupil, decision["guardianId"]!.GetValue<Guid>(), decision["formVersionId"]!.GetValue<Guid>()));
            }
        }
        var created = await _http.PostAsJsonAsync("/v1/webhooks", new
        {
            url = $"http://127.0.0.1:{options.ReceiverPort}/events",
            eventTypes = Events,
            schoolId,
        });
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The webhook subscription was refused: {await created.Content.ReadAsStringAsync()}");
        }
        var subscription = (await created.Content.ReadFromJsonAsync<JsonObject>())!["webhook"]!["id"]!.GetValue<Guid>();
        return (schoolId, pupils, writers, subscription);
    }

    /// <summary>Checks, decisions and publications in a steady mix, each request once (no retries): a failure counts.</summary>
    private async Task LoadAsync(int worker, Guid schoolId, List<Guid> pupils, List<Writer> writers, CancellationToken stop)
    {
        var random = new Random(worker);
        var next = Now;
        while (!stop.IsCancellationRequested)
        {
            // A steady rate, as schools' systems send it: a worker starts a request every 50 ms, or as soon as the last
            // one ended when it took longer, and never hammers a failing service in a tight loop.
            next += 0.05;
            if (next > Now)
            {
                await Task.Delay(TimeSpan.FromSeconds(next - Now), CancellationToken.None);
            }
            else
            {
                next = Now;
            }
            var roll = random.Next(100);
            var start = Now;
            string operation;
            HttpResponseMessage? response = null;
            string detail = "";
            try
            {
                if (roll < 60)
                {
                    operation = "check";
                    response = await _http.PostAsJsonAsync("/v1/publication-checks", new
                    {
                        pupilIds = pupils.OrderBy(_ => random.Next()).Take(30),
                        mediaType = "photo",
                        channel = "website",
                    }, CancellationToken.None);
                }
                else if (roll < 90)
                {
                    operation = "decision";
                    // The first writers are the withdrawal probes', one per fault.
                    var writer = writers[options.Faults.Count + random.Next(writers.Count - options.Faults.Count)];
                    response = await _http.PostAsJsonAsync($"/v1/pupils/{writer.PupilId}/decisions", new
                    {
                        formVersionId = writer.FormVersionId,
                        decidedBy = "guardian",
                        guardianId = writer.GuardianId,
                        method = "parent-app",
                        items = new[] { new { mediaType = "film", channel = "website", outcome = random.Next(2) == 0 ? "granted" : "refused" } },
                    }, CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        var body = await response.Content.ReadFromJsonAsync<JsonObject>(CancellationToken.None);
                        foreach (var decision in body!["decisions"]!.AsArray())
                        {
                            _acknowledgedDecisions.Add(decision!["id"]!.GetValue<Guid>());
                        }
                    }
                }
                else
                {
                    operation = "publication";
                    response = await _http.PostAsJsonAsync("/v1/publications", new
                    {
                        schoolId,
                        channel = "parent-app",
                        mediaType = "photo",
                        title = "Schoolreis",
                        location = "Ouderapp, album schoolreis",
                        pupilIds = pupils.OrderBy(_ => random.Next()).Take(3),
                        publishedWithoutCheck = true,
                    }, CancellationToken.None);
                }
                detail = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                operation = roll < 60 ? "check" : roll < 90 ? "decision" : "publication";
                detail = e.GetType().Name;
            }
            // A publication refused with 409 is an answer (consent was missing), not a failure of the service.
            var ok = response is { IsSuccessStatusCode: true } || response?.StatusCode == HttpStatusCode.Conflict;
            _outcomes.Add(new Outcome(operation, start, Now, ok, detail));
            response?.Dispose();
        }
    }

    private sealed record WithdrawalProbe(Writer Writer, string Fault);

    /// <summary>A withdrawal acknowledged immediately before a fault.</summary>
    private async Task<WithdrawalProbe> WithdrawAsync(Writer writer, string fault)
    {
        using var response = await _http.PostAsJsonAsync($"/v1/pupils/{writer.PupilId}/decisions", new
        {
            formVersionId = writer.FormVersionId,
            decidedBy = "guardian",
            guardianId = writer.GuardianId,
            method = "parent-app",
            items = new[] { new { mediaType = "photo", channel = "social-media", outcome = "refused" } },
        });
        Say($"withdrawal for pupil {writer.PupilId}: {(int)response.StatusCode}");
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        _acknowledgedDecisions.Add(body!["decisions"]![0]!["id"]!.GetValue<Guid>());
        return new WithdrawalProbe(writer, fault);
    }

    /// <summary>The first check of the withdrawn item that gets an answer after the fault: it must say no.</summary>
    private async Task<(WithdrawalProbe Probe, bool Holds)> NextCheckAsync(WithdrawalProbe probe)
    {
        for (var deadline = Now + 90; Now < deadline; await Task.Delay(200))
        {
            try
            {
                using var response = await _http.PostAsJsonAsync("/v1/publication-checks", new
                {
                    pupilIds = new[] { probe.Writer.PupilId },
                    mediaType = "photo",
                    channel = "social-media",
                });
                if (response.IsSuccessStatusCode)
                {
                    var allowed = (await response.Content.ReadFromJsonAsync<JsonObject>())!["allowed"]!.GetValue<bool>();
                    Say($"first answered check after '{probe.Fault}': allowed = {allowed}");
                    return (probe, !allowed);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
        }
        return (probe, false);
    }

    private async Task<(int Lost, int Acknowledged)> LostDecisionsAsync()
    {
        var ids = _acknowledgedDecisions.Distinct().ToArray();
        await using var connection = new NpgsqlConnection(options.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM decisions WHERE id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids);
        var found = Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        return (ids.Length - found, ids.Length);
    }

    /// <summary>Waits up to a minute for the dispatcher to deliver what is owed, then compares with what arrived.</summary>
    private async Task<(int Expected, int Missing, int Duplicates, int Received)> WebhookGapsAsync(Guid subscription)
    {
        HashSet<string> expected = [];
        for (var waited = 0; waited < 60; waited++)
        {
            await using var connection = new NpgsqlConnection(options.Database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT event_id::text FROM webhook_deliveries WHERE subscription_id = @s", connection);
            command.Parameters.AddWithValue("s", subscription);
            expected = [];
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    expected.Add(reader.GetString(0));
                }
            }
            if (expected.IsSubsetOf(_received))
            {
                break;
            }
            await Task.Delay(1000);
        }
        var received = _received.ToList();
        var unique = received.ToHashSet();
        return (expected.Count, expected.Count(e => !unique.Contains(e)), received.Count - unique.Count, received.Count);
    }

    private HttpListener StartReceiver()
    {
        var listener = new HttpListener { Prefixes = { $"http://127.0.0.1:{options.ReceiverPort}/" } };
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (!listener.IsListening)
                {
                    return;
                }
                if (context.Request.Headers["webhook-id"] is { } id)
                {
                    _received.Add(id);
                }
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        });
        return listener;
    }

    private async Task Shell(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Say($"  `{command}` → exit {process.ExitCode} {output.Trim()}");
    }

    private string Report(List<(string Name, double At)> faults, int acknowledged, int lost, int expected, int missing, int duplicates,
        int receivedTotal, List<(WithdrawalProbe Probe, bool Holds)> withdrawals)
    {
        var outcomes = _outcomes.OrderBy(o => o.Start).ToList();
        var lines = new List<string>
        {
            "| measure | result |",
            "|---|--:|",
            $"| requests (checks / decisions / publications) | {outcomes.Count} ({outcomes.Count(o => o.Operation == "check")} / {outcomes.Count(o => o.Operation == "decision")} / {outcomes.Count(o => o.Operation == "publication")}) |",
            $"| requests failed, whole run | {outcomes.Count(o => !o.Ok)} |",
            $"| acknowledged decisions | {acknowledged} |",
            $"| **acknowledged decisions lost** | **{lost}** |",
        };
        for (var i = 0; i < faults.Count; i++)
        {
            var (name, at) = faults[i];
            var until = i + 1 < faults.Count ? faults[i + 1].At : double.MaxValue;
            // A request belongs to the fault in whose window it ended: one in flight when the next fault struck is that one's.
            var window = outcomes.Where(o => o.End >= at && o.End < until).ToList();
            var failed = window.Where(o => !o.Ok).ToList();
            var firstWrite = window.FirstOrDefault(o => o.Operation == "decision" && o.Ok && o.Start >= at);
            var lastFailedWrite = failed.Where(o => o.Operation == "decision").Select(o => o.End).DefaultIfEmpty(at).Max();
            lines.Add($"| {name}: requests failed (checks / decisions / publications) | {failed.Count} of {window.Count} ({failed.Count(o => o.Operation == "check")} / {failed.Count(o => o.Operation == "decision")} / {failed.Count(o => o.Operation == "publication")}) |");
            lines.Add($"| {name}: failures from first to last | {(failed.Count == 0 ? "none" : $"{failed.Max(f => f.End) - failed.Min(f => f.Start):0.0} s")} |");
            lines.Add($"| {name}: first write acknowledged after the fault / last write failed | {(firstWrite is null ? "none within the run" : $"{firstWrite.End - at:0.0} s")} / {(lastFailedWrite <= at ? "none failed" : $"{lastFailedWrite - at:0.0} s")} |");
            var kinds = failed.GroupBy(f => f.Detail).Select(g => $"{g.Key} ×{g.Count()}");
            lines.Add($"| {name}: failures by answer | {(failed.Count == 0 ? "–" : string.Join(", ", kinds))} |");
        }
        lines.Add($"| webhook events owed to the receiver | {expected} |");
        lines.Add($"| webhook events missing | {missing} |");
        lines.Add($"| webhook events delivered more than once (duplicates) | {duplicates} (of {receivedTotal} received) |");
        foreach (var (probe, holds) in withdrawals)
        {
            lines.Add($"| {probe.Fault}: the withdrawal acknowledged just before it refuses the next check | {(holds ? "yes" : "**no**")} |");
        }
        return string.Join('\n', lines) + "\n\n```\n" + string.Join('\n', _log) + "\n```\n";
    }
}
