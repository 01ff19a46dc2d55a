using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// Recording a guardian's answers to a whole form costs a fixed, small number of database round trips, counted with
/// Npgsql's own tracing on this fixture's database: the locks and every read the checks and consequences need in one,
/// every write (decisions, announced states, event and deliveries, audit) in one, and the commit. The pupil is shown in
/// an online publication and the organisation has a webhook subscription, so the takedown scan and the outbox have work to
/// look at. The commit itself is no traced command, so it is not in the count.
/// </summary>
public sealed class DecisionRoundTripTests : ApiTest
{
    private static readonly string[] Channels = ["school-guide", "website", "newsletter", "social-media", "parent-app"];
    private static readonly string[] MediaTypes = ["photo", "film", "audio"];
    private static readonly string[] AllItems = [.. MediaTypes.SelectMany(m => Channels.Select(c => $"{m}:{c}"))];

    /// <summary>Round trips of a 15-item decision through POST /v1/pupils/{id}/decisions, the commit not counted.</summary>
    private const int RecordRoundTrips = 3;

    /// <summary>Round trips of the same through the parents' app: the guardian and their children are read with the locks.</summary>
    private const int ParentAppRoundTrips = 3;

    /// <summary>Round trips of a refusal that opens a takedown: one more, the statement that opens it and adds the pupil.</summary>
    private const int RefusalWithTakedownRoundTrips = 4;

    /// <summary>
    /// Round trips of a withdrawal of one item in the parents' app that opens a takedown: the locks with the guardian, their
    /// children and the version to withdraw against, the reads, the takedown, the writes.
    /// </summary>
    private const int WithdrawalRoundTrips = 4;

    private Tenant _tenant = null!;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    private HttpClient _full = null!;
    private HttpClient _app = null!;
    private Guid _versionId;

    [OneTimeSetUp]
    public async Task CreateFormAsync()
    {
        _tenant = await CreateTenantAsync();
        _full = _tenant.Full();
        var admin = _tenant.Admin();
        _versionId = (Guid)(await PublishFormAsync(admin, AllItems))["id"]!;
        (await admin.PostAsJsonAsync("/v1/webhooks",
            new { url = "http://127.0.0.1:9/consent", eventTypes = new[] { "consent.changed", "takedown.opened" } })).EnsureSuccessStatusCode();
        _app = await _tenant.ClientWithAsync([Scopes.GuardianAct]);
    }

    private async Task<(Guid PupilId, Guid GuardianId, string GuardianExternalId)> FamilyAsync()
    {
        var pupilId = await CreatePupilAsync(_full, _tenant.SchoolId, "Kind");
        var externalId = $"O-{Guid.NewGuid():N}"[..20];
        var guardianId = await CreateGuardianAsync(_full, "Ouder", externalId);
        await LinkAsync(_full, pupilId, guardianId);
        await RegisterAsync(_full, _tenant.SchoolId, "website", "photo", [pupilId], publishedWithoutCheck: true);
        return (pupilId, guardianId, externalId);
    }

    private async Task<IReadOnlyList<string>> CountedAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode expected)
    {
        using var log = new RoundTripLog(new Npgsql.NpgsqlConnectionStringBuilder(Factory.ConnectionString).Database!);
        var response = await send();
        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        // The API key lookup is cached per instance and not part of recording.
        return [.. log.RoundTrips.Where(c => !c.Contains("api_clients", StringComparison.Ordinal))];
    }

    private Task<HttpResponseMessage> RecordAsync(Guid pupilId, Guid guardianId, string outcome) =>
        SendDecisionsAsync(_full, pupilId, _versionId, guardianId, [.. AllItems.Select(i => $"{i}={outcome}")]);

    [Test]
    public async Task A_guardian_answering_fifteen_items_costs_a_fixed_number_of_round_trips()
    {
        var warm = await FamilyAsync();
        (await RecordAsync(warm.PupilId, warm.GuardianId, "granted")).EnsureSuccessStatusCode();
        var (pupilId, guardianId, _) = await FamilyAsync();

        var granted = await CountedAsync(() => RecordAsync(pupilId, guardianId, "granted"), HttpStatusCode.Created);
        var refused = await CountedAsync(() => RecordAsync(pupilId, guardianId, "refused"), HttpStatusCode.Created);

        TestContext.Out.WriteLine($"grant: {granted.Count}, refusal with a takedown: {refused.Count}");
        var takedowns = await OpenTakedownsOfAsync(pupilId);
        Assert.Multiple(() =>
        {
            Assert.That(granted, Has.Count.LessThanOrEqualTo(RecordRoundTrips), string.Join("\n----\n", granted));
            Assert.That(refused, Has.Count.LessThanOrEqualTo(RefusalWithTakedownRoundTrips), string.Join("\n----\n", refused));
            Assert.That(takedowns, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_guardian_answering_fifteen_items_in_the_parents_app_costs_a_fixed_number_of_round_trips()
    {
        var warm = await FamilyAsync();
        (await RecordAsync(warm.PupilId, warm.GuardianId, "granted")).EnsureSuccessStatusCode();
        var (pupilId, _, externalId) = await FamilyAsync();

        var submitted = await CountedAsync(() => _app.PostAsJsonAsync($"/v1/parent-app/guardians/{externalId}/decisions", new
        {
            children = new[]
            {
                new
                {
                    pupilId, formVersionId = _versionId,
                    items = AllItems.Select(i => i.Split(':')).Select(i => new { mediaType = i[0], channel = i[1], outcome = "granted" }).ToArray(),
                },
            },
        }), HttpStatusCode.OK);
        var withdrawn = await CountedAsync(() => _app.PostAsJsonAsync($"/v1/parent-app/guardians/{externalId}/withdrawals",
            new { pupilId, mediaType = "photo", channel = "website" }), HttpStatusCode.OK);

        TestContext.Out.WriteLine($"parents' app: {submitted.Count}, withdrawal with a takedown: {withdrawn.Count}");
        var takedowns = await OpenTakedownsOfAsync(pupilId);
        Assert.Multiple(() =>
        {
            Assert.That(submitted, Has.Count.LessThanOrEqualTo(ParentAppRoundTrips), string.Join("\n----\n", submitted));
            Assert.That(withdrawn, Has.Count.LessThanOrEqualTo(WithdrawalRoundTrips), string.Join("\n----\n", withdrawn));
            Assert.That(takedowns, Is.EqualTo(1));
        });
    }

    private async Task<int> OpenTakedownsOfAsync(Guid pupilId) =>
        (await OpenTakedownsAsync(_full)).Count(t => PupilsOf(t!).Any(p => p.StartsWith(pupilId.ToString(), StringComparison.Ordinal)));
}
