using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>Every batch of decisions yields a receipt the guardian can keep, and it can be fetched again.</summary>
public sealed class ReceiptTests : ApiTest
{
    private const string TextNl = "Wij vragen uw toestemming voor foto's van uw kind op onze sociale media en website.";
    private const string TextEn = "We ask your consent for photos of your child on our social media and website.";

    private async Task<(Tenant Tenant, Guid PupilId, Guid GuardianId, JsonObject Version)> SetUpAsync(string? textEn = TextEn)
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var full = tenant.Full();
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal" })).ReadObjectAsync();
        var formId = (Guid)form["id"]!;
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{formId}/versions", new
        {
            textNl = TextNl, textEn, validity = "until-withdrawn",
            items = new[] { new { mediaType = "photo", channel = "social-media" }, new { mediaType = "photo", channel = "website" } },
        })).EnsureSuccessStatusCode();
        var version = await (await admin.PostAsync($"/v1/consent-forms/{formId}/versions/1/publish", null)).ReadObjectAsync();
        var pupil = await (await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/pupils",
            new { externalId = "LL1", displayName = "Sanne de Vries", dateOfBirth = "2017-03-14" })).ReadObjectAsync();
        var guardian = await (await full.PostAsJsonAsync("/v1/guardians", new { externalId = "OV1", displayName = "Marieke de Vries" })).ReadObjectAsync();
        (await full.PutAsJsonAsync($"/v1/pupils/{pupil["id"]}/guardians/{guardian["id"]}", new { hasParentalAuthority = true })).EnsureSuccessStatusCode();
        return (tenant, (Guid)pupil["id"]!, (Guid)guardian["id"]!, version);
    }

    private static Task<HttpResponseMessage> DecideAsync(Tenant tenant, Guid pupilId, Guid guardianId, JsonObject version, string? language) =>
        tenant.Full().PostAsJsonAsync($"/v1/pupils/{pupilId}/decisions", new
        {
            formVersionId = (Guid)version["id"]!, decidedBy = "guardian", guardianId, method = "parent-app", language,
            items = new[]
            {
                new { mediaType = "photo", channel = "social-media", outcome = "granted" },
                new { mediaType = "photo", channel = "website", outcome = "refused" },
            },
        });

    [Test]
    public async Task The_receipt_names_the_exact_text_answered_and_can_be_fetched_again()
    {
        var (tenant, pupilId, guardianId, version) = await SetUpAsync();

        var recorded = await (await DecideAsync(tenant, pupilId, guardianId, version, null)).ReadObjectAsync();

        var receipt = recorded["receipt"]!.AsObject();
        var organisation = await (await tenant.Admin().GetAsync($"/v1/organisations/{tenant.OrganisationId}")).ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)receipt["receiptId"], Is.EqualTo((Guid)recorded["batchId"]!));
            Assert.That((string?)receipt["schemaVersion"], Does.Contain("27560"));
            Assert.That((string?)receipt["controller"]!["name"], Is.EqualTo((string?)organisation["name"]));
            Assert.That((Guid?)receipt["subject"]!["pupilId"], Is.EqualTo(pupilId));
            Assert.That((Guid?)receipt["subject"]!["schoolId"], Is.EqualTo(tenant.SchoolId));
            Assert.That((string?)receipt["decidedBy"]!["type"], Is.EqualTo("guardian"));
            Assert.That((Guid?)receipt["decidedBy"]!["guardianId"], Is.EqualTo(guardianId));
            Assert.That((string?)receipt["notice"]!["contentHash"], Is.EqualTo((string?)version["contentHash"]).And.StartWith("sha256:"));
            Assert.That((Guid?)receipt["notice"]!["formVersionId"], Is.EqualTo((Guid)version["id"]!));
            Assert.That((int?)receipt["notice"]!["version"], Is.EqualTo(1));
            Assert.That((string?)receipt["notice"]!["language"], Is.EqualTo("nl"));
            Assert.That(receipt["purposes"]!.AsArray().Select(p => $"{p!["mediaType"]}:{p["channel"]}:{p["channelName"]}:{p["outcome"]}"),
                Is.EqualTo(new[] { "photo:social-media:Sociale media:granted", "photo:website:Website:refused" }));
            Assert.That((string?)receipt["method"], Is.EqualTo("parent-app"));
            Assert.That((string?)receipt["withdrawalInstructions"], Does.Contain("withdrawn at any time"));
            Assert.That(receipt.ToJsonString(), Does.Not.Contain("Sanne").And.Not.Contain("Marieke"), "no names on the receipt");
        });

        var fetched = await (await tenant.Full().GetAsync($"/v1/receipts/{recorded["batchId"]}")).ReadObjectAsync();
        Assert.That(JsonNode.DeepEquals(fetched, receipt), Is.True, fetched.ToJsonString());
    }

    [Test]
    public async Task A_receipt_records_the_language_read()
    {
        var (tenant, pupilId, guardianId, version) = await SetUpAsync();
        var recorded = await (await DecideAsync(tenant, pupilId, guardianId, version, "en")).ReadObjectAsync();
        Assert.That((string?)recorded["receipt"]!["notice"]!["language"], Is.EqualTo("en"));
    }

    [Test]
    public async Task English_cannot_be_claimed_for_a_version_without_an_english_text()
    {
        var (tenant, pupilId, guardianId, version) = await SetUpAsync(textEn: null);
        var problem = await AssertProblemAsync(await DecideAsync(tenant, pupilId, guardianId, version, "en"), HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "language" }));
    }

    [Test]
    public async Task An_unknown_receipt_is_not_found()
    {
        var tenant = await CreateTenantAsync();
        await AssertProblemAsync(await tenant.Full().GetAsync($"/v1/receipts/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not-found");
    }
}
