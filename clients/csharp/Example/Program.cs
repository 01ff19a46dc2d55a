// A school board's integration, end to end, through the Kiota-generated client: a school and its roster, a published
// consent form, a guardian's decision, what the record then says (matrix, history, the recorded decisions), a
// publication check, and a webhook body verified and parsed into the generated event type.
//
//   CONSENT_API_KEY=<organisation admin API key> dotnet run --project clients/csharp/Example -- <base URL> [--receive-webhooks]
//
// The key comes from the environment, not the command line, where any user of the machine could read it. With
// --receive-webhooks the example also subscribes a receiver on 127.0.0.1 and verifies the consent.changed delivery the
// API sends for the decision (the API must allow http and private addresses: Webhooks__AllowHttp and
// Webhooks__AllowPrivateNetworks, as on a developer's machine, never in production).
//
// Prints each step; exits 1 when the API refuses a call or answers other than the contract and the scenario say.
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ConsentApi.Client;
using ConsentApi.Client.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

var adminKey = Environment.GetEnvironmentVariable("CONSENT_API_KEY");
var options = args.Skip(1).ToList();
if (args.Length == 0 || !Uri.TryCreate(args[0], UriKind.Absolute, out var baseUrl) || string.IsNullOrEmpty(adminKey)
    || options.Any(o => o != "--receive-webhooks"))
{
    await Console.Error.WriteLineAsync("usage: CONSENT_API_KEY=<organisation admin API key> Example <base URL> [--receive-webhooks]");
    return 2;
}

try
{
    await Scenario.RunAsync(baseUrl, adminKey, receiveWebhooks: options.Contains("--receive-webhooks"));
    Console.WriteLine("C# client example: every step passed.");
    return 0;
}
catch (ApiException e)
{
    // The problem as the API sent it, whichever generated problem type the contract mapped the status to.
    var problem = e is IParsable parsed ? await KiotaJsonSerializer.SerializeAsStringAsync(parsed) : e.Message;
    await Console.Error.WriteLineAsync($"FAILED: the API answered {e.ResponseStatusCode}: {problem}\n{e.StackTrace}");
    return 1;
}
catch (ScenarioException e)
{
    await Console.Error.WriteLineAsync($"FAILED: {e.Message}");
    return 1;
}
catch (WebhookVerificationException e)
{
    await Console.Error.WriteLineAsync($"FAILED: a webhook delivery did not verify: {e.Message}");
    return 1;
}
catch (HttpRequestException e)
{
    await Console.Error.WriteLineAsync($"FAILED: the API could not be reached at {baseUrl}: {e.Message}");
    return 1;
}

/// <summary>The answer differs from what the scenario expects.</summary>
internal sealed class ScenarioException(string message) : Exception(message);

internal static class Scenario
{
    public static async Task RunAsync(Uri baseUrl, string adminKey, bool receiveWebhooks)
    {
        var admin = Client(baseUrl, adminKey);

        // 1. The admin adds a school and a key for the school's admin system, limited to that school.
        static char Letter() => (char)('A' + RandomNumberGenerator.GetInt32(26));
        var brinCode = string.Create(CultureInfo.InvariantCulture, $"{RandomNumberGenerator.GetInt32(100):00}{Letter()}{Letter()}");
        var school = Require(await admin.V1.Schools.PostAsync(new SchoolRequest { Name = "OBS De Regenboog", BrinCode = brinCode }), "school");
        var schoolId = Require(school.Id, "school id");
        Step($"created school {schoolId} ({brinCode})");
        var keyRequest = new CreateApiClientCommand { Name = "ParnasSys koppeling", Scopes = [], SchoolIds = [schoolId] };
        keyRequest.Scopes.AddWireValues("roster:read", "roster:write", "consent:read", "consent:write");
        var created = Require(await admin.V1.ApiClients.PostAsync(keyRequest), "API client");
        var system = Client(baseUrl, Require(created.ApiKey, "API key"));
        Step($"created API client {created.Client?.Id} with scopes {string.Join(", ", created.Client?.Scopes ?? [])}");

        // 2. The admin system pushes its roster: a group, a pupil and her two parents.
        var roster = Require(await system.V1.Schools[schoolId].Roster.PutAsync(new RosterRequest
        {
            Groups = [new GroupRequest { ExternalId = "G5B", Name = "Groep 5b", SchoolYear = SchoolYear() }],
            Pupils =
            [
                new RosterPupil
                {
                    ExternalId = "LL1001", DisplayName = "Sanne de Vries", DateOfBirth = new Date(2018, 3, 14), GroupExternalId = "G5B",
                    Guardians =
                    [
                        new RosterGuardianLink { ExternalId = "OV2001", HasParentalAuthority = true },
                        new RosterGuardianLink { ExternalId = "OV2002", HasParentalAuthority = true },
                    ],
                },
            ],
            Guardians =
            [
                new GuardianRequest { ExternalId = "OV2001", DisplayName = "Marieke de Vries" },
                new GuardianRequest { ExternalId = "OV2002", DisplayName = "Joost de Vries" },
            ],
        }), "roster sync");
        Expect(roster.Pupils?.Created, 1, "pupils created by the roster sync");
        Expect(roster.Guardians?.Created, 2, "guardians created by the roster sync");
        var pupils = Require(await system.V1.Schools[schoolId].Pupils.GetAsync(q => q.QueryParameters.ExternalId = "LL1001"), "pupils");
        var pupilId = Require(One(pupils.Items, _ => true, "pupil LL1001").Id, "pupil id");
        var pupil = Require(await system.V1.Pupils[pupilId].GetAsync(), "pupil");
        Expect(pupil.Status, PupilStatus.Active, "the pupil's status");
        var mother = Require(One(pupil.Guardians, g => g.ExternalId == "OV2001", "guardian OV2001").GuardianId, "guardian id");
        Step($"synced the roster: pupil {pupilId} ({pupil.Status}) with {pupil.Guardians!.Count} guardians");

        // 3. The admin publishes a consent form asking for photos on social media and the website.
        var form = Require(await admin.V1.ConsentForms.PostAsync(
            new CreateConsentFormRequest { Name = "Toestemming beeldmateriaal", SchoolId = schoolId }), "form");
        var formId = Require(form.Id, "form id");
        await admin.V1.ConsentForms[formId].Versions.PostAsync(new FormVersionRequest
        {
            TextNl = "Wij vragen uw toestemming voor het publiceren van foto's van uw kind.",
            Validity = ConsentValidity.UntilWithdrawn,
            Items =
            [
                new ConsentItem { MediaType = MediaType.Photo, Channel = "social-media" },
                new ConsentItem { MediaType = MediaType.Photo, Channel = "website" },
            ],
        });
        var version = Require(await admin.V1.ConsentForms[formId].Versions[1].Publish.PostAsync(), "published version");
        Expect(version.Status, FormVersionStatus.Published, "the version's status");
        var versionId = Require(version.Id, "version id");
        Step($"published form {formId} version {version.Number} ({version.ContentHash})");

        // With a receiver: the admin subscribes it to the school's consent.changed events before the parent answers.
        await using var receiver = receiveWebhooks ? await WebhookReceiver.StartAsync() : null;
        var secret = "";
        if (receiver is not null)
        {
            var subscription = new CreateWebhookRequest { Url = receiver.Url.ToString(), EventTypes = [], SchoolId = schoolId };
            subscription.EventTypes.AddWireValues("consent.changed");
            var webhook = Require(await admin.V1.Webhooks.PostAsync(subscription), "webhook");
            secret = Require(webhook.Secret, "webhook secret");
            Step($"subscribed {receiver.Url} to consent.changed (webhook {webhook.Webhook?.Id})");
        }

        // 4. A parent answers in the parents' app: yes to social media, no to the website.
        var recorded = Require(await system.V1.Pupils[pupilId].Decisions.PostAsync(new RecordDecisionsRequest
        {
            FormVersionId = versionId,
            DecidedBy = DecidedBy.Guardian,
            GuardianId = mother,
            Method = DecisionMethod.ParentApp,
            Items =
            [
                new ItemDecision { MediaType = MediaType.Photo, Channel = "social-media", Outcome = ConsentOutcome.Granted },
                new ItemDecision { MediaType = MediaType.Photo, Channel = "website", Outcome = ConsentOutcome.Refused },
            ],
        }), "recorded decisions");
        var decisions = Require(recorded.Decisions, "decisions");
        Expect(decisions.Count, 2, "decisions recorded");
        foreach (var decision in decisions)
        {
            Expect(decision.Method, DecisionMethod.ParentApp, "a recorded decision's method");
            Expect(decision.DecidedBy, DecidedBy.Guardian, "a recorded decision's decider");
        }
        Step($"recorded {decisions.Count} decisions: {Describe(decisions)}");

        // 5. What the record says now: the matrix and the history.
        var matrix = Require(await system.V1.Pupils[pupilId].Consents.GetAsync(), "consent matrix");
        var items = Require(matrix.Items, "matrix items");
        var social = One(items, i => i.MediaType == MediaType.Photo && i.Channel == "social-media", "photo/social-media in the matrix");
        var website = One(items, i => i.MediaType == MediaType.Photo && i.Channel == "website", "photo/website in the matrix");
        Expect(social.State, ConsentState.Granted, "photo on social media");
        Expect(website.State, ConsentState.Refused, "photo on the website");
        Step($"consent matrix: {string.Join(", ", items.Select(i => $"{i.MediaType}/{i.Channel}={i.State}"))}");
        var history = Require(await system.V1.Pupils[pupilId].Consents.History.GetAsync(), "history");
        var historyItems = Require(history.Items, "history items");
        Expect(historyItems.Count, 2, "decisions in the history");
        Step($"history: {Describe(historyItems)}");

        // 6. May the pupil appear in a photo on social media? On the website?
        var onSocial = await CheckAsync(system, pupilId, "social-media");
        var onWebsite = await CheckAsync(system, pupilId, "website");
        Expect(onSocial.Allowed, true, "a photo on social media allowed");
        Expect(onWebsite.Allowed, false, "a photo on the website allowed");
        Step($"publication check: social-media allowed={onSocial.Allowed}, website allowed={onWebsite.Allowed} " +
             $"({One(onWebsite.Pupils, _ => true, "checked pupil").State}, {One(onWebsite.Pupils, _ => true, "checked pupil").Reason})");

        // 7. A consent.changed delivery as the API signs it, verified with Standard Webhooks and parsed.
        var sample = await WebhookSample.VerifyAndParseAsync(schoolId, pupilId);
        Expect(sample.PupilId, pupilId, "the sample event's pupil");
        Step($"verified a sample webhook signature and parsed consent.changed: {Describe(sample)}");

        // 8. With a receiver: the delivery the API sent for the decision, verified and parsed the same way.
        if (receiver is not null)
        {
            var (body, headers) = await receiver.NextAsync(TimeSpan.FromSeconds(30));
            new StandardWebhook(secret).Verify(body, headers);
            var changed = await WebhookSample.ParseConsentChangedAsync(body);
            Expect(changed.PupilId, pupilId, "the delivered event's pupil");
            ConsentState? NewState(string channel) =>
                changed.Items?.SingleOrDefault(i => i.MediaType == MediaType.Photo && i.Channel == channel)?.NewState;
            Expect(NewState("social-media"), ConsentState.Granted, "the delivered new state of photo on social media");
            Expect(NewState("website"), ConsentState.Refused, "the delivered new state of photo on the website");
            Step($"received consent.changed {headers["webhook-id"]} from the API, signature verified: {Describe(changed)}");
        }
    }

    private static string Describe(ConsentChangedEvent changed) =>
        $"sequence {changed.Sequence}, " +
        string.Join(", ", (changed.Items ?? []).Select(i => $"{i.MediaType}/{i.Channel} {i.OldState}→{i.NewState}"));

    private static async Task<PublicationCheckResponse> CheckAsync(ConsentApiClient client, Guid pupilId, string channel)
    {
        var check = Require(await client.V1.PublicationChecks.PostAsync(new CheckPublicationRequest
        {
            PupilIds = [pupilId], MediaType = MediaType.Photo, Channel = channel,
        }), "publication check");
        return check;
    }

    /// <summary>
    /// A client that sends <paramref name="apiKey"/> in X-Api-Key, and an Idempotency-Key with every POST. The key is set
    /// on the HttpClient, not through Kiota's ApiKeyAuthenticationProvider, because that provider refuses plain http, and
    /// a local API serves http.
    /// </summary>
    private static ConsentApiClient Client(Uri baseUrl, string apiKey)
    {
        var http = new HttpClient(new IdempotencyKeys { InnerHandler = new HttpClientHandler() });
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = baseUrl.ToString().TrimEnd('/'),
        };
        return new ConsentApiClient(adapter);
    }

    /// <summary>The school year of today, as groups name it (August to July).</summary>
    private static string SchoolYear()
    {
        var today = DateTime.UtcNow;
        var start = today.Month >= 8 ? today.Year : today.Year - 1;
        return string.Create(CultureInfo.InvariantCulture, $"{start}-{start + 1}");
    }

    private static string Describe(IEnumerable<DecisionResponse> decisions) =>
        string.Join(", ", decisions.Select(d => $"{d.MediaType}/{d.Channel} {d.Outcome} by {d.DecidedBy} via {d.Method}"));

    private static void Step(string what) => Console.WriteLine($"  ok  {what}");

    /// <summary>The one item of <paramref name="items"/> that matches; anything else is an answer the scenario did not expect.</summary>
    private static T One<T>(IEnumerable<T>? items, Func<T, bool> match, string what)
    {
        var matches = (items ?? []).Where(match).Take(2).ToList();
        return matches.Count == 1 ? matches[0] : throw new ScenarioException($"expected one {what}, found {matches.Count}.");
    }

    private static T Require<T>(T? value, string what) where T : class =>
        value ?? throw new ScenarioException($"{what} is missing from the answer.");

    private static T Require<T>(T? value, string what) where T : struct =>
        value ?? throw new ScenarioException($"{what} is missing from the answer.");

    private static void Expect<T>(T actual, T expected, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
        {
            throw new ScenarioException($"{what}: expected {expected}, got {(object?)actual ?? "nothing"}.");
        }
    }

    internal static class WebhookSample
    {
        /// <summary>
        /// Signs a consent.changed body the way the API's dispatcher does (Standard Webhooks: HMAC-SHA256 over
        /// <c>{id}.{timestamp}.{body}</c> with the base64 part of the <c>whsec_</c> secret), verifies it with the
        /// StandardWebhooks library as a receiver would, checks that a changed body fails, and parses its <c>data</c>.
        /// </summary>
        public static async Task<ConsentChangedEvent> VerifyAndParseAsync(Guid schoolId, Guid pupilId)
        {
            var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            var id = Guid.CreateVersion7().ToString();
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var body = JsonSerializer.Serialize(new
            {
                id, type = "consent.changed", timestamp = DateTimeOffset.UtcNow, schoolId,
                data = new
                {
                    pupilId, sequence = 1,
                    items = new[]
                    {
                        new { mediaType = "photo", channel = "social-media", oldState = "pending", newState = "granted" },
                        new { mediaType = "photo", channel = "website", oldState = "pending", newState = "refused" },
                    },
                },
            });
            var key = Convert.FromBase64String(secret["whsec_".Length..]);
            var signature = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
            var headers = new HeaderDictionary
            {
                ["webhook-id"] = id, ["webhook-timestamp"] = timestamp, ["webhook-signature"] = signature,
            };

            var receiver = new StandardWebhook(secret);
            receiver.Verify(body, headers); // throws WebhookVerificationException when the signature does not match
            try
            {
                receiver.Verify(body.Replace("granted", "refused", StringComparison.Ordinal), headers);
                throw new ScenarioException("a changed webhook body passed verification.");
            }
            catch (WebhookVerificationException)
            {
                // As it should: the signature covers the body.
            }

            var changed = await ParseConsentChangedAsync(body);
            Expect(changed.Items?.Count, 2, "items in the event");
            Expect(changed.Items?[0].NewState, ConsentState.Granted, "the first item's new state");
            return changed;
        }

        /// <summary>The envelope every event shares, <c>{ id, type, timestamp, schoolId, data }</c>, with its data parsed.</summary>
        public static async Task<ConsentChangedEvent> ParseConsentChangedAsync(string body)
        {
            using var envelope = JsonDocument.Parse(body);
            Expect(envelope.RootElement.GetProperty("type").GetString(), "consent.changed", "the event's type");
            var data = envelope.RootElement.GetProperty("data").GetRawText();
            var changed = await KiotaJsonSerializer.DeserializeAsync(data, ConsentChangedEvent.CreateFromDiscriminatorValue);
            return Require(changed, "consent.changed data");
        }
    }
}

/// <summary>An HTTP endpoint on 127.0.0.1 that answers 204 to every POST and hands over what it received.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private static readonly string[] SignedHeaders = ["webhook-id", "webhook-timestamp", "webhook-signature"];
    private readonly WebApplication _app;
    private readonly Channel<(string Body, HeaderDictionary Headers)> _deliveries = Channel.CreateUnbounded<(string, HeaderDictionary)>();

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.MapPost("/consent-events", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var headers = new HeaderDictionary();
            foreach (var name in SignedHeaders)
            {
                headers[name] = request.Headers[name];
            }
            await receiver._deliveries.Writer.WriteAsync((await reader.ReadToEndAsync(), headers));
            return Results.NoContent();
        });
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = new Uri(new Uri(address), "/consent-events");
        return receiver;
    }

    public async Task<(string Body, HeaderDictionary Headers)> NextAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _deliveries.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new ScenarioException($"no webhook delivery arrived at {Url} within {timeout.TotalSeconds} s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class WireValues
{
    /// <summary>
    /// Adds enum values by their wire names (<c>"roster:read"</c>), as the contract lists them. The element type is the
    /// one Kiota generated for the property, whatever it is called: an inline enum's generated name changes once the
    /// contract names it, and this code need not.
    /// </summary>
    public static void AddWireValues<T>(this List<T?> list, params string[] values) where T : struct, Enum
    {
        foreach (var value in values)
        {
            var field = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
                .SingleOrDefault(f => f.GetCustomAttribute<EnumMemberAttribute>()?.Value == value)
                ?? throw new ScenarioException($"{typeof(T).Name} has no value \"{value}\".");
            list.Add((T)field.GetValue(null)!);
        }
    }
}

/// <summary>
/// Gives every POST an Idempotency-Key of its own, so that a creating call can be retried safely where the API honours
/// the header: a retry must send the same request, key included (this example does not retry).
/// </summary>
internal sealed class IdempotencyKeys : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Post && !request.Headers.Contains("Idempotency-Key"))
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }
        return base.SendAsync(request, cancellationToken);
    }
}
