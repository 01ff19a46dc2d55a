using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// An answer for a past moment uses the guardian links and authority, enrolment, date of birth, policy and channels as
/// they were then (DESIGN.md §2 rule 9): histories, never values overwritten in place. Leaving the school and a channel
/// changing its meaning end grants.
/// </summary>
public sealed class ConsentHistoryTests : ApiTest
{
    private static readonly DateTimeOffset LongAgo = new(2025, 8, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed record Family(Tenant Tenant, HttpClient Full, Guid Pupil, Guid Mother, Guid Father, Guid Version)
    {
        public string PupilPath => $"/v1/pupils/{Pupil}";
    }

    /// <summary>A pupil with two parents with authority, and a published form asking photo on the website and in the newsletter.</summary>
    private async Task<Family> FamilyAsync(string dateOfBirth = "2016-03-01")
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne", DateOnly.Parse(dateOfBirth), "L1");
        var mother = await CreateGuardianAsync(full, "Moeder");
        var father = await CreateGuardianAsync(full, "Vader");
        await LinkAsync(full, pupil, mother);
        await LinkAsync(full, pupil, father);
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website", "photo:newsletter"]))["id"]!;
        await BackdateFormAsync(Factory, version, LongAgo);
        return new Family(tenant, full, pupil, mother, father, version);
    }

    private static async Task<string> StateAsync(Family f, DateTimeOffset? at = null, DateTimeOffset? asKnownAt = null, string channel = "website")
    {
        var response = await f.Full.PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds = new[] { f.Pupil }, mediaType = "photo", channel, at, asKnownAt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var pupil = JsonNode.Parse(body)!["pupils"]![0]!;
        return $"{pupil["state"]} {pupil["reason"]}";
    }

    private static Task<HttpResponseMessage> SetPolicyAsync(Family f, string grantRequires, string afterLeaving = "ends") =>
        f.Tenant.Admin().PutAsJsonAsync($"/v1/organisations/{f.Tenant.OrganisationId}/consent-policy",
            new { grantRequires, schoolYearEndMonth = 7, schoolYearEndDay = 31, afterLeaving });

    private static async Task LeaveAsync(Family f, string status = "left", Guid? groupId = null)
    {
        var response = await f.Full.PutAsJsonAsync(f.PupilPath,
            new { externalId = "L1", displayName = "Sanne", dateOfBirth = "2016-03-01", status, groupId });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_guardian_who_refused_and_was_unlinked_later_stays_in_answers_for_before_the_unlink()
    {
        var f = await FamilyAsync();
        var now = DateTimeOffset.UtcNow;
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Mother, "granted", ["photo:website"], now.AddDays(-20));
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Father, "refused", ["photo:website"], now.AddDays(-10));

        (await f.Full.DeleteAsync($"{f.PupilPath}/guardians/{f.Father}")).EnsureSuccessStatusCode();

        Assert.That(await StateAsync(f, now.AddDays(-5)), Is.EqualTo("conflict guardians-disagree"));
        Assert.That(await StateAsync(f), Is.EqualTo("granted granted-by-guardian"));
    }

    [Test]
    public async Task A_policy_change_counts_from_now_on_and_past_answers_keep_the_policy_that_held()
    {
        var f = await FamilyAsync();
        var now = DateTimeOffset.UtcNow;
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Mother, "granted", ["photo:website"], now.AddDays(-10));
        Assert.That(await StateAsync(f, now.AddDays(-5)), Is.EqualTo("granted granted-by-guardian"));

        (await SetPolicyAsync(f, "all-guardians")).EnsureSuccessStatusCode();

        Assert.That(await StateAsync(f, now.AddDays(-5)), Is.EqualTo("granted granted-by-guardian"));
        Assert.That(await StateAsync(f), Is.EqualTo("pending awaiting-other-guardian"));
    }

    [Test]
    public async Task Under_all_guardians_a_guardian_added_later_leaves_earlier_grants_as_they_were()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        (await tenant.Admin().PutAsJsonAsync($"/v1/organisations/{tenant.OrganisationId}/consent-policy",
            new { grantRequires = "all-guardians", schoolYearEndMonth = 7, schoolYearEndDay = 31 })).EnsureSuccessStatusCode();
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne", externalId: "L1");
        var mother = await CreateGuardianAsync(full, "Moeder");
        await LinkAsync(full, pupil, mother);
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website"]))["id"]!;
        await DecideAsync(full, pupil, version, mother, "granted", ["photo:website"]);
        var f = new Family(tenant, full, pupil, mother, Guid.Empty, version);
        var granted = await Marks.NowAsync();
        Assert.That(await StateAsync(f, granted), Is.EqualTo("granted granted-by-all-guardians"));

        await LinkAsync(full, pupil, await CreateGuardianAsync(full, "Stiefvader"));

        Assert.That(await StateAsync(f, granted), Is.EqualTo("granted granted-by-all-guardians"));
        Assert.That(await StateAsync(f), Is.EqualTo("pending awaiting-other-guardian"));
    }

    [Test]
    public async Task A_refusal_signed_while_the_parent_had_authority_is_accepted_when_keyed_in_after_it_ended()
    {
        var f = await FamilyAsync();
        var now = DateTimeOffset.UtcNow;
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Father, "granted", ["photo:website"], now.AddDays(-20));
        var signed = await Marks.NowAsync();

        await LinkAsync(f.Full, f.Pupil, f.Father, hasParentalAuthority: false);
        var keyedIn = await SendDecisionsAsync(f.Full, f.Pupil, f.Version, f.Father, ["photo:website=refused"], signed);
        var lateGrant = await SendDecisionsAsync(f.Full, f.Pupil, f.Version, f.Father, ["photo:website=granted"], await Marks.NowAsync());

        Assert.That(keyedIn.StatusCode, Is.EqualTo(HttpStatusCode.Created), await keyedIn.Content.ReadAsStringAsync());
        await AssertProblemAsync(lateGrant, HttpStatusCode.Forbidden, "forbidden");
        Assert.That(await StateAsync(f, signed), Is.EqualTo("refused refused-by-guardian"), "while he had authority, his refusal counted");
    }

    [Test]
    public async Task A_corrected_date_of_birth_changes_what_is_known_of_the_past_from_its_correction()
    {
        var f = await FamilyAsync();
        var now = DateTimeOffset.UtcNow;
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Mother, "granted", ["photo:website"], now.AddDays(-10));
        var beforeCorrection = await Marks.NowAsync();

        // The admin system had the year wrong: she is 16 already.
        (await f.Full.PutAsJsonAsync(f.PupilPath, new { externalId = "L1", displayName = "Sanne", dateOfBirth = "2008-03-01" }))
            .EnsureSuccessStatusCode();

        Assert.That(await StateAsync(f, now.AddDays(-5)), Is.EqualTo("needs-pupil-consent pupil-is-16"));
        Assert.That(await StateAsync(f, now.AddDays(-5), beforeCorrection), Is.EqualTo("granted granted-by-guardian"));
    }

    [Test]
    public async Task A_past_class_sheet_lists_the_pupils_then_in_the_group_not_todays()
    {
        var f = await FamilyAsync();
        var groups = f.Full;
        var group5 = (Guid)(await (await groups.PostAsJsonAsync($"/v1/schools/{f.Tenant.SchoolId}/groups",
            new { externalId = "G5", name = "Groep 5", schoolYear = "2026-2027" })).ReadObjectAsync())["id"]!;
        var group6 = (Guid)(await (await groups.PostAsJsonAsync($"/v1/schools/{f.Tenant.SchoolId}/groups",
            new { externalId = "G6", name = "Groep 6", schoolYear = "2026-2027" })).ReadObjectAsync())["id"]!;
        await LeaveAsync(f, "active", group5);
        var inGroup5 = await Marks.NowAsync();

        await LeaveAsync(f, "active", group6);

        async Task<string[]> SheetAsync(Guid group, DateTimeOffset? at) => [.. (await GetAsync(f.Full,
                $"/v1/schools/{f.Tenant.SchoolId}/groups/{group}/consent-overview{(at is null ? "" : $"?at={Iso(at.Value)}")}"))["pupils"]!
            .AsArray().Select(p => (string)p!["displayName"]!)];
        Assert.Multiple(async () =>
        {
            Assert.That(await SheetAsync(group5, inGroup5), Is.EqualTo(new[] { "Sanne" }));
            Assert.That(await SheetAsync(group6, inGroup5), Is.Empty);
            Assert.That(await SheetAsync(group5, null), Is.Empty);
            Assert.That(await SheetAsync(group6, null), Is.EqualTo(new[] { "Sanne" }));
        });
    }

    [Test]
    public async Task Leaving_the_school_ends_grants_opens_takedowns_and_a_returning_pupil_is_asked_again()
    {
        var f = await FamilyAsync();
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Mother, "granted", ["photo:website"], DateTimeOffset.UtcNow.AddDays(-10));
        await RegisterAsync(f.Full, f.Tenant.SchoolId, "website", "photo", [f.Pupil], DateTimeOffset.UtcNow.AddDays(-5));
        var atSchool = await Marks.NowAsync();

        await LeaveAsync(f);
        var left = await StateAsync(f);
        var takedowns = await OpenTakedownsAsync(f.Full);
        await LeaveAsync(f, "active");

        Assert.That(left, Is.EqualTo("expired pupil-left"));
        Assert.That(takedowns.Select(t => PupilsOf(t!).Single()), Is.EqualTo(new[] { Pupil(f.Pupil, "expired", "pupil-left") }));
        Assert.That(await StateAsync(f), Is.EqualTo("expired pupil-left"), "back at school, the old grant does not come back");
        Assert.That(await StateAsync(f, atSchool), Is.EqualTo("granted granted-by-guardian"), "while she was at school it counted");
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Mother, "granted", ["photo:website"]);
        Assert.That(await StateAsync(f), Is.EqualTo("granted granted-by-guardian"), "asked again, granted again");
    }

    [Test]
    public async Task A_paper_grant_signed_while_the_pupil_was_at_school_is_recorded_after_they_left_and_counts_for_then()
    {
        var f = await FamilyAsync();
        var signed = await Marks.NowAsync();
        await LeaveAsync(f);

        var keyedIn = await SendDecisionsAsync(f.Full, f.Pupil, f.Version, f.Mother, ["photo:website=granted"], signed);
        var afterLeaving = await SendDecisionsAsync(f.Full, f.Pupil, f.Version, f.Mother, ["photo:website=granted"], await Marks.NowAsync());

        Assert.That(keyedIn.StatusCode, Is.EqualTo(HttpStatusCode.Created), await keyedIn.Content.ReadAsStringAsync());
        await AssertProblemAsync(afterLeaving, HttpStatusCode.Conflict, "conflict");
        Assert.That(await StateAsync(f, signed), Is.EqualTo("granted granted-by-guardian"), "while she was at school");
        Assert.That(await StateAsync(f), Is.EqualTo("expired pupil-left"));
    }

    [Test]
    public async Task Under_the_policy_continues_grants_outlast_leaving()
    {
        var f = await FamilyAsync();
        (await SetPolicyAsync(f, "any-guardian", "continues")).EnsureSuccessStatusCode();
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Mother, "granted", ["photo:website"]);

        await LeaveAsync(f);

        Assert.That(await StateAsync(f), Is.EqualTo("granted granted-by-guardian"));
        Assert.That((string?)(await GetAsync(f.Tenant.Admin(), $"/v1/organisations/{f.Tenant.OrganisationId}"))["consentPolicy"]!["afterLeaving"],
            Is.EqualTo("continues"));
    }

    [Test]
    public async Task A_channel_opened_to_the_public_ends_its_grants_and_opens_takedowns_while_past_answers_stand()
    {
        var f = await FamilyAsync();
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Mother, "granted", ["photo:newsletter"], DateTimeOffset.UtcNow.AddDays(-10));
        await RegisterAsync(f.Full, f.Tenant.SchoolId, "newsletter", "photo", [f.Pupil], DateTimeOffset.UtcNow.AddDays(-5));
        var closed = await Marks.NowAsync();

        (await f.Tenant.Admin().PutAsJsonAsync("/v1/channels/newsletter",
            new { nameNl = "Nieuwsbrief", nameEn = "Newsletter", audience = "public" })).EnsureSuccessStatusCode();

        Assert.That(await StateAsync(f, channel: "newsletter"), Is.EqualTo("expired channel-changed"));
        Assert.That(await StateAsync(f, closed, channel: "newsletter"), Is.EqualTo("granted granted-by-guardian"));
        var announced = (await EventsAsync(Factory, f.Tenant.OrganisationId)).Where(e => e.Type == "consent.changed")
            .Select(e => JsonNode.Parse(e.Payload)!["data"]!["items"]!.AsArray()
                .Select(i => $"{i!["mediaType"]} {i["channel"]} {i["oldState"]}->{i["newState"]}"))
            .Last();
        Assert.That(announced, Is.EqualTo(new[] { "photo newsletter granted->expired" }), "the change is announced like any other");
        Assert.That((await OpenTakedownsAsync(f.Full)).Select(t => PupilsOf(t!).Single()),
            Is.EqualTo(new[] { Pupil(f.Pupil, "expired", "channel-changed") }));
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Mother, "granted", ["photo:newsletter"]);
        Assert.That(await StateAsync(f, channel: "newsletter"), Is.EqualTo("granted granted-by-guardian"), "consent given for the new audience");
    }

    [Test]
    public async Task Retiring_a_channel_ends_its_grants_and_opens_takedowns_and_check_and_matrix_agree()
    {
        var f = await FamilyAsync();
        await DecideAsync(f.Full, f.Pupil, f.Version, f.Mother, "granted", ["photo:website"], DateTimeOffset.UtcNow.AddDays(-10));
        await RegisterAsync(f.Full, f.Tenant.SchoolId, "website", "photo", [f.Pupil], DateTimeOffset.UtcNow.AddDays(-5));

        (await f.Tenant.Admin().PostAsync("/v1/channels/website/retire", null)).EnsureSuccessStatusCode();

        var matrix = await GetAsync(f.Full, $"{f.PupilPath}/consents");
        var item = matrix["items"]!.AsArray().Single(i => (string?)i!["channel"] == "website" && (string?)i["mediaType"] == "photo")!;
        Assert.That(await StateAsync(f), Is.EqualTo("expired channel-retired"));
        Assert.That($"{item["state"]} {item["reason"]}", Is.EqualTo("expired channel-retired"));
        Assert.That((await OpenTakedownsAsync(f.Full)).Select(t => PupilsOf(t!).Single()),
            Is.EqualTo(new[] { Pupil(f.Pupil, "expired", "channel-retired") }));
    }
}
