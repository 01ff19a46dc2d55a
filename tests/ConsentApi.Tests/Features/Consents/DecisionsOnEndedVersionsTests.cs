using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// Grants only where they can count: a grant under a version that, when it was given, was withdrawn, superseded or past
/// its school year is refused (409, nothing recorded, no receipt); a refusal under such a version is always recorded.
/// </summary>
public sealed class DecisionsOnEndedVersionsTests : ApiTest
{
    private sealed record Family(Tenant Tenant, Guid FormId, Guid VersionId, Guid PupilId, Guid GuardianId);

    private async Task<Family> FamilyAsync(string validity = "until-withdrawn", string? schoolYear = null)
    {
        var tenant = await CreateTenantAsync();
        var version = await PublishFormAsync(tenant.Admin(), ["photo:website"], validity, schoolYear);
        var full = tenant.Full();
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var guardian = await CreateGuardianAsync(full, "Marieke de Vries");
        await LinkAsync(full, pupil, guardian);
        return new Family(tenant, (Guid)version["formId"]!, (Guid)version["id"]!, pupil, guardian);
    }

    private static async Task WithdrawAsync(Family f) =>
        (await f.Tenant.Admin().PostAsJsonAsync($"/v1/consent-forms/{f.FormId}/versions/1/withdraw", new { reason = "Verkeerde tekst" }))
        .EnsureSuccessStatusCode();

    /// <summary>Publishes version 2 of the family's form, which supersedes version 1 now.</summary>
    private static async Task SupersedeAsync(Family f)
    {
        var admin = f.Tenant.Admin();
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{f.FormId}/versions", new
        {
            textNl = FormText + " Nieuwe versie.", validity = "until-withdrawn", items = new[] { new { mediaType = "photo", channel = "website" } },
        })).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/v1/consent-forms/{f.FormId}/versions/2/publish", null)).EnsureSuccessStatusCode();
    }

    private Task<int> DecisionCountAsync(Guid pupilId) => Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.PupilId == pupilId));

    /// <summary>Expects the grant to be refused with 409 and nothing recorded; returns the problem's detail.</summary>
    private async Task<string> AssertGrantRefusedAsync(Family f, DateTimeOffset? givenAt = null)
    {
        var before = await DecisionCountAsync(f.PupilId);
        var response = await SendDecisionsAsync(f.Tenant.Full(), f.PupilId, f.VersionId, f.GuardianId, ["photo:website=granted"], givenAt);
        var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
        Assert.That(await DecisionCountAsync(f.PupilId), Is.EqualTo(before), "a refused grant recorded something");
        Assert.That(problem["receipt"], Is.Null);
        return (string)problem["detail"]!;
    }

    private static async Task<JsonObject> AssertRecordedAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var recorded = await response.ReadObjectAsync();
        Assert.That(recorded["receipt"], Is.Not.Null);
        return recorded;
    }

    private static async Task<string> StateAsync(HttpClient client, Guid pupilId)
    {
        var response = await client.PostAsJsonAsync("/v1/publication-checks", new { pupilIds = new[] { pupilId }, mediaType = "photo", channel = "website" });
        var pupil = (await response.ReadObjectAsync())["pupils"]![0]!;
        return $"{pupil["state"]} {pupil["reason"]}";
    }

    [Test]
    public async Task A_grant_under_a_withdrawn_version_is_a_conflict_but_a_refusal_is_recorded()
    {
        var f = await FamilyAsync();
        await WithdrawAsync(f);

        Assert.That(await AssertGrantRefusedAsync(f), Does.Contain("withdrawn"));

        await AssertRecordedAsync(await SendDecisionsAsync(f.Tenant.Full(), f.PupilId, f.VersionId, f.GuardianId, ["photo:website=refused"]));
        Assert.That(await StateAsync(f.Tenant.Full(), f.PupilId), Is.EqualTo("refused refused-by-guardian"));
    }

    [Test]
    public async Task A_paper_grant_signed_before_the_withdrawal_is_recorded_and_ends_with_the_version()
    {
        var f = await FamilyAsync();
        await BackdateFormAsync(Factory, f.VersionId, Now.AddDays(-10));
        await WithdrawAsync(f);

        await AssertRecordedAsync(await SendDecisionsAsync(f.Tenant.Full(), f.PupilId, f.VersionId, f.GuardianId, ["photo:website=granted"], Now.AddDays(-5)));

        Assert.That(await StateAsync(f.Tenant.Full(), f.PupilId), Is.EqualTo("expired form-version-withdrawn"));
    }

    [Test]
    public async Task A_grant_under_a_superseded_version_is_a_conflict_but_a_refusal_is_recorded()
    {
        var f = await FamilyAsync();
        await SupersedeAsync(f);

        Assert.That(await AssertGrantRefusedAsync(f), Does.Contain("superseded"));

        await AssertRecordedAsync(await SendDecisionsAsync(f.Tenant.Full(), f.PupilId, f.VersionId, f.GuardianId, ["photo:website=refused"]));
    }

    [Test]
    public async Task A_paper_grant_signed_before_the_version_was_superseded_is_recorded_and_counts()
    {
        var f = await FamilyAsync();
        await BackdateFormAsync(Factory, f.VersionId, Now.AddDays(-10));
        await SupersedeAsync(f);

        await AssertRecordedAsync(await SendDecisionsAsync(f.Tenant.Full(), f.PupilId, f.VersionId, f.GuardianId, ["photo:website=granted"], Now.AddDays(-5)));

        Assert.That(await StateAsync(f.Tenant.Full(), f.PupilId), Is.EqualTo("granted granted-by-guardian"));
    }

    [Test]
    public async Task A_grant_under_a_school_year_version_whose_year_has_ended_is_a_conflict_but_a_refusal_is_recorded()
    {
        var f = await FamilyAsync("school-year", "2024-2025");

        Assert.That(await AssertGrantRefusedAsync(f), Does.Contain("2024-2025"));

        await AssertRecordedAsync(await SendDecisionsAsync(f.Tenant.Full(), f.PupilId, f.VersionId, f.GuardianId, ["photo:website=refused"]));
    }

    [Test]
    public async Task A_school_year_grant_counts_on_the_local_last_day_and_is_refused_from_local_midnight()
    {
        var f = await FamilyAsync("school-year", "2024-2025");
        await BackdateFormAsync(Factory, f.VersionId, new DateTimeOffset(2024, 9, 1, 8, 0, 0, TimeSpan.Zero));
        // 31 July 2025 in Amsterdam (UTC+2) ends at 22:00 UTC.
        var lastMinute = new DateTimeOffset(2025, 7, 31, 21, 59, 0, TimeSpan.Zero);
        var midnight = new DateTimeOffset(2025, 7, 31, 22, 0, 0, TimeSpan.Zero);

        Assert.That(await AssertGrantRefusedAsync(f, midnight), Does.Contain("ended"));

        await AssertRecordedAsync(await SendDecisionsAsync(f.Tenant.Full(), f.PupilId, f.VersionId, f.GuardianId, ["photo:website=granted"], lastMinute));
    }

    [Test]
    public async Task A_mixed_answer_with_one_grant_under_a_withdrawn_version_records_nothing()
    {
        var tenant = await CreateTenantAsync();
        var version = await PublishFormAsync(tenant.Admin(), ["photo:website", "photo:social-media"]);
        var full = tenant.Full();
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Daan de Vries");
        var guardian = await CreateGuardianAsync(full, "Marieke de Vries");
        await LinkAsync(full, pupil, guardian);
        var f = new Family(tenant, (Guid)version["formId"]!, (Guid)version["id"]!, pupil, guardian);
        await WithdrawAsync(f);

        var response = await SendDecisionsAsync(full, pupil, f.VersionId, guardian, ["photo:website=refused", "photo:social-media=granted"]);

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
        Assert.That(await DecisionCountAsync(pupil), Is.Zero);
    }
}
