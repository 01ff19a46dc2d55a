using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain;
using ConsentApi.Features.Audit;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Pupils;
using ConsentApi.Features.Roster;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentApi.Tests.Features.Roster;

public sealed class SyncRosterTests : ApiTest
{
    private const string BirthDate = "2016-03-01";

    // ---- roster building blocks (anonymous objects, serialised camelCase like any client would) ----

    private static object Group(string externalId, string? name = null, string schoolYear = "2026-2027") =>
        new { externalId, name = name ?? $"Groep {externalId}", schoolYear };

    private static object Guardian(string externalId, string? displayName = null) =>
        new { externalId, displayName = displayName ?? $"Ouder {externalId}" };

    private static object Link(string externalId, bool hasParentalAuthority = true) => new { externalId, hasParentalAuthority };

    private static object Pupil(string externalId, string? group, object[]? guardians = null, string? displayName = null,
        string dateOfBirth = BirthDate) =>
        new { externalId, displayName = displayName ?? $"Leerling {externalId}", dateOfBirth, groupExternalId = group, guardians };

    private static object Roster(object[] groups, object[] pupils, object[] guardians) => new { groups, pupils, guardians };

    private static Task<HttpResponseMessage> SyncAsync(HttpClient client, Guid schoolId, object roster) =>
        client.PutAsJsonAsync($"/v1/schools/{schoolId}/roster", roster);

    private static async Task<RosterSyncResponse> SyncOkAsync(HttpClient client, Guid schoolId, object roster)
    {
        var response = await SyncAsync(client, schoolId, roster);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<RosterSyncResponse>();
    }

    private static RosterSyncResponse Counts(
        (int Created, int Updated, int Unchanged) groups,
        (int Created, int Updated, int Left, int Unchanged) pupils,
        (int Created, int Updated, int Unchanged) guardians,
        (int Created, int Updated, int Removed) links) =>
        new(new RosterCounts(groups.Created, groups.Updated, groups.Unchanged),
            new PupilRosterCounts(pupils.Created, pupils.Updated, pupils.Left, pupils.Unchanged),
            new RosterCounts(guardians.Created, guardians.Updated, guardians.Unchanged),
            new LinkRosterCounts(links.Created, links.Updated, links.Removed));

    /// <summary>Every roster row of the organisation, as text, in a stable order: for before/after comparisons.</summary>
    private Task<List<string>> SnapshotAsync(Guid organisationId) => Factory.QueryAsync(async db =>
    {
        var schoolIds = await db.Schools.Where(s => s.OrganisationId == organisationId).Select(s => s.Id).ToListAsync();
        var groups = await db.Groups.AsNoTracking().Where(g => schoolIds.Contains(g.SchoolId)).OrderBy(g => g.Id).ToListAsync();
        var pupils = await db.Pupils.AsNoTracking().Where(p => p.OrganisationId == organisationId).OrderBy(p => p.Id).ToListAsync();
        var guardians = await db.Guardians.AsNoTracking().Where(g => g.OrganisationId == organisationId).OrderBy(g => g.Id).ToListAsync();
        var pupilIds = pupils.Select(p => p.Id).ToList();
        var links = await db.GuardianLinks.AsNoTracking().Where(l => pupilIds.Contains(l.PupilId))
            .OrderBy(l => l.PupilId).ThenBy(l => l.GuardianId).ToListAsync();
        return groups.Select(g => $"group {g.Id} {g.SchoolId} {g.ExternalId} {g.Name} {g.SchoolYear}")
            .Concat(pupils.Select(p =>
                $"pupil {p.Id} {p.SchoolId} {p.ExternalId} {p.DisplayName} {p.DateOfBirth:O} {p.GroupId} {p.Status} {p.LeftOn:O}"))
            .Concat(guardians.Select(g => $"guardian {g.Id} {g.ExternalId} {g.DisplayName}"))
            .Concat(links.Select(l => $"link {l.PupilId} {l.GuardianId} {l.HasParentalAuthority}"))
            .ToList();
    });

    /// <summary>The organisation's guardian links as "pupilExternalId-&gt;guardianExternalId:authority".</summary>
    private Task<List<string>> LinksAsync(Guid organisationId) => Factory.QueryAsync(db =>
        (from l in db.GuardianLinks
         join p in db.Pupils on l.PupilId equals p.Id
         join g in db.Guardians on l.GuardianId equals g.Id
         where p.OrganisationId == organisationId
         select p.ExternalId + "->" + g.ExternalId + ":" + (l.HasParentalAuthority ? "true" : "false"))
        .ToListAsync());

    private Task<(int Pupils, int Guardians, int Groups)> CountsInDbAsync(Guid organisationId) => Factory.QueryAsync(async db =>
        (await db.Pupils.CountAsync(p => p.OrganisationId == organisationId),
         await db.Guardians.CountAsync(g => g.OrganisationId == organisationId),
         await db.Groups.CountAsync(g => db.Schools.Any(s => s.Id == g.SchoolId && s.OrganisationId == organisationId))));

    private static async Task<Dictionary<string, PupilResponse>> PupilsByExternalIdAsync(HttpClient client, Guid schoolId)
    {
        var page = await (await client.GetAsync($"/v1/schools/{schoolId}/pupils?limit=200")).ReadAsync<Page<PupilResponse>>();
        Assert.That(page.NextCursor, Is.Null);
        return page.Items.ToDictionary(p => p.ExternalId);
    }

    private static async Task<Dictionary<string, Guid>> GroupIdsAsync(HttpClient client, Guid schoolId)
    {
        var page = await (await client.GetAsync($"/v1/schools/{schoolId}/groups?limit=200")).ReadAsync<Page<GroupResponse>>();
        return page.Items.ToDictionary(g => g.ExternalId, g => g.Id);
    }

    private static DateOnly TodayUtc => LocalDay.Today;

    /// <summary>Two groups, four guardians, three pupils: P1 with two guardians, P2 with two, P3 without group or guardians.</summary>
    private static object BaseRoster() => Roster(
        [Group("G5A", "Groep 5a"), Group("G6B", "Groep 6b")],
        [
            Pupil("P1", "G5A", [Link("O1"), Link("O2", false)], "Sanne de Vries", "2016-03-01"),
            Pupil("P2", "G6B", [Link("O3"), Link("O4", false)], "Daan Jansen", "2015-07-12"),
            Pupil("P3", null, null, "Noor Bakker", "2017-11-30"),
        ],
        [Guardian("O1", "Marieke de Vries"), Guardian("O2", "Peter de Vries"), Guardian("O3", "Fatima Jansen"), Guardian("O4", "Ahmed Jansen")]);

    [Test]
    public async Task First_sync_creates_groups_pupils_guardians_and_links_and_reads_back()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();

        var result = await SyncOkAsync(client, tenant.SchoolId, BaseRoster());

        Assert.That(result, Is.EqualTo(Counts((2, 0, 0), (3, 0, 0, 0), (4, 0, 0), (4, 0, 0))));

        var groups = await GroupIdsAsync(client, tenant.SchoolId);
        Assert.That(groups.Keys, Is.EquivalentTo(new[] { "G5A", "G6B" }));

        var pupils = await PupilsByExternalIdAsync(client, tenant.SchoolId);
        Assert.That(pupils.Keys, Is.EquivalentTo(new[] { "P1", "P2", "P3" }));
        Assert.Multiple(() =>
        {
            Assert.That(pupils["P1"] with { Id = Guid.Empty }, Is.EqualTo(new PupilResponse(Guid.Empty, tenant.SchoolId, "P1",
                "Sanne de Vries", new DateOnly(2016, 3, 1), groups["G5A"], PupilStatus.Active, null)));
            Assert.That(pupils["P2"] with { Id = Guid.Empty }, Is.EqualTo(new PupilResponse(Guid.Empty, tenant.SchoolId, "P2",
                "Daan Jansen", new DateOnly(2015, 7, 12), groups["G6B"], PupilStatus.Active, null)));
            Assert.That(pupils["P3"] with { Id = Guid.Empty }, Is.EqualTo(new PupilResponse(Guid.Empty, tenant.SchoolId, "P3",
                "Noor Bakker", new DateOnly(2017, 11, 30), null, PupilStatus.Active, null)));
        });

        var o4 = await (await client.GetAsync("/v1/guardians?externalId=O4")).ReadAsync<Page<GuardianResponse>>();
        Assert.That(o4.Items.Select(g => (g.ExternalId, g.DisplayName)), Is.EqualTo(new[] { ("O4", "Ahmed Jansen") }));
        Assert.That(await LinksAsync(tenant.OrganisationId),
            Is.EquivalentTo(new[] { "P1->O1:true", "P1->O2:false", "P2->O3:true", "P2->O4:false" }));

        // The detail reads last, so that everything above is checked even if they fail.
        var p1 = await (await client.GetAsync($"/v1/pupils/{pupils["P1"].Id}")).ReadAsync<PupilDetailResponse>();
        Assert.That(p1.Guardians.Select(g => (g.ExternalId, g.DisplayName, g.HasParentalAuthority)),
            Is.EquivalentTo(new[] { ("O1", "Marieke de Vries", true), ("O2", "Peter de Vries", false) }));
        var p3 = await (await client.GetAsync($"/v1/pupils/{pupils["P3"].Id}")).ReadAsync<PupilDetailResponse>();
        Assert.That(p3.Guardians, Is.Empty);
        var o4Detail = await (await client.GetAsync($"/v1/guardians/{o4.Items[0].Id}")).ReadAsync<GuardianDetailResponse>();
        Assert.That(o4Detail.Pupils, Is.EqualTo(new[]
        {
            new GuardianPupilResponse(pupils["P2"].Id, tenant.SchoolId, "Daan Jansen", false),
        }));
    }

    [Test]
    public async Task Resending_the_identical_roster_reports_everything_unchanged_and_changes_no_row()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        await SyncOkAsync(client, tenant.SchoolId, BaseRoster());
        var before = await SnapshotAsync(tenant.OrganisationId);

        var result = await SyncOkAsync(client, tenant.SchoolId, BaseRoster());

        Assert.That(result, Is.EqualTo(Counts((0, 0, 2), (0, 0, 0, 3), (0, 0, 4), (0, 0, 0))));
        var after = await SnapshotAsync(tenant.OrganisationId);
        Assert.That(before, Has.Count.EqualTo(2 + 3 + 4 + 4));
        Assert.That(after, Is.EqualTo(before));
    }

    [Test]
    public async Task A_pupil_absent_from_the_roster_is_marked_left_kept_with_its_links_and_rejoins_when_sent_again()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        object[] groups = [Group("G1")];
        object[] guardians = [Guardian("A"), Guardian("B")];
        var p1 = Pupil("P1", "G1", [Link("A")]);
        var p2 = Pupil("P2", "G1", [Link("B"), Link("A", false)]);
        await SyncOkAsync(client, tenant.SchoolId, Roster(groups, [p1, p2], guardians));
        var p2Id = (await PupilsByExternalIdAsync(client, tenant.SchoolId))["P2"].Id;

        var leaving = await SyncOkAsync(client, tenant.SchoolId, Roster(groups, [p1], guardians));

        Assert.That(leaving, Is.EqualTo(Counts((0, 0, 1), (0, 0, 1, 1), (0, 0, 2), (0, 0, 0))));
        var afterLeaving = await PupilsByExternalIdAsync(client, tenant.SchoolId);
        Assert.Multiple(() =>
        {
            Assert.That(afterLeaving.Keys, Is.EquivalentTo(new[] { "P1", "P2" }), "a pupil that left is kept");
            Assert.That(afterLeaving["P2"].Id, Is.EqualTo(p2Id));
            Assert.That(afterLeaving["P2"].Status, Is.EqualTo(PupilStatus.Left));
            Assert.That(afterLeaving["P2"].LeftOn, Is.EqualTo(TodayUtc));
            Assert.That(afterLeaving["P1"].Status, Is.EqualTo(PupilStatus.Active));
            Assert.That(afterLeaving["P1"].LeftOn, Is.Null);
        });
        var listJson = await (await client.GetAsync($"/v1/schools/{tenant.SchoolId}/pupils?externalId=P2")).ReadObjectAsync();
        var p2Json = listJson["items"]![0]!;
        Assert.That(((string?)p2Json["status"], (string?)p2Json["leftOn"]), Is.EqualTo(("left", (string?)TodayUtc.ToString("yyyy-MM-dd"))));
        Assert.That(await Factory.QueryAsync(db => db.Pupils.CountAsync(p => p.SchoolId == tenant.SchoolId)), Is.EqualTo(2));
        Assert.That(await LinksAsync(tenant.OrganisationId), Is.EquivalentTo(new[] { "P1->A:true", "P2->B:true", "P2->A:false" }),
            "a pupil that left keeps its guardian links");

        var stillAbsent = await SyncOkAsync(client, tenant.SchoolId, Roster(groups, [p1], guardians));
        Assert.That(stillAbsent, Is.EqualTo(Counts((0, 0, 1), (0, 0, 0, 2), (0, 0, 2), (0, 0, 0))),
            "a pupil that already left is not counted as leaving again");
        var stillLeft = (await PupilsByExternalIdAsync(client, tenant.SchoolId))["P2"];
        Assert.That((stillLeft.Status, stillLeft.LeftOn), Is.EqualTo((PupilStatus.Left, (DateOnly?)TodayUtc)));

        var rejoining = await SyncOkAsync(client, tenant.SchoolId, Roster(groups, [p1, p2], guardians));

        Assert.That(rejoining, Is.EqualTo(Counts((0, 0, 1), (0, 1, 0, 1), (0, 0, 2), (0, 0, 0))));
        var back = (await PupilsByExternalIdAsync(client, tenant.SchoolId))["P2"];
        Assert.Multiple(() =>
        {
            Assert.That(back.Id, Is.EqualTo(p2Id));
            Assert.That(back.Status, Is.EqualTo(PupilStatus.Active));
            Assert.That(back.LeftOn, Is.Null);
        });
        Assert.That(await LinksAsync(tenant.OrganisationId), Is.EquivalentTo(new[] { "P1->A:true", "P2->B:true", "P2->A:false" }));
        Assert.That(await Factory.QueryAsync(db => db.Pupils.CountAsync(p => p.SchoolId == tenant.SchoolId)), Is.EqualTo(2));
    }

    [Test]
    public async Task Left_pupils_can_be_listed_with_the_status_filter_spelled_as_in_the_json()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        await SyncOkAsync(client, tenant.SchoolId, BaseRoster());
        await SyncOkAsync(client, tenant.SchoolId, Roster([Group("G5A", "Groep 5a"), Group("G6B", "Groep 6b")],
            [Pupil("P3", null, null, "Noor Bakker", "2017-11-30")], []));

        var left = await client.GetAsync($"/v1/schools/{tenant.SchoolId}/pupils?status=left");
        var page = await left.ReadAsync<Page<PupilResponse>>();

        Assert.That(page.Items.Select(p => p.ExternalId), Is.EquivalentTo(new[] { "P1", "P2" }));
        var active = await (await client.GetAsync($"/v1/schools/{tenant.SchoolId}/pupils?status=active"))
            .ReadAsync<Page<PupilResponse>>();
        Assert.That(active.Items.Select(p => p.ExternalId), Is.EqualTo(new[] { "P3" }));
    }

    [Test]
    public async Task Moves_renames_authority_changes_and_relinks_count_as_updated_and_leave_exactly_the_listed_links()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        object[] groups = [Group("G1"), Group("G2")];
        object[] guardians = [Guardian("A"), Guardian("B"), Guardian("C")];
        await SyncOkAsync(client, tenant.SchoolId, Roster(groups,
        [
            Pupil("P0", "G1", [Link("A")]),
            Pupil("P1", "G1", [Link("A")]),
            Pupil("P2", "G1", [Link("B")], "Old Name"),
            Pupil("P3", "G1", [Link("A", false)]),
            Pupil("P4", "G1", [Link("C")]),
        ], guardians));
        var before = await PupilsByExternalIdAsync(client, tenant.SchoolId);

        var result = await SyncOkAsync(client, tenant.SchoolId, Roster(groups,
        [
            Pupil("P0", "G1", [Link("A")]),             // unchanged
            Pupil("P1", "G2", [Link("A")]),             // moved to another group
            Pupil("P2", "G1", [Link("B")], "New Name"), // renamed
            Pupil("P3", "G1", [Link("A", true)]),       // authority changed
            Pupil("P4", "G1", [Link("B")]),             // guardian C replaced by B
        ], guardians));

        Assert.That(result, Is.EqualTo(Counts((0, 0, 2), (0, 4, 0, 1), (0, 0, 3), (1, 1, 1))));
        var groupIds = await GroupIdsAsync(client, tenant.SchoolId);
        var after = await PupilsByExternalIdAsync(client, tenant.SchoolId);
        Assert.Multiple(() =>
        {
            Assert.That(after["P1"].GroupId, Is.EqualTo(groupIds["G2"]));
            Assert.That(after["P2"].DisplayName, Is.EqualTo("New Name"));
            Assert.That(after["P0"], Is.EqualTo(before["P0"]));
            Assert.That(after.Values.Select(p => p.Id), Is.EquivalentTo(before.Values.Select(p => p.Id)), "pupils keep their ids");
        });
        Assert.That(await LinksAsync(tenant.OrganisationId),
            Is.EquivalentTo(new[] { "P0->A:true", "P1->A:true", "P2->B:true", "P3->A:true", "P4->B:true" }));
        Assert.That(await Factory.QueryAsync(db => db.Guardians.CountAsync(g => g.OrganisationId == tenant.OrganisationId)),
            Is.EqualTo(3), "an unlinked guardian is kept");
    }

    [Test]
    public async Task Renaming_a_group_and_a_guardian_counts_them_as_updated()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        await SyncOkAsync(client, tenant.SchoolId, BaseRoster());

        var result = await SyncOkAsync(client, tenant.SchoolId, Roster(
            [Group("G5A", "Groep 5a (nieuw)"), Group("G6B", "Groep 6b", "2027-2028")],
            [
                Pupil("P1", "G5A", [Link("O1"), Link("O2", false)], "Sanne de Vries", "2016-03-01"),
                Pupil("P2", "G6B", [Link("O3"), Link("O4", false)], "Daan Jansen", "2015-07-12"),
                Pupil("P3", null, null, "Noor Bakker", "2017-11-30"),
            ],
            [Guardian("O1", "Marieke de Vries-Smit"), Guardian("O2", "Peter de Vries"), Guardian("O3", "Fatima Jansen"), Guardian("O4", "Ahmed Jansen")]));

        Assert.That(result, Is.EqualTo(Counts((0, 2, 0), (0, 0, 0, 3), (0, 1, 3), (0, 0, 0))));
        var groups = await (await client.GetAsync($"/v1/schools/{tenant.SchoolId}/groups")).ReadAsync<Page<GroupResponse>>();
        Assert.That(groups.Items.Select(g => (g.ExternalId, g.Name, g.SchoolYear)),
            Is.EquivalentTo(new[] { ("G5A", "Groep 5a (nieuw)", "2026-2027"), ("G6B", "Groep 6b", "2027-2028") }));
    }

    public static IEnumerable<TestCaseData> InvalidRosters()
    {
        object[] groups = [Group("G1"), Group("G2")];
        object[] guardians = [Guardian("A"), Guardian("B")];
        var p1 = Pupil("P1", "G1", [Link("A")]);
        var n1 = Pupil("N1", "G1", [Link("A")]);
        var n2 = Pupil("N2", "G2", [Link("B")]);

        yield return new TestCaseData(Roster(groups, [p1, n1, n1], guardians), "pupils[2].externalId")
            .SetName("{m}(duplicate pupil external id)");
        yield return new TestCaseData(Roster(groups, [p1, n1], [Guardian("A"), Guardian("B"), Guardian("B")]), "guardians[2].externalId")
            .SetName("{m}(duplicate guardian external id)");
        yield return new TestCaseData(Roster([Group("G1"), Group("G2"), Group("G2")], [p1, n1], guardians), "groups[2].externalId")
            .SetName("{m}(duplicate group external id)");
        yield return new TestCaseData(Roster(groups, [p1, Pupil("N1", "NOPE", [Link("A")])], guardians), "pupils[1].groupExternalId")
            .SetName("{m}(pupil in unknown group)");
        yield return new TestCaseData(Roster(groups, [p1, n1, Pupil("N2", "G2", [Link("B"), Link("X")])], guardians),
                "pupils[2].guardians[1].externalId")
            .SetName("{m}(pupil linked to guardian not in roster)");
        yield return new TestCaseData(Roster(groups, [p1, Pupil("N1", "G1", [Link("A"), Link("A", false)])], guardians),
                "pupils[1].guardians[1].externalId")
            .SetName("{m}(pupil linked twice to one guardian)");
        yield return new TestCaseData(Roster([Group("G1"), Group("G2", schoolYear: "2026-2028")], [p1, n2], guardians),
                "groups[1].schoolYear")
            .SetName("{m}(invalid school year)");
        yield return new TestCaseData(Roster(groups,
                [p1, n1, Pupil("N2", "G2", [Link("B")], dateOfBirth: DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd"))], guardians),
                "pupils[2].dateOfBirth")
            .SetName("{m}(date of birth in the future)");
    }

    [TestCaseSource(nameof(InvalidRosters))]
    public async Task An_invalid_roster_is_refused_with_the_field_named_and_nothing_written(object roster, string field)
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        // An existing roster that the invalid one would change (P9 would leave, the N-pupils would be created).
        await SyncOkAsync(client, tenant.SchoolId, Roster([Group("G1")], [Pupil("P1", "G1", [Link("A")]), Pupil("P9", "G1")],
            [Guardian("A")]));
        var before = await SnapshotAsync(tenant.OrganisationId);
        var counts = await CountsInDbAsync(tenant.OrganisationId);

        var response = await SyncAsync(client, tenant.SchoolId, roster);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        var errors = problem["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.EqualTo(new[] { field }), problem.ToJsonString());
        Assert.That(await CountsInDbAsync(tenant.OrganisationId), Is.EqualTo(counts));
        Assert.That(counts, Is.EqualTo((2, 1, 1)));
        Assert.That(await SnapshotAsync(tenant.OrganisationId), Is.EqualTo(before));
    }

    [Test]
    public async Task A_pupil_without_date_of_birth_is_refused_with_the_field_named()
    {
        var tenant = await CreateTenantAsync();
        var roster = new
        {
            groups = Array.Empty<object>(),
            pupils = new object[] { Pupil("P1", null), new { externalId = "P2", displayName = "Zonder Datum" } },
            guardians = Array.Empty<object>(),
        };

        var response = await SyncAsync(tenant.Full(), tenant.SchoolId, roster);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "pupils[1].dateOfBirth" }),
            "the key as the API writes it (PascalCase, unlike its own camelCase roster keys): " + problem.ToJsonString());
        Assert.That(await CountsInDbAsync(tenant.OrganisationId), Is.EqualTo((0, 0, 0)));
    }

    [TestCase("groups")]
    [TestCase("pupils")]
    [TestCase("guardians")]
    public async Task A_null_item_in_a_roster_list_is_refused_as_invalid(string list)
    {
        var tenant = await CreateTenantAsync();
        var roster = new
        {
            groups = new object?[] { Group("G1"), list == "groups" ? null : Group("G2") },
            pupils = new object?[] { Pupil("P1", "G1", [Link("A")]), list == "pupils" ? null : Pupil("P2", "G1") },
            guardians = new object?[] { Guardian("A"), list == "guardians" ? null : Guardian("B") },
        };

        var response = await SyncAsync(tenant.Full(), tenant.SchoolId, roster);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { $"{list}[1]" }), problem.ToJsonString());
        Assert.That(await CountsInDbAsync(tenant.OrganisationId), Is.EqualTo((0, 0, 0)));
    }

    [Test]
    public async Task A_roster_for_a_school_of_another_organisation_is_not_found_and_writes_nothing()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        await SyncOkAsync(other.Full(), other.SchoolId, Roster([Group("G1")], [Pupil("X1", "G1", [Link("XA")])], [Guardian("XA")]));
        var otherBefore = await SnapshotAsync(other.OrganisationId);

        var response = await SyncAsync(tenant.Full(), other.SchoolId, BaseRoster());

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
        Assert.That(await SnapshotAsync(other.OrganisationId), Is.EqualTo(otherBefore));
        Assert.That(await CountsInDbAsync(tenant.OrganisationId), Is.EqualTo((0, 0, 0)));
    }

    [Test]
    public async Task A_roster_for_an_unknown_school_is_not_found()
    {
        var tenant = await CreateTenantAsync();

        var response = await SyncAsync(tenant.Full(), Guid.NewGuid(), BaseRoster());

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
        Assert.That(await CountsInDbAsync(tenant.OrganisationId), Is.EqualTo((0, 0, 0)));
    }

    [Test]
    public async Task A_client_limited_to_one_school_cannot_sync_another_school_of_its_organisation()
    {
        var tenant = await CreateTenantAsync();
        var limited = await tenant.ClientWithAsync([Scopes.RosterRead, Scopes.RosterWrite], [tenant.SchoolIds[0]]);

        var refused = await SyncAsync(limited, tenant.SchoolIds[1], BaseRoster());

        await AssertProblemAsync(refused, HttpStatusCode.NotFound, "not-found");
        Assert.That(await CountsInDbAsync(tenant.OrganisationId), Is.EqualTo((0, 0, 0)));

        var allowed = await SyncOkAsync(limited, tenant.SchoolIds[0], BaseRoster());
        Assert.That(allowed.Pupils.Created, Is.EqualTo(3));
        Assert.That(await Factory.QueryAsync(db => db.Pupils.CountAsync(p => p.SchoolId == tenant.SchoolIds[1])), Is.Zero);
    }

    [Test]
    public async Task A_guardian_in_the_rosters_of_two_schools_of_one_organisation_is_one_guardian_linked_in_both()
    {
        var tenant = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var client = tenant.Full();

        var first = await SyncOkAsync(client, tenant.SchoolIds[0],
            Roster([Group("G1")], [Pupil("PA", "G1", [Link("SHARED")], "Kind A")], [Guardian("SHARED", "Gedeelde Ouder")]));
        var second = await SyncOkAsync(client, tenant.SchoolIds[1],
            Roster([Group("G1")], [Pupil("PB", "G1", [Link("SHARED", false)], "Kind B")], [Guardian("SHARED", "Gedeelde Ouder")]));
        await SyncOkAsync(other.Full(), other.SchoolId,
            Roster([], [Pupil("PX", null, [Link("SHARED")])], [Guardian("SHARED", "Andere Ouder")]));

        Assert.That(first.Guardians, Is.EqualTo(new RosterCounts(1, 0, 0)));
        // New to the second school, whoever else knows them: the counts say nothing about other schools.
        Assert.That(second.Guardians, Is.EqualTo(new RosterCounts(1, 0, 0)));
        var guardians = await (await client.GetAsync("/v1/guardians?externalId=SHARED")).ReadAsync<Page<GuardianResponse>>();
        Assert.That(guardians.Items.Select(g => (g.ExternalId, g.DisplayName)), Is.EqualTo(new[] { ("SHARED", "Gedeelde Ouder") }));
        var linked = await Factory.QueryAsync(db =>
            (from l in db.GuardianLinks
             join p in db.Pupils on l.PupilId equals p.Id
             where l.GuardianId == guardians.Items[0].Id
             select new { p.SchoolId, p.ExternalId, l.HasParentalAuthority }).ToListAsync());
        Assert.That(linked.Select(l => (l.SchoolId, l.ExternalId, l.HasParentalAuthority)), Is.EquivalentTo(new[]
        {
            (tenant.SchoolIds[0], "PA", true),
            (tenant.SchoolIds[1], "PB", false),
        }));
        Assert.That(await Factory.QueryAsync(db => db.Guardians.Where(g => g.ExternalId == "SHARED")
                .Select(g => g.OrganisationId).ToListAsync()),
            Is.EquivalentTo(new[] { tenant.OrganisationId, other.OrganisationId }), "each organisation has its own guardian");
        Assert.That(await LinksAsync(tenant.OrganisationId), Is.EquivalentTo(new[] { "PA->SHARED:true", "PB->SHARED:false" }));
    }

    [Test]
    public async Task A_roster_of_10000_pupils_and_15000_guardians_syncs_in_one_request_and_resyncs_unchanged()
    {
        const int pupilCount = 10_000, guardianCount = 15_000, groupCount = 40;
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        client.Timeout = TimeSpan.FromMinutes(5);
        // Pupil i is in group i % 40 and linked to guardian i (with authority); pupils 0..4999 also to guardian 10000 + i.
        var roster = new
        {
            groups = Enumerable.Range(0, groupCount).Select(i => Group($"G{i:D2}", $"Groep {i}")).ToArray(),
            pupils = Enumerable.Range(0, pupilCount).Select(i => Pupil($"P{i:D5}", $"G{i % groupCount:D2}",
                i < guardianCount - pupilCount ? [Link($"O{i:D5}"), Link($"O{pupilCount + i:D5}", false)] : [Link($"O{i:D5}")],
                $"Leerling {i}", new DateOnly(2012, 1, 1).AddDays(i % 3000).ToString("yyyy-MM-dd"))).ToArray(),
            guardians = Enumerable.Range(0, guardianCount).Select(i => Guardian($"O{i:D5}", $"Ouder {i}")).ToArray(),
        };

        var created = await SyncOkAsync(client, tenant.SchoolId, roster);

        Assert.That(created, Is.EqualTo(Counts((groupCount, 0, 0), (pupilCount, 0, 0, 0), (guardianCount, 0, 0), (guardianCount, 0, 0))));
        var (pupils, links) = await Factory.QueryAsync(async db => (
            await db.Pupils.CountAsync(p => p.SchoolId == tenant.SchoolId && p.Status == PupilStatus.Active),
            await db.GuardianLinks.CountAsync(l => db.Pupils.Any(p => p.Id == l.PupilId && p.SchoolId == tenant.SchoolId))));
        Assert.That((pupils, links), Is.EqualTo((pupilCount, guardianCount)));

        var again = await SyncOkAsync(client, tenant.SchoolId, roster);

        Assert.That(again, Is.EqualTo(Counts((0, 0, groupCount), (0, 0, 0, pupilCount), (0, 0, guardianCount), (0, 0, 0))));
    }

    /// <summary>How many new pupils and guardians each save of the request writes.</summary>
    private sealed class AddedPerSave : SaveChangesInterceptor
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<(int Pupils, int Guardians)> Saves = new();

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            var added = eventData.Context!.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList();
            Saves.Enqueue((added.Count(e => e.Entity is Pupil), added.Count(e => e.Entity is Guardian)));
            return ValueTask.FromResult(result);
        }
    }

    [Test]
    public async Task A_large_roster_is_saved_a_chunk_of_pupils_and_guardians_at_a_time()
    {
        // A chunk's entities live across its round trips, so the chunk size sets the sync's peak memory (README, memory).
        const int pupilCount = 1_100;
        var saves = new AddedPerSave();
        await using var app = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IInterceptor>(saves)));
        var tenant = await CreateTenantAsync();
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", tenant.FullKey);
        var roster = Roster(
            [Group("G1")],
            [.. Enumerable.Range(0, pupilCount).Select(i => Pupil($"P{i:D4}", "G1", [Link($"O{i:D4}")]))],
            [.. Enumerable.Range(0, pupilCount).Select(i => Guardian($"O{i:D4}"))]);

        var result = await SyncOkAsync(client, tenant.SchoolId, roster);

        Assert.That(result, Is.EqualTo(Counts((1, 0, 0), (pupilCount, 0, 0, 0), (pupilCount, 0, 0), (pupilCount, 0, 0))));
        var perSave = saves.Saves.Where(s => s.Pupils + s.Guardians > 0).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(perSave.Sum(s => s.Pupils), Is.EqualTo(pupilCount));
            Assert.That(perSave.Sum(s => s.Guardians), Is.EqualTo(pupilCount));
            Assert.That(perSave.Max(s => s.Pupils), Is.EqualTo(SyncRosterHandler.ChunkSize).And.EqualTo(250));
            Assert.That(perSave.Max(s => s.Guardians), Is.EqualTo(SyncRosterHandler.ChunkSize));
        });
    }

    [Test]
    public async Task A_sync_writes_one_SyncRoster_audit_event_on_the_school_and_a_refused_sync_none()
    {
        var tenant = await CreateTenantAsync();
        var client = tenant.Full();
        var refused = await SyncAsync(client, tenant.SchoolId, Roster([Group("G1"), Group("G1")], [], []));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        await SyncOkAsync(client, tenant.SchoolId, BaseRoster());

        var events = await (await tenant.Admin().GetAsync("/v1/audit-events?action=SyncRoster"))
            .ReadAsync<Page<AuditEventResponse>>();
        Assert.That(events.Items, Has.Count.EqualTo(1));
        var audit = events.Items[0];
        Assert.Multiple(() =>
        {
            Assert.That(audit.Action, Is.EqualTo("SyncRoster"));
            Assert.That(audit.ResourceType, Is.EqualTo("school"));
            Assert.That(audit.ResourceId, Is.EqualTo(tenant.SchoolId));
            Assert.That(audit.ClientId, Is.Not.Null);
            Assert.That(audit.OccurredAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(5)));
        });
    }
}
