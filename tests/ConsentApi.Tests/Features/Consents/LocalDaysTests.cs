using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// Dutch law counts local days: the 16th birthday and the end of a school year begin at midnight in Europe/Amsterdam, not
/// at midnight UTC; and a school-year decision counts only inside its own school year.
/// </summary>
public sealed class LocalDaysTests : ApiTest
{
    private static readonly DateTimeOffset LongAgo = new(2025, 8, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task<string> StateAsync(HttpClient client, Guid pupilId, string item, DateTimeOffset at)
    {
        var parts = item.Split(':');
        var response = await client.PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds = new[] { pupilId }, mediaType = parts[0], channel = parts[1], at });
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var pupil = JsonNode.Parse(body)!["pupils"]![0]!;
        return $"{pupil["state"]} {pupil["reason"]}";
    }

    private async Task<(Tenant Tenant, Guid Pupil, Guid Guardian)> FamilyAsync(DateOnly bornOn)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var pupil = await CreatePupilAsync(tenant.Full(), tenant.SchoolId, "Noor", bornOn);
        var guardian = await CreateGuardianAsync(tenant.Full(), "Moeder");
        await LinkAsync(tenant.Full(), pupil, guardian);
        return (tenant, pupil, guardian);
    }

    private async Task<Guid> FormAsync(Tenant tenant, string validity = "until-withdrawn", string? schoolYear = null)
    {
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website"], validity, schoolYear))["id"]!;
        await BackdateFormAsync(Factory, version, LongAgo);
        return version;
    }

    [Test]
    public async Task From_local_midnight_on_the_16th_birthday_the_pupil_decides_and_the_guardians_grant_no_longer_counts()
    {
        // 16 on 15 June 2026, which begins at 22:00 UTC on 14 June (summer time).
        var (tenant, pupil, guardian) = await FamilyAsync(new DateOnly(2010, 6, 15));
        var version = await FormAsync(tenant);
        await DecideAsync(tenant.Full(), pupil, version, guardian, "granted", ["photo:website"], new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero));
        var halfPastMidnight = new DateTimeOffset(2026, 6, 14, 22, 30, 0, TimeSpan.Zero);

        var before = await StateAsync(tenant.Full(), pupil, "photo:website", halfPastMidnight.AddHours(-1));
        var after = await StateAsync(tenant.Full(), pupil, "photo:website", halfPastMidnight);
        var own = await SendDecisionsAsync(tenant.Full(), pupil, version, null, ["photo:website=granted"], halfPastMidnight);
        var guardians = await SendDecisionsAsync(tenant.Full(), pupil, version, guardian, ["photo:website=granted"], halfPastMidnight);

        Assert.That(before, Is.EqualTo("granted granted-by-guardian"));
        Assert.That(after, Is.EqualTo("needs-pupil-consent pupil-is-16"));
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Created), await own.Content.ReadAsStringAsync());
        await AssertProblemAsync(guardians, HttpStatusCode.Forbidden, "forbidden");
        Assert.That(await StateAsync(tenant.Full(), pupil, "photo:website", halfPastMidnight.AddMinutes(1)), Is.EqualTo("granted granted-by-pupil"));
    }

    [Test]
    public async Task School_year_consent_ends_at_local_midnight_after_the_last_day_of_the_school_year()
    {
        var (tenant, pupil, guardian) = await FamilyAsync(new DateOnly(2016, 3, 1));
        var version = await FormAsync(tenant, "school-year", "2025-2026");
        await DecideAsync(tenant.Full(), pupil, version, guardian, "granted", ["photo:website"], new DateTimeOffset(2025, 9, 1, 8, 0, 0, TimeSpan.Zero));

        // 1 August begins at 22:00 UTC on 31 July (summer time).
        Assert.That(await StateAsync(tenant.Full(), pupil, "photo:website", new DateTimeOffset(2026, 7, 31, 21, 59, 0, TimeSpan.Zero)),
            Is.EqualTo("granted granted-by-guardian"));
        Assert.That(await StateAsync(tenant.Full(), pupil, "photo:website", new DateTimeOffset(2026, 7, 31, 22, 30, 0, TimeSpan.Zero)),
            Is.EqualTo("expired consent-expired"));
    }

    [Test]
    public async Task A_grant_for_next_school_year_leaves_this_years_refusal_standing_until_next_year_begins()
    {
        var (tenant, pupil, guardian) = await FamilyAsync(new DateOnly(2016, 3, 1));
        var thisYear = await FormAsync(tenant, "school-year", "2025-2026");
        var nextYear = await FormAsync(tenant, "school-year", "2026-2027");
        await DecideAsync(tenant.Full(), pupil, thisYear, guardian, "refused", ["photo:website"], new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
        await DecideAsync(tenant.Full(), pupil, nextYear, guardian, "granted", ["photo:website"], new DateTimeOffset(2026, 6, 10, 8, 0, 0, TimeSpan.Zero));

        Assert.That(await StateAsync(tenant.Full(), pupil, "photo:website", new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero)),
            Is.EqualTo("refused refused-by-guardian"));
        Assert.That(await StateAsync(tenant.Full(), pupil, "photo:website", new DateTimeOffset(2026, 7, 31, 22, 30, 0, TimeSpan.Zero)),
            Is.EqualTo("granted granted-by-guardian"));
    }

    [Test]
    public async Task A_campaign_asks_a_school_year_form_only_for_that_school_year()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website"], "school-year", "2026-2027"))["id"]!;
        var today = LocalDay.Today.ToString("yyyy-MM-dd");
        var inAMonth = LocalDay.Today.AddDays(30).ToString("yyyy-MM-dd");

        var mismatch = await tenant.Admin().PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/campaigns",
            new { schoolYear = "2025-2026", formVersionId = version, opensOn = today, closesOn = inAMonth });
        var match = await tenant.Admin().PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/campaigns",
            new { schoolYear = "2026-2027", formVersionId = version, opensOn = today, closesOn = inAMonth });

        var problem = await AssertProblemAsync(mismatch, HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "schoolYear" }));
        Assert.That(match.StatusCode, Is.EqualTo(HttpStatusCode.Created), await match.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_time_zone_is_part_of_the_policy_and_a_change_counts_from_now_on_not_for_past_moments()
    {
        var (tenant, pupil, guardian) = await FamilyAsync(new DateOnly(2010, 6, 15));
        var version = await FormAsync(tenant);
        await DecideAsync(tenant.Full(), pupil, version, guardian, "granted", ["photo:website"], new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero));
        var policyUrl = $"/v1/organisations/{tenant.OrganisationId}/consent-policy";
        // 15:00 UTC on 14 June is midnight in Tokyo, still afternoon in Amsterdam.
        var moment = new DateTimeOffset(2026, 6, 14, 15, 0, 0, TimeSpan.Zero);

        var unknown = await tenant.Admin().PutAsJsonAsync(policyUrl,
            new { grantRequires = "any-guardian", schoolYearEndMonth = 7, schoolYearEndDay = 31, timeZone = "Mars/Olympus" });
        var tokyo = await tenant.Admin().PutAsJsonAsync(policyUrl,
            new { grantRequires = "any-guardian", schoolYearEndMonth = 7, schoolYearEndDay = 31, timeZone = "Asia/Tokyo" });

        Assert.That(ErrorKeys(await AssertProblemAsync(unknown, HttpStatusCode.BadRequest, "validation")), Is.EqualTo(new[] { "timeZone" }));
        Assert.That(tokyo.StatusCode, Is.EqualTo(HttpStatusCode.OK), await tokyo.Content.ReadAsStringAsync());
        Assert.That((string?)(await tokyo.ReadObjectAsync())["consentPolicy"]!["timeZone"], Is.EqualTo("Asia/Tokyo"));
        // In June the organisation counted Amsterdam days; its new time zone holds from now on.
        Assert.That(await StateAsync(tenant.Full(), pupil, "photo:website", moment), Is.EqualTo("granted granted-by-guardian"));
    }
}
