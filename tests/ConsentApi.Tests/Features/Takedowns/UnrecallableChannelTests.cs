using System.Net;
using System.Net.Http.Json;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Takedowns;

/// <summary>
/// A channel whose items cannot be recalled (a printed school guide) gets takedowns of their own kind: "do not reprint or
/// hand out again", acknowledged rather than done. Its recall setting is in the channel's history and ends no grant.
/// </summary>
public sealed class UnrecallableChannelTests : ApiTest
{
    private sealed record ChannelHistoryRow(string Recall, string MeaningSince);

    private Task<List<ChannelHistoryRow>> HistoryAsync(Guid organisationId, string key) =>
        Factory.QueryAsync(db => db.Database.SqlQuery<ChannelHistoryRow>($"""
            SELECT recall, meaning_since::text AS meaning_since FROM channel_changes
            WHERE organisation_id = {organisationId} AND channel_key = {key} ORDER BY id
            """).ToListAsync());

    [Test]
    public async Task A_printed_channels_publication_after_a_withdrawal_gets_a_do_not_reprint_takedown_that_ends_acknowledged()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var full = tenant.Full();
        var created = await admin.PostAsJsonAsync("/v1/channels",
            new { key = "printed-guide", nameNl = "Gedrukte schoolgids", nameEn = "Printed school guide", audience = "public", recall = "not-recallable" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        Assert.That((string?)(await GetAsync(full, "/v1/channels/printed-guide"))["recall"], Is.EqualTo("not-recallable"));
        Assert.That((string?)(await GetAsync(full, "/v1/channels/website"))["recall"], Is.EqualTo("removable"), "the default");

        string[] items = ["photo:printed-guide", "photo:website"];
        var versionId = (Guid)(await PublishFormAsync(admin, items))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var guardian = await CreateGuardianAsync(full, "Ouder de Vries");
        await LinkAsync(full, pupil, guardian);
        await DecideAsync(full, pupil, versionId, guardian, "granted", items);
        var printed = (Guid)(await RegisterAsync(full, tenant.SchoolId, "printed-guide", "photo", [pupil]))["id"]!;
        var online = (Guid)(await RegisterAsync(full, tenant.SchoolId, "website", "photo", [pupil]))["id"]!;

        await DecideAsync(full, pupil, versionId, guardian, "refused", items);

        var open = await OpenTakedownsAsync(full);
        var kinds = open.ToDictionary(t => (Guid)t!["publicationId"]!, t => (string?)t!["kind"]);
        Assert.That(kinds, Is.EqualTo(new Dictionary<Guid, string?> { [printed] = "do-not-reprint", [online] = "removal" }), open.ToJsonString());
        var opened = (await EventsAsync(Factory, tenant.OrganisationId)).Where(e => e.Type == EventTypes.TakedownOpened)
            .Select(e => PayloadOf(e)["data"]!).ToDictionary(d => (Guid)d["publicationId"]!, d => (string?)d["kind"]);
        Assert.That(opened, Is.EqualTo(kinds), "takedown.opened carries the kind");

        var takedownId = open.Single(t => (Guid)t!["publicationId"]! == printed)!["id"];
        var completed = await full.PostAsJsonAsync($"/v1/takedowns/{takedownId}/complete",
            new { completedBy = "Directie OBS De Regenboog", note = "Restvoorraad schoolgids vernietigd; geen herdruk." });

        Assert.That(completed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await completed.Content.ReadAsStringAsync());
        var takedown = await completed.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That((string?)takedown["status"], Is.EqualTo("acknowledged"));
            Assert.That((string?)takedown["kind"], Is.EqualTo("do-not-reprint"));
        });
        Assert.That((await ItemsAsync(full, "/v1/takedowns?status=acknowledged")).Select(t => (string?)t!["id"]), Is.EqualTo(new[] { (string?)takedownId }));
        Assert.That((string?)(await GetAsync(full, $"/v1/publications/{printed}"))["status"], Is.EqualTo("removed"));
        var again = await full.PostAsJsonAsync($"/v1/takedowns/{takedownId}/complete", new { completedBy = "Directie" });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await again.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Changing_a_channels_recall_is_kept_in_its_history_and_ends_no_grant()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var full = tenant.Full();
        string[] items = ["photo:school-guide"];
        var versionId = (Guid)(await PublishFormAsync(admin, items))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var guardian = await CreateGuardianAsync(full, "Ouder de Vries");
        await LinkAsync(full, pupil, guardian);
        await DecideAsync(full, pupil, versionId, guardian, "granted", items);

        var updated = await admin.PutAsJsonAsync("/v1/channels/school-guide",
            new { nameNl = "Schoolgids", nameEn = "School guide", audience = "public", recall = "not-recallable" });

        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK), await updated.Content.ReadAsStringAsync());
        Assert.That((string?)(await updated.ReadObjectAsync())["recall"], Is.EqualTo("not-recallable"));
        var history = await HistoryAsync(tenant.OrganisationId, "school-guide");
        Assert.That(history.Select(h => h.Recall), Is.EqualTo(new[] { "Removable", "NotRecallable" }));
        Assert.That(history[1].MeaningSince, Is.EqualTo(history[0].MeaningSince), "recall is not part of what was consented to");
        var check = await full.PostAsJsonAsync("/v1/publication-checks", new { pupilIds = new[] { pupil }, mediaType = "photo", channel = "school-guide" });
        Assert.That((bool?)(await check.ReadObjectAsync())["allowed"], Is.True);

        var renamed = await admin.PutAsJsonAsync("/v1/channels/school-guide",
            new { nameNl = "Schoolgids (druk)", nameEn = "School guide", audience = "public" });
        Assert.That((string?)(await renamed.ReadObjectAsync())["recall"], Is.EqualTo("not-recallable"), "left as it is when not given");
    }
}
