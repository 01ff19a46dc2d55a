using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Features.Takedowns;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Takedowns;

/// <summary>
/// Consent that time alone ends (a school year that is over, a 16th birthday) is found by the periodic sweep, not by a
/// request. The setup runs on a second instance of the app whose clock is set back, on the same database: forms,
/// decisions and publications are made "then"; the sweep runs on the fixture's app, now.
/// </summary>
public sealed class TakedownSweepTests : ApiTest
{
    private readonly TravellingClock _clock = new();
    private WebApplicationFactory<Program> _past = null!;

    [OneTimeSetUp]
    public void StartPastApp() =>
        _past = Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)));

    [SetUp]
    public void BackToNow() => _clock.Offset = TimeSpan.Zero;

    /// <summary>A client of the app whose clock is at <see cref="TravellingClock.Offset"/>.</summary>
    private HttpClient Then(string apiKey)
    {
        var client = _past.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    private void TravelTo(DateTimeOffset moment) => _clock.Offset = moment - DateTimeOffset.UtcNow;

    private Task SweepAsync() => Factory.Services.GetRequiredService<TakedownSweep>().SweepOnceAsync(CancellationToken.None);

    private Task<int> TakedownEventsAsync(Guid organisationId) =>
        Factory.QueryAsync(db => db.OutboxEvents.CountAsync(e => e.OrganisationId == organisationId && e.Type.StartsWith("takedown.")));

    private static async Task<JsonObject> CheckAsync(HttpClient client, Guid pupilId, string mediaType, string channel, DateTimeOffset? at = null)
    {
        var response = await client.PostAsJsonAsync("/v1/publication-checks", new { pupilIds = new[] { pupilId }, mediaType, channel, at });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.ReadObjectAsync())["pupils"]!.AsArray().Single()!.AsObject();
    }

    [Test]
    public async Task A_school_year_grant_that_ended_after_publication_is_taken_down_by_the_sweep_once()
    {
        var tenant = await CreateTenantAsync();
        TravelTo(new DateTimeOffset(2024, 10, 1, 9, 0, 0, TimeSpan.Zero));
        var then = Then(tenant.FullKey);
        var schoolYearForm = (Guid)(await PublishFormAsync(Then(tenant.AdminKey), ["photo:social-media"], "school-year", "2024-2025"))["id"]!;
        var lastingForm = (Guid)(await PublishFormAsync(Then(tenant.AdminKey), ["photo:website"]))["id"]!;
        var pupil = await CreatePupilAsync(then, tenant.SchoolId, "Lotte Schooljaar");
        var other = await CreatePupilAsync(then, tenant.SchoolId, "Joris Blijvend");
        var guardian = await CreateGuardianAsync(then, "Karin Schooljaar");
        var otherGuardian = await CreateGuardianAsync(then, "Henk Blijvend");
        await LinkAsync(then, pupil, guardian);
        await LinkAsync(then, other, otherGuardian);
        var grant = await DecideAsync(then, pupil, schoolYearForm, guardian, "granted", ["photo:social-media"]);
        await DecideAsync(then, other, lastingForm, otherGuardian, "granted", ["photo:website"]);
        TravelTo(new DateTimeOffset(2024, 11, 1, 9, 0, 0, TimeSpan.Zero));
        var publication = await RegisterAsync(then, tenant.SchoolId, "social-media", "photo", [pupil]);
        var lasting = await RegisterAsync(then, tenant.SchoolId, "website", "photo", [other]);
        Assert.That(Moment(grant["decisions"]![0]!["givenAt"]).Year, Is.EqualTo(2024));
        Assert.That(Moment(publication["publishedAt"]).Year, Is.EqualTo(2024));
        _clock.Offset = TimeSpan.Zero;
        var full = tenant.Full();

        Assert.That(await ItemsAsync(full, "/v1/takedowns"), Is.Empty, "nothing ran since 2024: no takedown until the sweep");
        Assert.That((string?)(await CheckAsync(full, pupil, "photo", "social-media", Moment(publication["publishedAt"])))["state"],
            Is.EqualTo("granted"), "allowed when it was published");

        await SweepAsync();

        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        var takedown = open[0]!;
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)takedown["publicationId"], Is.EqualTo((Guid)publication["id"]!));
            Assert.That(PupilsOf(takedown), Is.EqualTo(new[] { Pupil(pupil, "expired", "consent-expired") }));
            Assert.That(Moment(takedown["openedAt"]), Is.EqualTo(Now).Within(TimeSpan.FromMinutes(1)));
        });
        var check = await CheckAsync(full, pupil, "photo", "social-media", Moment(takedown["pupils"]![0]!["addedAt"]));
        Assert.That($"{check["pupilId"]} {check["state"]} {check["reason"]}", Is.EqualTo(PupilsOf(takedown)[0]),
            "the check at the moment of the sweep answers what the sweep recorded");
        Assert.That(await ItemsAsync(full, $"/v1/takedowns?publicationId={lasting["id"]}"), Is.Empty, "until-withdrawn consent still holds");

        var events = await TakedownEventsAsync(tenant.OrganisationId);
        await SweepAsync();

        var again = await ItemsAsync(full, "/v1/takedowns");
        Assert.That(again, Has.Count.EqualTo(1), again.ToJsonString());
        Assert.That(JsonNode.DeepEquals(again[0], takedown), Is.True, "a second sweep changes nothing");
        Assert.That(await TakedownEventsAsync(tenant.OrganisationId), Is.EqualTo(events), "and writes no event");

        (await full.PostAsJsonAsync($"/v1/takedowns/{takedown["id"]}/complete", new { completedBy = "Webbeheer" })).EnsureSuccessStatusCode();
        await SweepAsync();
        Assert.That(await OpenTakedownsAsync(full), Is.Empty, "a removed publication is not swept again");
    }

    [Test]
    public async Task Registering_a_publication_whose_school_year_grant_has_since_ended_opens_an_expired_takedown_at_once()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:social-media"], "school-year", "2024-2025"))["id"]!;
        await BackdateFormAsync(Factory, versionId, new DateTimeOffset(2024, 9, 1, 8, 0, 0, TimeSpan.Zero));
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Lotte Schooljaar");
        var guardian = await CreateGuardianAsync(full, "Karin Schooljaar");
        await LinkAsync(full, pupil, guardian);
        await DecideAsync(full, pupil, versionId, guardian, "granted", ["photo:social-media"], new DateTimeOffset(2024, 10, 1, 9, 0, 0, TimeSpan.Zero));

        var publication = await RegisterAsync(full, tenant.SchoolId, "social-media", "photo", [pupil],
            new DateTimeOffset(2024, 11, 1, 9, 0, 0, TimeSpan.Zero));

        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo((Guid)publication["id"]!));
            Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[] { Pupil(pupil, "expired", "consent-expired") }));
        });

        await SweepAsync();
        Assert.That(PupilsOf((await OpenTakedownsAsync(full)).Single()!), Is.EqualTo(PupilsOf(open[0]!)), "the sweep adds nothing");
    }

    [Test]
    public async Task A_pupil_who_turned_16_after_publication_needs_their_own_consent_after_the_sweep()
    {
        var tenant = await CreateTenantAsync();
        var birthday = Today.AddDays(-3);
        TravelTo(Now.AddDays(-10));
        var then = Then(tenant.FullKey);
        var versionId = (Guid)(await PublishFormAsync(Then(tenant.AdminKey), ["photo:social-media"]))["id"]!;
        var pupil = await CreatePupilAsync(then, tenant.SchoolId, "Fleur Zestien", birthday.AddYears(-16));
        var younger = await CreatePupilAsync(then, tenant.SchoolId, "Mees Vijftien", birthday.AddYears(-15));
        var mother = await CreateGuardianAsync(then, "Ingrid Zestien");
        var father = await CreateGuardianAsync(then, "Bart Zestien");
        foreach (var child in new[] { pupil, younger })
        {
            await LinkAsync(then, child, mother);
            await LinkAsync(then, child, father);
            await DecideAsync(then, child, versionId, mother, "granted", ["photo:social-media"]);
            await DecideAsync(then, child, versionId, father, "granted", ["photo:social-media"]);
        }
        TravelTo(Now.AddDays(-5));
        var publication = await RegisterAsync(then, tenant.SchoolId, "social-media", "photo", [pupil, younger]);
        _clock.Offset = TimeSpan.Zero;
        var full = tenant.Full();

        Assert.That(await ItemsAsync(full, "/v1/takedowns"), Is.Empty, "no request since the birthday: no takedown until the sweep");

        await SweepAsync();

        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo((Guid)publication["id"]!));
            Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[] { Pupil(pupil, "needs-pupil-consent", "pupil-is-16") }),
                "the 15-year-old's guardians still decide");
        });
        var check = await CheckAsync(full, pupil, "photo", "social-media", Moment(open[0]!["pupils"]![0]!["addedAt"]));
        Assert.That($"{check["pupilId"]} {check["state"]} {check["reason"]}", Is.EqualTo(PupilsOf(open[0]!)[0]));
        var younger16 = await CheckAsync(full, younger, "photo", "social-media", Moment(open[0]!["pupils"]![0]!["addedAt"]));
        Assert.That((string?)younger16["state"], Is.EqualTo("granted"));
    }
}
