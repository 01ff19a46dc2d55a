using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// Two times, always: `at` (when it held) and `asKnownAt` (what the record knew). A paper form keyed in late changes what
/// we now know held in the past, but not what the record said then: the proof a school gives an inquiry.
/// </summary>
public sealed class AsKnownAtTests : ApiTest
{
    private static readonly DateTimeOffset LongAgo = new(2025, 8, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed record Family(Tenant Tenant, Guid Pupil, Guid Guardian, Guid Version, Guid GroupId);

    private async Task<Family> FamilyAsync()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var group = await tenant.Full().PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/groups",
            new { externalId = "G5", name = "Groep 5", schoolYear = "2026-2027" });
        var groupId = (Guid)(await group.ReadObjectAsync())["id"]!;
        var pupil = await tenant.Full().PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/pupils",
            new { externalId = "L1", displayName = "Sanne", dateOfBirth = "2016-03-01", groupId });
        var pupilId = (Guid)(await pupil.ReadObjectAsync())["id"]!;
        var guardian = await CreateGuardianAsync(tenant.Full(), "Marieke");
        await LinkAsync(tenant.Full(), pupilId, guardian);
        var version = (Guid)(await PublishFormAsync(tenant.Admin(), ["photo:website"]))["id"]!;
        await BackdateFormAsync(Factory, version, LongAgo);
        return new Family(tenant, pupilId, guardian, version, groupId);
    }

    private static async Task<string> CheckAsync(Family family, DateTimeOffset at, DateTimeOffset? asKnownAt = null)
    {
        var response = await family.Tenant.Full().PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds = new[] { family.Pupil }, mediaType = "photo", channel = "website", at, asKnownAt });
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var check = JsonNode.Parse(body)!;
        return $"{check["pupils"]![0]!["state"]} {check["pupils"]![0]!["reason"]}";
    }

    [Test]
    public async Task A_late_paper_refusal_changes_what_we_know_of_the_past_but_not_what_the_record_said_then()
    {
        var family = await FamilyAsync();
        var now = DateTimeOffset.UtcNow;
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, family.Guardian, "granted", ["photo:website"], now.AddDays(-20));
        var beforeThePaperForm = await Marks.NowAsync();

        // Signed on paper 10 days ago, keyed in only now.
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, family.Guardian, "refused", ["photo:website"], now.AddDays(-10));

        var fiveDaysAgo = now.AddDays(-5);
        Assert.Multiple(async () =>
        {
            Assert.That(await CheckAsync(family, fiveDaysAgo), Is.EqualTo("refused refused-by-guardian"), "as known now");
            Assert.That(await CheckAsync(family, fiveDaysAgo, beforeThePaperForm), Is.EqualTo("granted granted-by-guardian"), "as known then");
            Assert.That(await CheckAsync(family, now.AddDays(-15), now.AddDays(-15)), Is.EqualTo("pending no-guardian-with-authority"),
                "fifteen days ago the record knew neither the guardian nor the grant: both were keyed in later");
        });
    }

    [Test]
    public async Task A_back_dated_grant_does_not_make_a_refused_moment_look_allowed_as_it_was_known()
    {
        var family = await FamilyAsync();
        var now = DateTimeOffset.UtcNow;
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, family.Guardian, "refused", ["photo:website"], now.AddDays(-20));
        var publishedAt = await Marks.NowAsync();

        // A grant dated before the publication, keyed in after it.
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, family.Guardian, "granted", ["photo:website"], now.AddDays(-1));

        Assert.That(await CheckAsync(family, publishedAt, publishedAt), Is.EqualTo("refused refused-by-guardian"));
        Assert.That(await CheckAsync(family, publishedAt), Is.EqualTo("granted granted-by-guardian"));
    }

    [Test]
    public async Task The_matrix_and_the_class_sheet_answer_as_known_at_a_moment_too()
    {
        var family = await FamilyAsync();
        var now = DateTimeOffset.UtcNow;
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, family.Guardian, "granted", ["photo:website"], now.AddDays(-20));
        var mark = await Marks.NowAsync();
        await DecideAsync(family.Tenant.Full(), family.Pupil, family.Version, family.Guardian, "refused", ["photo:website"], now.AddDays(-10));
        var at = Iso(now.AddDays(-5));
        var known = Iso(mark);

        var matrixThen = await GetAsync(family.Tenant.Full(), $"/v1/pupils/{family.Pupil}/consents?at={at}&asKnownAt={known}");
        var matrixNow = await GetAsync(family.Tenant.Full(), $"/v1/pupils/{family.Pupil}/consents?at={at}");
        var sheetThen = await GetAsync(family.Tenant.Full(),
            $"/v1/schools/{family.Tenant.SchoolId}/groups/{family.GroupId}/consent-overview?at={at}&asKnownAt={known}");

        string Website(JsonNode matrix) => (string)matrix["items"]!.AsArray()
            .Single(i => (string?)i!["mediaType"] == "photo" && (string?)i["channel"] == "website")!["state"]!;
        string Cell(JsonNode sheet) => (string)sheet["pupils"]![0]!["cells"]!.AsArray()
            .Single(c => (string?)c!["mediaType"] == "photo" && (string?)c["channel"] == "website")!["state"]!;
        Assert.Multiple(() =>
        {
            Assert.That(Website(matrixThen), Is.EqualTo("granted"));
            Assert.That(Moment(matrixThen["asKnownAt"]), Is.EqualTo(mark));
            Assert.That(Website(matrixNow), Is.EqualTo("refused"));
            Assert.That(Cell(sheetThen), Is.EqualTo("granted"));
            Assert.That(Moment(sheetThen["asKnownAt"]), Is.EqualTo(mark));
        });
    }

    [Test]
    public async Task Without_either_time_an_answer_is_about_now_as_known_now_one_and_the_same_moment()
    {
        var family = await FamilyAsync();

        var matrix = await GetAsync(family.Tenant.Full(), $"/v1/pupils/{family.Pupil}/consents");
        var check = await (await family.Tenant.Full().PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds = new[] { family.Pupil }, mediaType = "photo", channel = "website" })).ReadObjectAsync();

        Assert.That(Moment(matrix["asKnownAt"]), Is.EqualTo(Moment(matrix["at"])));
        Assert.That(Moment(check["asKnownAt"]), Is.EqualTo(Moment(check["at"])));
    }

    [Test]
    public async Task A_future_as_known_at_is_a_validation_problem()
    {
        var family = await FamilyAsync();
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1);

        var check = await family.Tenant.Full().PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds = new[] { family.Pupil }, mediaType = "photo", channel = "website", asKnownAt = tomorrow });
        var matrix = await family.Tenant.Full().GetAsync($"/v1/pupils/{family.Pupil}/consents?asKnownAt={Iso(tomorrow)}");
        var malformed = await family.Tenant.Full().GetAsync($"/v1/pupils/{family.Pupil}/consents?asKnownAt=2026-09-01");

        Assert.That(ErrorKeys(await AssertProblemAsync(check, HttpStatusCode.BadRequest, "validation")), Is.EqualTo(new[] { "asKnownAt" }));
        Assert.That(ErrorKeys(await AssertProblemAsync(matrix, HttpStatusCode.BadRequest, "validation")), Is.EqualTo(new[] { "asKnownAt" }));
        Assert.That(ErrorKeys(await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "validation")), Is.EqualTo(new[] { "asKnownAt" }));
    }
}
