using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Features.Pupils;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Pupils;

/// <summary>
/// The 16th birthday is announced (<c>pupil.turning-16</c>) 30 days before and on the local day, once each, by a job any
/// instance may run; from that day the pupil is asked and the guardians' decisions are history. The app's clock is set
/// to moments around 29 March 2026, the day summer time begins in Europe/Amsterdam: the day starts at 23:00 UTC on 28 March.
/// </summary>
public sealed class Turning16EventTests : ApiTest
{
    private static readonly DateOnly BornOn = new(2010, 3, 29);
    private static readonly DateTimeOffset Birthday = new(2026, 3, 28, 23, 0, 0, TimeSpan.Zero);   // 00:00 local (CET)
    private static readonly DateTimeOffset NoticeDay = new(2026, 2, 26, 23, 0, 0, TimeSpan.Zero);  // 00:00 local, 27 February

    private readonly TravellingClock _clock = new();
    private WebApplicationFactory<Program> _then = null!;

    [OneTimeSetUp]
    public void StartTravellingApp() =>
        _then = Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)));

    private HttpClient Then(string apiKey)
    {
        var client = _then.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    private void TravelTo(DateTimeOffset moment) => _clock.Offset = moment - DateTimeOffset.UtcNow;

    private static Task AnnounceAsync(WebApplicationFactory<Program> app) =>
        app.Services.GetRequiredService<Turning16Announcer>().AnnounceOnceAsync(CancellationToken.None);

    private Task<List<JsonObject>> EventsOfAsync(Guid organisationId, string type) =>
        Factory.QueryAsync(async db => (await db.OutboxEvents.AsNoTracking()
                .Where(e => e.OrganisationId == organisationId && e.Type == type).OrderBy(e => e.Sequence).ToListAsync())
            .Select(e => JsonNode.Parse(e.Payload)!.AsObject()).ToList());

    private static string Describe(JsonObject e) =>
        $"{e["data"]!["pupilId"]} {e["data"]!["occasion"]} {e["data"]!["localDay"]} {e["data"]!["daysLeft"]} {e["data"]!["birthday"]}";

    /// <summary>A tenant, a pupil turning 16 on 29 March 2026 and a guardian who granted photo:website in January.</summary>
    private async Task<(Tenant Tenant, Guid Pupil, Guid Guardian, Guid Version)> FamilyAsync()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        TravelTo(new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero));
        var version = (Guid)(await PublishFormAsync(Then(tenant.AdminKey), ["photo:website"]))["id"]!;
        var then = Then(tenant.FullKey);
        var pupil = await CreatePupilAsync(then, tenant.SchoolId, "Noor Zestien", BornOn);
        var guardian = await CreateGuardianAsync(then, "Moeder Zestien");
        await LinkAsync(then, pupil, guardian);
        await DecideAsync(then, pupil, version, guardian, "granted", ["photo:website"]);
        return (tenant, pupil, guardian, version);
    }

    [Test]
    public async Task The_event_comes_30_local_days_before_and_from_local_midnight_on_the_day_once_each()
    {
        var (tenant, pupil, _, _) = await FamilyAsync();
        var seen = new List<string>();
        async Task AtAsync(DateTimeOffset moment)
        {
            TravelTo(moment);
            await AnnounceAsync(_then);
            await AnnounceAsync(_then);
            seen.Add(string.Join(" | ", (await EventsOfAsync(tenant.OrganisationId, EventTypes.PupilTurning16)).Select(Describe)));
        }

        await AtAsync(NoticeDay.AddMinutes(-1));
        await AtAsync(NoticeDay);
        await AtAsync(Birthday.AddMinutes(-1));
        await AtAsync(Birthday);
        await AtAsync(Birthday.AddHours(5));

        var upcoming = $"{pupil} upcoming 2026-02-27 30 2026-03-29";
        var birthday = $"{pupil} birthday 2026-03-29 0 2026-03-29";
        Assert.That(seen, Is.EqualTo(new[]
        {
            "", upcoming, upcoming, $"{upcoming} | {birthday}", $"{upcoming} | {birthday}",
        }));
        var events = await EventsOfAsync(tenant.OrganisationId, EventTypes.PupilTurning16);
        Assert.That(events.Select(e => (Guid?)e["schoolId"]), Is.All.EqualTo(tenant.SchoolId));
        Assert.That(events.Select(e => (Guid?)e["data"]!["schoolId"]), Is.All.EqualTo(tenant.SchoolId));
    }

    [Test]
    public async Task On_the_day_the_guardians_grant_is_announced_as_changed_to_needs_pupil_consent()
    {
        var (tenant, pupil, _, _) = await FamilyAsync();
        var before = await EventsOfAsync(tenant.OrganisationId, EventTypes.ConsentChanged);

        TravelTo(Birthday.AddMinutes(-1));
        await AnnounceAsync(_then);
        var eve = await EventsOfAsync(tenant.OrganisationId, EventTypes.ConsentChanged);
        TravelTo(Birthday.AddMinutes(1));
        await AnnounceAsync(_then);
        await AnnounceAsync(_then);
        var day = await EventsOfAsync(tenant.OrganisationId, EventTypes.ConsentChanged);

        Assert.That(eve, Has.Count.EqualTo(before.Count), "nothing changes on the eve");
        var changed = day.Skip(before.Count).Select(e => e["data"]!).ToList();
        Assert.That(changed.Select(d => $"{d["pupilId"]} {d["sequence"]} " + string.Join(",", d["items"]!.AsArray()
                .Select(i => $"{i!["mediaType"]}:{i["channel"]} {i["oldState"]}->{i["newState"]}"))),
            Is.EqualTo(new[] { $"{pupil} {(long)before.Last()["data"]!["sequence"]! + 1} photo:website granted->needs-pupil-consent" }));
    }

    [Test]
    public async Task Two_instances_running_the_job_at_once_send_each_event_exactly_once()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        TravelTo(Birthday.AddDays(-1));
        var then = Then(tenant.FullKey);
        var pupils = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            pupils.Add(await CreatePupilAsync(then, tenant.SchoolId, $"Leerling {i}", BornOn));
        }
        await using var second = new ConsentApiFactory(Factory.ConnectionString);
        var other = second.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)));

        foreach (var moment in new[] { Birthday.AddDays(-1), Birthday.AddMinutes(1) })
        {
            TravelTo(moment);
            for (var round = 0; round < 3; round++)
            {
                await Task.WhenAll(AnnounceAsync(_then), AnnounceAsync(other), AnnounceAsync(_then), AnnounceAsync(other));
            }
        }

        var events = await EventsOfAsync(tenant.OrganisationId, EventTypes.PupilTurning16);
        var byPupilAndOccasion = events.GroupBy(e => $"{e["data"]!["pupilId"]} {e["data"]!["occasion"]}").ToDictionary(g => g.Key, g => g.Count());
        Assert.That(byPupilAndOccasion.Keys, Is.EquivalentTo(pupils.SelectMany(p => new[] { $"{p} upcoming", $"{p} birthday" })));
        Assert.That(byPupilAndOccasion.Values, Is.All.EqualTo(1));
        Assert.That(await Factory.QueryAsync(db => db.Turning16Notices.CountAsync(n => n.OrganisationId == tenant.OrganisationId)),
            Is.EqualTo(pupils.Count * 2));
    }

    [Test]
    public async Task From_the_day_the_campaign_asks_the_pupil_and_no_longer_the_guardian_in_the_parents_app()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        TravelTo(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var then = Then(tenant.FullKey);
        var version = (Guid)(await PublishFormAsync(Then(tenant.AdminKey), ["photo:website"]))["id"]!;
        var pupil = await CreatePupilAsync(then, tenant.SchoolId, "Noor Zestien", BornOn, externalId: "LL-16");
        var guardian = await CreateGuardianAsync(then, "Moeder Zestien", externalId: "OU-16");
        await LinkAsync(then, pupil, guardian);
        var created = await Then(tenant.AdminKey).PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/campaigns",
            new { schoolYear = "2025-2026", formVersionId = version, opensOn = new DateOnly(2026, 3, 1), closesOn = new DateOnly(2026, 4, 30) });
        Assert.That(created.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var campaign = (Guid)(await created.ReadObjectAsync())["id"]!;
        var app = Then(await tenant.CreateKeyAsync([Scopes.GuardianAct]));

        async Task<string> AskedAtAsync(DateTimeOffset moment)
        {
            TravelTo(moment);
            var remind = (await GetAsync(then, $"/v1/campaigns/{campaign}/non-responders"))["pupils"]!.AsArray().Single()!["remind"]!.AsArray()
                .Select(r => $"{r!["type"]}:{r["externalId"]}");
            var parentsApp = (await GetAsync(app, "/v1/parent-app/guardians/OU-16/consent-requests"))["requests"]!.AsArray()
                .Select(r => (string?)r!["pupilId"]);
            return $"remind {string.Join(",", remind)}; parents' app {string.Join(",", parentsApp)}";
        }

        var eve = await AskedAtAsync(Birthday.AddMinutes(-1));
        var day = await AskedAtAsync(Birthday.AddMinutes(1));

        Assert.That(eve, Is.EqualTo($"remind guardian:OU-16; parents' app {pupil}"));
        Assert.That(day, Is.EqualTo("remind pupil:LL-16; parents' app "));
    }

    [Test]
    public async Task From_the_day_the_history_and_the_matrix_keep_the_guardians_decisions_marked_as_before_the_16th_birthday()
    {
        var (tenant, pupil, _, version) = await FamilyAsync();
        async Task<string[]> HistoryAtAsync(DateTimeOffset moment)
        {
            TravelTo(moment);
            return [.. (await ItemsAsync(Then(tenant.FullKey), $"/v1/pupils/{pupil}/consents/history"))
                .Select(d => $"{d!["decidedBy"]} {d["outcome"]} superseded:{(bool)d["supersededAt16"]!}")];
        }

        async Task<string> MatrixAtAsync(DateTimeOffset moment)
        {
            TravelTo(moment);
            var item = (await GetAsync(Then(tenant.FullKey), $"/v1/pupils/{pupil}/consents"))["items"]!.AsArray()
                .Single(i => (string?)i!["mediaType"] == "photo" && (string?)i["channel"] == "website")!;
            return $"{item["state"]}: " + string.Join(", ", item["decisions"]!.AsArray()
                .Select(d => $"{d!["decidedBy"]} {d["outcome"]} superseded:{(bool)d["supersededAt16"]!}"));
        }

        var eve = await HistoryAtAsync(Birthday.AddMinutes(-1));
        var eveMatrix = await MatrixAtAsync(Birthday.AddMinutes(-1));
        var day = await HistoryAtAsync(Birthday.AddMinutes(1));
        var dayMatrix = await MatrixAtAsync(Birthday.AddMinutes(1));
        await DecideAsync(Then(tenant.FullKey), pupil, version, null, "refused", ["photo:website"]);
        var decided = await HistoryAtAsync(Birthday.AddMinutes(2));
        var decidedMatrix = await MatrixAtAsync(Birthday.AddMinutes(2));

        Assert.That(eve, Is.EqualTo(new[] { "guardian granted superseded:False" }));
        Assert.That(day, Is.EqualTo(new[] { "guardian granted superseded:True" }));
        Assert.That(decided, Is.EqualTo(new[] { "guardian granted superseded:True", "pupil refused superseded:False" }));
        Assert.That(eveMatrix, Is.EqualTo("granted: guardian granted superseded:False"));
        Assert.That(dayMatrix, Is.EqualTo("needs-pupil-consent: guardian granted superseded:True"));
        Assert.That(decidedMatrix, Is.EqualTo("refused: guardian granted superseded:True, pupil refused superseded:False"));
    }
}
