using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.ConsentForms;

/// <summary>
/// POST /v1/consent-forms/{id}/versions/{number}/withdraw: a published version is taken back. It is no longer asked,
/// grants given to it end (takedowns open), refusals under it keep counting, and the past answers as it was.
/// </summary>
public sealed class FormVersionWithdrawalTests : ApiTest
{
    private sealed record Family(Tenant Tenant, Guid FormId, Guid VersionId, Guid PupilId, Guid GuardianId);

    /// <summary>A school's pupil with one guardian with authority, and a published form asking photo on the website.</summary>
    private async Task<Family> FamilyAsync()
    {
        var tenant = await CreateTenantAsync();
        var version = await PublishFormAsync(tenant.Admin(), ["photo:website", "photo:social-media"]);
        var full = tenant.Full();
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var guardian = await CreateGuardianAsync(full, "Marieke de Vries");
        await LinkAsync(full, pupil, guardian);
        return new Family(tenant, (Guid)version["formId"]!, (Guid)version["id"]!, pupil, guardian);
    }

    private static string WithdrawPath(Guid formId, int number = 1) => $"/v1/consent-forms/{formId}/versions/{number}/withdraw";

    private static async Task<JsonObject> WithdrawAsync(HttpClient admin, Guid formId, string? reason = null, int number = 1)
    {
        var response = reason is null
            ? await admin.PostAsync(WithdrawPath(formId, number), null)
            : await admin.PostAsJsonAsync(WithdrawPath(formId, number), new { reason });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    private static async Task<JsonObject> CheckAsync(HttpClient client, Guid pupilId, string channel, DateTimeOffset? at = null)
    {
        var response = await client.PostAsJsonAsync("/v1/publication-checks", new { pupilIds = new[] { pupilId }, mediaType = "photo", channel, at });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.ReadObjectAsync())["pupils"]!.AsArray().Single()!.AsObject();
    }

    private static string StateOf(JsonObject pupil) => $"{pupil["state"]} {pupil["reason"]}";

    [Test]
    public async Task Withdrawing_a_published_version_sets_its_status_moment_and_reason()
    {
        var f = await FamilyAsync();
        var admin = f.Tenant.Admin();

        var withdrawn = await WithdrawAsync(admin, f.FormId, "De tekst noemde het verkeerde kanaal.");

        Assert.Multiple(() =>
        {
            Assert.That((string?)withdrawn["status"], Is.EqualTo("withdrawn"));
            Assert.That(Moment(withdrawn["withdrawnAt"]), Is.EqualTo(Now).Within(TimeSpan.FromMinutes(1)));
            Assert.That((string?)withdrawn["withdrawalReason"], Is.EqualTo("De tekst noemde het verkeerde kanaal."));
            Assert.That((string?)withdrawn["contentHash"], Does.StartWith("sha256:"), "the hash keeps proving what was agreed to");
        });
        var read = await GetAsync(f.Tenant.Full(), $"/v1/consent-forms/{f.FormId}/versions/1");
        Assert.That((string?)read["status"], Is.EqualTo("withdrawn"));
        var summary = (await GetAsync(f.Tenant.Full(), $"/v1/consent-forms/{f.FormId}"))["versions"]![0]!;
        Assert.That($"{summary["status"]} {Moment(summary["withdrawnAt"]) == Moment(withdrawn["withdrawnAt"])}", Is.EqualTo("withdrawn True"));
    }

    [Test]
    public async Task Withdrawing_again_changes_nothing_and_keeps_the_first_moment_and_reason()
    {
        var f = await FamilyAsync();
        var admin = f.Tenant.Admin();
        var first = await WithdrawAsync(admin, f.FormId, "Verkeerd kanaal");

        var again = await WithdrawAsync(admin, f.FormId, "Nog een keer");
        var withoutReason = await WithdrawAsync(admin, f.FormId);

        Assert.That(new[] { again, withoutReason }.Select(v => $"{v["status"]} {Moment(v["withdrawnAt"]) == Moment(first["withdrawnAt"])} {v["withdrawalReason"]}"),
            Has.All.EqualTo("withdrawn True Verkeerd kanaal"));
    }

    [Test]
    public async Task Withdrawing_a_draft_is_a_conflict_and_leaves_it_a_draft()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal" })).ReadObjectAsync();
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = FormText, validity = "until-withdrawn", items = new[] { new { mediaType = "photo", channel = "website" } },
        })).EnsureSuccessStatusCode();

        await AssertProblemAsync(await admin.PostAsync(WithdrawPath((Guid)form["id"]!), null), HttpStatusCode.Conflict, "conflict");

        Assert.That((string?)(await GetAsync(tenant.Full(), $"/v1/consent-forms/{form["id"]}/versions/1"))["status"], Is.EqualTo("draft"));
    }

    [Test]
    public async Task Withdrawing_an_unknown_version_is_not_found()
    {
        var f = await FamilyAsync();

        await AssertProblemAsync(await f.Tenant.Admin().PostAsync(WithdrawPath(f.FormId, 7), null), HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_withdrawn_version_can_be_neither_edited_nor_published_again()
    {
        var f = await FamilyAsync();
        var admin = f.Tenant.Admin();
        await WithdrawAsync(admin, f.FormId);

        await AssertProblemAsync(await admin.PostAsync($"/v1/consent-forms/{f.FormId}/versions/1/publish", null), HttpStatusCode.Conflict, "conflict");
        await AssertProblemAsync(await admin.PutAsJsonAsync($"/v1/consent-forms/{f.FormId}/versions/1", new
        {
            textNl = FormText, validity = "until-withdrawn", items = new[] { new { mediaType = "photo", channel = "website" } },
        }), HttpStatusCode.Conflict, "conflict");
        Assert.That((string?)(await GetAsync(f.Tenant.Full(), $"/v1/consent-forms/{f.FormId}/versions/1"))["status"], Is.EqualTo("withdrawn"));
    }

    [Test]
    public async Task A_withdrawn_version_is_no_longer_asked_but_was_asked_before_its_withdrawal()
    {
        var f = await FamilyAsync();
        var full = f.Tenant.Full();
        var before = Now;
        Assert.That(StateOf(await CheckAsync(full, f.PupilId, "website")), Is.EqualTo("pending no-answer"));
        await Task.Delay(20);

        await WithdrawAsync(f.Tenant.Admin(), f.FormId);

        Assert.That(StateOf(await CheckAsync(full, f.PupilId, "website")), Is.EqualTo("not-asked not-asked"));
        Assert.That(StateOf(await CheckAsync(full, f.PupilId, "website", before)), Is.EqualTo("pending no-answer"),
            "a moment before the withdrawal answers as it was then");
    }

    [Test]
    public async Task Grants_given_to_a_withdrawn_version_end_and_open_takedowns_while_refusals_keep_counting()
    {
        var f = await FamilyAsync();
        var full = f.Tenant.Full();
        var sibling = await CreatePupilAsync(full, f.Tenant.SchoolId, "Daan de Vries");
        await LinkAsync(full, sibling, f.GuardianId);
        await DecideAsync(full, f.PupilId, f.VersionId, f.GuardianId, "granted", ["photo:website"]);
        await DecideAsync(full, sibling, f.VersionId, f.GuardianId, "refused", ["photo:website"]);
        var publication = await RegisterAsync(full, f.Tenant.SchoolId, "website", "photo", [f.PupilId]);
        Assert.That(await OpenTakedownsAsync(full), Is.Empty);

        await WithdrawAsync(f.Tenant.Admin(), f.FormId, "Verkeerde tekst");

        var now = StateOf(await CheckAsync(full, f.PupilId, "website"));
        var refused = StateOf(await CheckAsync(full, sibling, "website"));
        var then = StateOf(await CheckAsync(full, f.PupilId, "website", Moment(publication["publishedAt"])));
        Assert.Multiple(() =>
        {
            Assert.That(now, Is.EqualTo("expired form-version-withdrawn"));
            Assert.That(refused, Is.EqualTo("refused refused-by-guardian"));
            Assert.That(then, Is.EqualTo("granted granted-by-guardian"), "the publication was lawful when it was made");
        });
        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo((Guid)publication["id"]!));
        Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[] { Pupil(f.PupilId, "expired", "form-version-withdrawn") }));
        var last = (await EventsAsync(Factory, f.Tenant.OrganisationId)).Where(e => e.Type == "consent.changed")
            .Select(e => PayloadOf(e)["data"]!).Last(d => (Guid?)d["pupilId"] == f.PupilId);
        Assert.That(last["items"]!.AsArray().Select(i => $"{i!["mediaType"]} {i["channel"]} {i["oldState"]}->{i["newState"]}"),
            Does.Contain("photo website granted->expired"), "the ended grant is announced");
    }

    [Test]
    public async Task A_new_version_can_be_granted_after_a_withdrawal()
    {
        var f = await FamilyAsync();
        var admin = f.Tenant.Admin();
        var full = f.Tenant.Full();
        await DecideAsync(full, f.PupilId, f.VersionId, f.GuardianId, "granted", ["photo:website"]);
        await WithdrawAsync(admin, f.FormId);
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{f.FormId}/versions", new
        {
            textNl = FormText, validity = "until-withdrawn", items = new[] { new { mediaType = "photo", channel = "website" } },
        })).EnsureSuccessStatusCode();
        var second = await (await admin.PostAsync($"/v1/consent-forms/{f.FormId}/versions/2/publish", null)).ReadObjectAsync();
        Assert.That(StateOf(await CheckAsync(full, f.PupilId, "website")), Is.EqualTo("expired form-version-withdrawn"));

        await DecideAsync(full, f.PupilId, (Guid)second["id"]!, f.GuardianId, "granted", ["photo:website"]);

        Assert.That(StateOf(await CheckAsync(full, f.PupilId, "website")), Is.EqualTo("granted granted-by-guardian"));
    }
}
