using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Features.Pupils;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.AccessExports;

/// <summary>
/// From the 16th birthday (a local day of the organisation) the pupil exercises their own rights: the pupil's route opens and
/// the guardian's closes. Noor turns 16 on 29 March 2026, the day summer time begins in Europe/Amsterdam: the local day
/// starts at 23:00 UTC on 28 March. Her mother granted on paper in January, with a note and a proof reference.
/// </summary>
public sealed class AccessExportAt16Tests : ApiTest
{
    private static readonly DateOnly BornOn = new(2010, 3, 29);
    private static readonly DateTimeOffset Birthday = new(2026, 3, 28, 23, 0, 0, TimeSpan.Zero);   // 00:00 local (CET)
    private const string MothersNote = "Alleen de website, niet de krant.";
    private const string MothersProof = "Formulier 2026-007";

    private readonly TravellingClock _clock = new();
    private WebApplicationFactory<Program> _then = null!;
    private HttpClient _app = null!;
    private Guid _pupil;
    private Guid _version;
    private string _fullKey = null!;

    private HttpClient Then(string apiKey)
    {
        var client = _then.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    private void TravelTo(DateTimeOffset moment) => _clock.Offset = moment - DateTimeOffset.UtcNow;

    [OneTimeSetUp]
    public async Task CreateFamilyAsync()
    {
        _then = Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)));
        var tenant = await CreateTenantAsync(schools: 1);
        TravelTo(new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero));
        _version = (Guid)(await PublishFormAsync(Then(tenant.AdminKey), ["photo:website"]))["id"]!;
        _fullKey = tenant.FullKey;
        var then = Then(tenant.FullKey);
        _pupil = await CreatePupilAsync(then, tenant.SchoolId, "Noor Zestien", BornOn);
        var mother = await CreateGuardianAsync(then, "Moeder Zestien", "OV16");
        await LinkAsync(then, _pupil, mother);
        (await then.PostAsJsonAsync($"/v1/pupils/{_pupil}/decisions", new
        {
            formVersionId = _version, decidedBy = "guardian", guardianId = mother, method = "paper", proofReference = MothersProof, note = MothersNote,
            items = new[] { new { mediaType = "photo", channel = "website", outcome = "granted" } },
        })).EnsureSuccessStatusCode();
        _app = Then(await tenant.CreateKeyAsync([Scopes.GuardianAct]));
    }

    private Task<HttpResponseMessage> PupilsAsync() => _app.GetAsync($"/v1/parent-app/pupils/{_pupil}/access-export");

    private Task<HttpResponseMessage> MothersAsync() => _app.GetAsync($"/v1/parent-app/guardians/OV16/children/{_pupil}/access-export");

    [Test]
    public async Task The_last_local_minute_before_the_16th_birthday_the_guardian_exports_and_the_pupil_may_not()
    {
        TravelTo(Birthday.AddMinutes(-1));
        var problem = await AssertProblemAsync(await PupilsAsync(), HttpStatusCode.Forbidden, "forbidden");
        Assert.That((string?)problem["detail"], Does.Contain("under 16"));
        var mothers = await MothersAsync();
        Assert.That(mothers.StatusCode, Is.EqualTo(HttpStatusCode.OK), await mothers.Content.ReadAsStringAsync());
        Assert.That((string?)(await mothers.ReadObjectAsync())["decisions"]![0]!["note"], Is.EqualTo(MothersNote));
    }

    [Test]
    public async Task From_local_midnight_of_the_16th_birthday_the_pupil_exports_and_the_guardian_may_not()
    {
        TravelTo(Birthday);
        await _then.Services.GetRequiredService<Turning16Announcer>().AnnounceOnceAsync(CancellationToken.None);
        var problem = await AssertProblemAsync(await MothersAsync(), HttpStatusCode.Forbidden, "forbidden");
        Assert.That((string?)problem["detail"], Does.Contain("16 or older"));

        var response = await PupilsAsync();
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var export = JsonNode.Parse(body)!.AsObject();
        var decision = export["decisions"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)export["view"], Is.EqualTo("pupil"));
            Assert.That((string?)export["pupil"]!["sixteenthBirthday"], Is.EqualTo("2026-03-29"));
            Assert.That((string?)export["guardians"]![0]!["displayName"], Is.EqualTo("Moeder Zestien"));
            Assert.That(export["guardians"]![0]!["externalId"], Is.Null);
            // The guardian's decision in outline: what, when and how, not their note or proof reference.
            Assert.That((string?)decision["outcome"], Is.EqualTo("granted"));
            Assert.That((string?)decision["method"], Is.EqualTo("paper"));
            Assert.That((bool?)decision["supersededAt16"], Is.True);
            Assert.That(decision["note"], Is.Null);
            Assert.That(decision["proofReference"], Is.Null);
            Assert.That(body, Does.Not.Contain(MothersNote).And.Not.Contain(MothersProof).And.Not.Contain("\"OV16\""));
            Assert.That(export["receipts"]!.AsArray(), Is.Empty, "the mother's receipt is hers");
            Assert.That(export["turning16Notices"]!.AsArray().Select(n => $"{n!["occasion"]} {n["birthday"]}"), Does.Contain("birthday 2026-03-29"));
        });
    }

    [Test]
    public async Task The_pupils_own_decision_from_16_is_in_their_export_in_full()
    {
        TravelTo(Birthday.AddHours(10));
        var response = await Then(_fullKey).PostAsJsonAsync($"/v1/pupils/{_pupil}/decisions", new
        {
            formVersionId = _version, decidedBy = "pupil", method = "in-person", note = "Noor wil alleen de website.",
            items = new[] { new { mediaType = "photo", channel = "website", outcome = "refused" } },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var batch = (Guid)(await response.ReadObjectAsync())["batchId"]!;

        var export = await (await PupilsAsync()).ReadObjectAsync();
        var own = export["decisions"]!.AsArray().Single(d => (string?)d!["decidedBy"] == "pupil")!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)own["note"], Is.EqualTo("Noor wil alleen de website."));
            Assert.That(export["receipts"]!.AsArray().Select(r => (Guid)r!["receiptId"]!), Is.EqualTo(new[] { batch }));
            Assert.That((string?)export["consents"]!.AsArray().Single(c => (string?)c!["channel"] == "website" && (string?)c["mediaType"] == "photo")!["state"], Is.EqualTo("refused"));
        });
    }
}
