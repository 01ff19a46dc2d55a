using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.GuardianAccess;

/// <summary>A parents' app backend acting for one guardian sees and decides for that guardian's children only.</summary>
public sealed class GuardianAccessTests : ApiTest
{
    private sealed record Family(Tenant Tenant, HttpClient App, Guid Sanne, Guid Daan, Guid Other, Guid OtherSchoolChild, Guid VersionId, Guid CampaignId);

    private static readonly string Today = LocalDay.Today.ToString("yyyy-MM-dd");
    private static readonly string InAMonth = LocalDay.Today.AddDays(30).ToString("yyyy-MM-dd");

    /// <summary>
    /// Marieke (OV1) has parental authority over Sanne and Daan; Joost (OV2) is Daan's stepfather without authority.
    /// Another family's child (Emma) is at the same school; Finn is at the organisation's other school with Marieke as guardian.
    /// </summary>
    private async Task<Family> FamilyAsync()
    {
        var tenant = await CreateTenantAsync();
        var (full, admin) = (tenant.Full(), tenant.Admin());
        object Pupil(string id, string name, params (string Guardian, bool Authority)[] guardians) => new
        {
            externalId = id, displayName = name, dateOfBirth = "2017-05-01",
            guardians = guardians.Select(g => new { externalId = g.Guardian, hasParentalAuthority = g.Authority }).ToArray(),
        };
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", new
        {
            groups = Array.Empty<object>(),
            pupils = new[] { Pupil("LL1", "Sanne de Vries", ("OV1", true)), Pupil("LL2", "Daan de Vries", ("OV1", true), ("OV2", false)), Pupil("LL3", "Emma Bakker", ("OV3", true)) },
            guardians = new[] { new { externalId = "OV1", displayName = "Marieke de Vries" }, new { externalId = "OV2", displayName = "Joost Jansen" }, new { externalId = "OV3", displayName = "Els Bakker" } },
        })).EnsureSuccessStatusCode();
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolIds[1]}/roster", new
        {
            groups = Array.Empty<object>(),
            pupils = new[] { Pupil("LL9", "Finn de Vries", ("OV1", true)) },
            guardians = new[] { new { externalId = "OV1", displayName = "Marieke de Vries" } },
        })).EnsureSuccessStatusCode();

        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal", schoolId = tenant.SchoolId })).ReadObjectAsync();
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Mogen wij foto's van uw kind plaatsen in de ouderapp en op sociale media?",
            textEn = "May we post photos of your child in the parents' app and on social media?",
            validity = "until-withdrawn",
            items = new[] { new { mediaType = "photo", channel = "parent-app" }, new { mediaType = "photo", channel = "social-media" } },
        })).EnsureSuccessStatusCode();
        var version = await (await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/1/publish", null)).ReadObjectAsync();
        var campaign = await (await admin.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/campaigns",
            new { schoolYear = "2026-2027", formVersionId = (Guid)version["id"]!, opensOn = Today, closesOn = InAMonth })).ReadObjectAsync();

        var ids = await PupilIdsAsync(full, tenant.SchoolId);
        var finn = (await PupilIdsAsync(full, tenant.SchoolIds[1]))["LL9"];
        // The app may act for guardians at the first school only.
        var app = await tenant.ClientWithAsync([Scopes.GuardianAct], [tenant.SchoolId]);
        return new Family(tenant, app, ids["LL1"], ids["LL2"], ids["LL3"], finn, (Guid)version["id"]!, (Guid)campaign["id"]!);
    }

    private static async Task<Dictionary<string, Guid>> PupilIdsAsync(HttpClient client, Guid schoolId) =>
        (await (await client.GetAsync($"/v1/schools/{schoolId}/pupils")).ReadObjectAsync())["items"]!.AsArray()
            .ToDictionary(p => (string)p!["externalId"]!, p => (Guid)p!["id"]!);

    private static object Answers(Guid pupilId, Guid versionId, string outcome = "granted") => new
    {
        pupilId, formVersionId = versionId,
        items = new[] { new { mediaType = "photo", channel = "parent-app", outcome }, new { mediaType = "photo", channel = "social-media", outcome } },
    };

    [Test]
    public async Task The_guardian_sees_their_own_children_only_with_their_authority()
    {
        var f = await FamilyAsync();

        var children = (await (await f.App.GetAsync("/v1/parent-app/guardians/OV1/children")).ReadObjectAsync())["children"]!.AsArray();
        var stepfather = (await (await f.App.GetAsync("/v1/parent-app/guardians/OV2/children")).ReadObjectAsync())["children"]!.AsArray();

        Assert.That(children.Select(c => $"{c!["displayName"]}:{c["hasParentalAuthority"]}"), Is.EqualTo(new[] { "Daan de Vries:true", "Sanne de Vries:true" }),
            "Finn is at a school this app may not see; Emma is another family's");
        Assert.That(children[0]!["consents"]!.AsArray().Select(i => $"{i!["mediaType"]}:{i["channel"]}:{i["state"]}"),
            Is.EqualTo(new[] { "photo:parent-app:pending", "photo:social-media:pending" }));
        Assert.That(stepfather.Select(c => $"{c!["displayName"]}:{c["hasParentalAuthority"]}"), Is.EqualTo(new[] { "Daan de Vries:false" }));
        await AssertProblemAsync(await f.App.GetAsync("/v1/parent-app/guardians/OV-UNKNOWN/children"), HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task Answers_for_two_children_in_one_call_each_get_a_receipt_and_leave_nothing_pending()
    {
        var f = await FamilyAsync();
        using var english = new HttpRequestMessage(HttpMethod.Get, "/v1/parent-app/guardians/OV1/consent-requests");
        english.Headers.Add("Accept-Language", "en-GB,en;q=0.9,nl;q=0.5");
        var pending = (await (await f.App.SendAsync(english)).ReadObjectAsync())["requests"]!.AsArray();
        Assert.That(pending.Select(r => (string?)r!["childName"]), Is.EqualTo(new[] { "Daan de Vries", "Sanne de Vries" }));
        Assert.That(pending.Select(r => (string?)r!["language"]), Has.All.EqualTo("en"));
        Assert.That((string?)pending[0]!["text"], Does.StartWith("May we post photos"));

        var response = await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions",
            new { children = new[] { Answers(f.Sanne, f.VersionId), Answers(f.Daan, f.VersionId) }, language = "en" });

        var recorded = (await response.ReadObjectAsync())["children"]!.AsArray();
        Assert.That(recorded.Select(r => (Guid?)r!["pupilId"]), Is.EqualTo(new Guid?[] { f.Sanne, f.Daan }));
        Assert.That(recorded.Select(r => (string?)r!["receipt"]!["notice"]!["language"]), Has.All.EqualTo("en"));
        Assert.That(recorded.Select(r => (string?)r!["receipt"]!["decidedBy"]!["type"]), Has.All.EqualTo("guardian"));
        var after = (await (await f.App.GetAsync("/v1/parent-app/guardians/OV1/consent-requests")).ReadObjectAsync())["requests"]!.AsArray();
        Assert.That(after, Is.Empty);
        var progress = await (await f.Tenant.Full().GetAsync($"/v1/campaigns/{f.CampaignId}")).ReadObjectAsync();
        Assert.That((int?)progress["progress"]!["answeredFully"], Is.EqualTo(2));
    }

    [Test]
    public async Task A_withdrawal_is_one_call_and_the_next_check_says_no()
    {
        var f = await FamilyAsync();
        (await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions", new { children = new[] { Answers(f.Sanne, f.VersionId) } })).EnsureSuccessStatusCode();
        var check = new { pupilIds = new[] { f.Sanne }, mediaType = "photo", channel = "social-media" };
        Assert.That((bool?)(await (await f.Tenant.Full().PostAsJsonAsync("/v1/publication-checks", check)).ReadObjectAsync())["allowed"], Is.True);

        var withdrawn = await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/withdrawals", new { pupilId = f.Sanne, mediaType = "photo", channel = "social-media" });

        Assert.That(withdrawn.StatusCode, Is.EqualTo(HttpStatusCode.OK), await withdrawn.Content.ReadAsStringAsync());
        var result = await (await f.Tenant.Full().PostAsJsonAsync("/v1/publication-checks", check)).ReadObjectAsync();
        Assert.That((bool?)result["allowed"], Is.False);
        Assert.That((string?)result["pupils"]![0]!["state"], Is.EqualTo("refused"));
    }

    [Test]
    public async Task A_child_who_left_the_school_stays_listed_as_left_and_can_still_be_withdrawn_in_one_call()
    {
        var f = await FamilyAsync();
        (await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions", new { children = new[] { Answers(f.Sanne, f.VersionId) } })).EnsureSuccessStatusCode();
        var left = await f.Tenant.Full().PutAsJsonAsync($"/v1/pupils/{f.Sanne}",
            new { externalId = "LL1", displayName = "Sanne de Vries", dateOfBirth = "2017-05-01", status = "left" });
        Assert.That(left.StatusCode, Is.EqualTo(HttpStatusCode.OK), await left.Content.ReadAsStringAsync());

        var withdrawn = await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/withdrawals", new { pupilId = f.Sanne, mediaType = "photo", channel = "social-media" });

        Assert.That(withdrawn.StatusCode, Is.EqualTo(HttpStatusCode.OK), await withdrawn.Content.ReadAsStringAsync());
        var check = new { pupilIds = new[] { f.Sanne }, mediaType = "photo", channel = "social-media" };
        var result = await (await f.Tenant.Full().PostAsJsonAsync("/v1/publication-checks", check)).ReadObjectAsync();
        Assert.That((string?)result["pupils"]![0]!["state"], Is.EqualTo("refused"));
        Assert.That((string?)(await withdrawn.ReadObjectAsync())["receiptUrl"], Does.StartWith("/v1/parent-app/guardians/OV1/receipts/"));
        var children = (await (await f.App.GetAsync("/v1/parent-app/guardians/OV1/children")).ReadObjectAsync())["children"]!.AsArray();
        var sanne = children.Single(c => (Guid?)c!["pupilId"] == f.Sanne)!;
        Assert.That((bool?)sanne["left"], Is.True, "the parent still sees the child, to withdraw");
        // Consent holds while the child is at the school (the default policy): the grant ended when she left.
        Assert.That(sanne["consents"]!.AsArray().Select(i => $"{i!["channel"]}:{i["state"]}:{i["reason"]}"),
            Is.EqualTo(new[] { "parent-app:expired:pupil-left", "social-media:refused:refused-by-guardian" }));
        Assert.That(children.Where(c => (Guid?)c!["pupilId"] != f.Sanne).Select(c => (bool?)c!["left"]), Has.All.False);
        var pending = (await (await f.App.GetAsync("/v1/parent-app/guardians/OV1/consent-requests")).ReadObjectAsync())["requests"]!.AsArray();
        Assert.That(pending.Select(r => (Guid?)r!["pupilId"]), Does.Not.Contain(f.Sanne), "nothing new is asked for a child who left");

        // The remaining item, refused through the answers call: recorded as well, a grant is not.
        var refused = await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions", new
        {
            children = new[] { new { pupilId = f.Sanne, formVersionId = f.VersionId, items = new[] { new { mediaType = "photo", channel = "parent-app", outcome = "refused" } } } },
        });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.OK), await refused.Content.ReadAsStringAsync());
        await AssertProblemAsync(await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions",
            new { children = new[] { Answers(f.Sanne, f.VersionId) } }), HttpStatusCode.Conflict, "conflict");
    }

    /// <summary>Gives Daan a second guardian with parental authority (OV4) whose answers the school keys in from paper.</summary>
    private static async Task<Guid> SecondParentAnsweredOnPaperAsync(Family f)
    {
        var full = f.Tenant.Full();
        object Pupil(string id, string name, params (string Guardian, bool Authority)[] guardians) => new
        {
            externalId = id, displayName = name, dateOfBirth = "2017-05-01",
            guardians = guardians.Select(g => new { externalId = g.Guardian, hasParentalAuthority = g.Authority }).ToArray(),
        };
        (await full.PutAsJsonAsync($"/v1/schools/{f.Tenant.SchoolId}/roster", new
        {
            groups = Array.Empty<object>(),
            pupils = new[] { Pupil("LL1", "Sanne de Vries", ("OV1", true)), Pupil("LL2", "Daan de Vries", ("OV1", true), ("OV2", false), ("OV4", true)), Pupil("LL3", "Emma Bakker", ("OV3", true)) },
            guardians = new[]
            {
                new { externalId = "OV1", displayName = "Marieke de Vries" }, new { externalId = "OV2", displayName = "Joost Jansen" },
                new { externalId = "OV3", displayName = "Els Bakker" }, new { externalId = "OV4", displayName = "Pieter de Vries" },
            },
        })).EnsureSuccessStatusCode();
        var daan = await (await full.GetAsync($"/v1/pupils/{f.Daan}")).ReadObjectAsync();
        var ov4 = (Guid)daan["guardians"]!.AsArray().Single(g => (string?)g!["externalId"] == "OV4")!["guardianId"]!;
        var paper = await full.PostAsJsonAsync($"/v1/pupils/{f.Daan}/decisions", new
        {
            formVersionId = f.VersionId, decidedBy = "guardian", guardianId = ov4, method = "paper", proofReference = "SCAN-4711", note = "Via de mentor",
            items = new[] { new { mediaType = "photo", channel = "parent-app", outcome = "granted" }, new { mediaType = "photo", channel = "social-media", outcome = "refused" } },
        });
        Assert.That(paper.StatusCode, Is.EqualTo(HttpStatusCode.Created), await paper.Content.ReadAsStringAsync());
        return ov4;
    }

    [Test]
    public async Task A_guardian_sees_states_and_only_their_own_decisions_and_without_authority_states_only()
    {
        var f = await FamilyAsync();
        var ov4 = await SecondParentAnsweredOnPaperAsync(f);
        var mine = await (await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions", new
        {
            children = new[] { new { pupilId = f.Daan, formVersionId = f.VersionId, items = new[] { new { mediaType = "photo", channel = "parent-app", outcome = "granted" } } } },
        })).ReadObjectAsync();
        var myDecisionId = (Guid)mine["children"]![0]!["decisions"]![0]!["id"]!;

        var ownResponse = await f.App.GetAsync("/v1/parent-app/guardians/OV1/children");
        var stepfatherResponse = await f.App.GetAsync("/v1/parent-app/guardians/OV2/children");

        var own = (await ownResponse.ReadObjectAsync())["children"]!.AsArray().Single(c => (Guid?)c!["pupilId"] == f.Daan)!["consents"]!.AsArray();
        Assert.That(own.Select(i => $"{i!["channel"]}:{i["state"]}:{i["reason"]}:{string.Join("+", i["decisions"]!.AsArray().Select(d => (Guid?)d!["id"]))}"),
            Is.EqualTo(new[] { $"parent-app:granted:granted-by-guardian:{myDecisionId}", "social-media:refused:refused-by-guardian:" }));
        var stepfather = (await stepfatherResponse.ReadObjectAsync())["children"]!.AsArray().Single()!["consents"]!.AsArray();
        Assert.That(stepfather.Select(i => $"{i!["channel"]}:{i["state"]}:{i["decisions"]!.AsArray().Count}"),
            Is.EqualTo(new[] { "parent-app:granted:0", "social-media:refused:0" }));
        foreach (var body in new[] { await ownResponse.Content.ReadAsStringAsync(), await stepfatherResponse.Content.ReadAsStringAsync() })
        {
            Assert.That(body, Does.Not.Contain(ov4.ToString()).And.Not.Contain("SCAN-4711").And.Not.Contain("Via de mentor"), "the other parent's decision is theirs");
        }
        var stepfatherRequests = (await (await f.App.GetAsync("/v1/parent-app/guardians/OV2/consent-requests")).ReadObjectAsync())["requests"]!.AsArray();
        Assert.That(stepfatherRequests, Is.Empty, "a guardian without parental authority is asked nothing they cannot answer");
        var ownRequests = await (await f.App.GetAsync("/v1/parent-app/guardians/OV1/consent-requests")).Content.ReadAsStringAsync();
        Assert.That(ownRequests, Does.Not.Contain(ov4.ToString()).And.Not.Contain("SCAN-4711"));
    }

    [Test]
    public async Task A_child_of_16_decides_themself_so_guardians_are_asked_nothing_and_see_none_of_their_choices()
    {
        var f = await FamilyAsync();
        var full = f.Tenant.Full();
        var sixteenToday = LocalDay.Today.AddYears(-16).ToString("yyyy-MM-dd");
        (await full.PutAsJsonAsync($"/v1/pupils/{f.Sanne}", new { externalId = "LL1", displayName = "Sanne de Vries", dateOfBirth = sixteenToday, status = "active" }))
            .EnsureSuccessStatusCode();
        var own = await full.PostAsJsonAsync($"/v1/pupils/{f.Sanne}/decisions", new
        {
            formVersionId = f.VersionId, decidedBy = "pupil", method = "in-person", note = "Zelf beslist bij de mentor",
            items = new[] { new { mediaType = "photo", channel = "social-media", outcome = "refused" } },
        });
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Created), await own.Content.ReadAsStringAsync());

        var childrenResponse = await f.App.GetAsync("/v1/parent-app/guardians/OV1/children");
        var children = (await childrenResponse.ReadObjectAsync())["children"]!.AsArray();
        var requests = (await (await f.App.GetAsync("/v1/parent-app/guardians/OV1/consent-requests")).ReadObjectAsync())["requests"]!.AsArray();

        Assert.That(children.Select(c => $"{c!["displayName"]}:{c["decidesThemself"]}:{c["consents"]!.AsArray().Count}"),
            Is.EqualTo(new[] { "Daan de Vries:false:2", "Sanne de Vries:true:0" }));
        Assert.That(await childrenResponse.Content.ReadAsStringAsync(), Does.Not.Contain("Zelf beslist"));
        Assert.That(requests.Select(r => (string?)r!["childName"]), Is.EqualTo(new[] { "Daan de Vries" }), "only what the guardian can answer");
        var problem = await AssertProblemAsync(await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions",
            new { children = new[] { Answers(f.Sanne, f.VersionId) } }), HttpStatusCode.Forbidden, "forbidden");
        Assert.That((string?)problem["detail"], Does.Contain("16"));
    }

    [Test]
    public async Task The_app_fetches_the_guardians_own_receipts_and_not_anyone_elses()
    {
        var f = await FamilyAsync();
        await SecondParentAnsweredOnPaperAsync(f);
        var submitted = await (await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions",
            new { children = new[] { Answers(f.Sanne, f.VersionId) } })).ReadObjectAsync();
        var recorded = submitted["children"]![0]!;
        var paperBatch = await Factory.QueryAsync(db => Task.FromResult(db.Decisions.Where(d => d.PupilId == f.Daan).Select(d => d.BatchId).First()));

        var fetched = await f.App.GetAsync((string)recorded["receiptUrl"]!);

        Assert.That(fetched.StatusCode, Is.EqualTo(HttpStatusCode.OK), await fetched.Content.ReadAsStringAsync());
        Assert.That(JsonNode.DeepEquals(await fetched.ReadObjectAsync(), recorded["receipt"]), Is.True, "the receipt as the answers call returned it");
        Assert.That((string?)recorded["receiptUrl"], Is.EqualTo($"/v1/parent-app/guardians/OV1/receipts/{recorded["batchId"]}"));
        // Another guardian's receipt, one's own through another guardian, and one that does not exist: all not found.
        await AssertProblemAsync(await f.App.GetAsync($"/v1/parent-app/guardians/OV1/receipts/{paperBatch}"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await f.App.GetAsync($"/v1/parent-app/guardians/OV2/receipts/{recorded["batchId"]}"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await f.App.GetAsync($"/v1/parent-app/guardians/OV4/receipts/{recorded["batchId"]}"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await f.App.GetAsync($"/v1/parent-app/guardians/OV1/receipts/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not-found");
        // The school's own route still needs consent:read, which the app does not have.
        Assert.That((await f.App.GetAsync($"/v1/receipts/{recorded["batchId"]}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task A_guardian_without_parental_authority_can_see_but_not_decide()
    {
        var f = await FamilyAsync();

        var problem = await AssertProblemAsync(await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV2/decisions",
            new { children = new[] { Answers(f.Daan, f.VersionId) } }), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV2/withdrawals",
            new { pupilId = f.Daan, mediaType = "photo", channel = "social-media" }), HttpStatusCode.Forbidden, "forbidden");

        Assert.That((string?)problem["detail"], Does.Contain("parental authority"));
        Assert.That(await Factory.QueryAsync(db => Task.FromResult(db.Decisions.Count(d => d.PupilId == f.Daan))), Is.Zero);
    }

    [Test]
    public async Task A_guardian_known_only_at_another_school_answers_as_an_unknown_one_does()
    {
        var f = await FamilyAsync();
        (await f.Tenant.Full().PutAsJsonAsync($"/v1/schools/{f.Tenant.SchoolIds[1]}/roster", new
        {
            groups = Array.Empty<object>(),
            pupils = new[]
            {
                new { externalId = "LL9", displayName = "Finn de Vries", dateOfBirth = "2017-05-01", guardians = new[] { new { externalId = "OV1", hasParentalAuthority = true } } },
                new { externalId = "LL8", displayName = "Mila Smit", dateOfBirth = "2017-05-01", guardians = new[] { new { externalId = "OV9", hasParentalAuthority = true } } },
            },
            guardians = new[] { new { externalId = "OV1", displayName = "Marieke de Vries" }, new { externalId = "OV9", displayName = "Sven Smit" } },
        })).EnsureSuccessStatusCode();

        // The app may act at the first school only: OV9 exists, but only at the second school.
        foreach (var path in new[] { "/v1/parent-app/guardians/OV9/children", "/v1/parent-app/guardians/OV9/consent-requests" })
        {
            var elsewhere = await AssertProblemAsync(await f.App.GetAsync(path), HttpStatusCode.NotFound, "not-found");
            var unknown = await AssertProblemAsync(await f.App.GetAsync(path.Replace("OV9", "OV404")), HttpStatusCode.NotFound, "not-found");
            Assert.That(((string?)elsewhere["detail"])?.Replace("OV9", "?"), Is.EqualTo(((string?)unknown["detail"])?.Replace("OV404", "?")));
        }
        Assert.That((await f.App.GetAsync("/v1/parent-app/guardians/OV1/children")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_child_that_is_not_theirs_is_not_found_whether_another_familys_another_schools_or_another_organisations()
    {
        var f = await FamilyAsync();
        var other = await FamilyAsync();

        foreach (var pupil in new[] { f.Other, f.OtherSchoolChild, other.Sanne })
        {
            await AssertProblemAsync(await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions",
                new { children = new[] { Answers(pupil, f.VersionId) } }), HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/withdrawals",
                new { pupilId = pupil, mediaType = "photo", channel = "social-media" }), HttpStatusCode.NotFound, "not-found");
        }
        // In one call with a child that is theirs: nothing is recorded for anyone.
        await AssertProblemAsync(await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions",
            new { children = new[] { Answers(f.Sanne, f.VersionId), Answers(f.Other, f.VersionId) } }), HttpStatusCode.NotFound, "not-found");
        Assert.That(await Factory.QueryAsync(db => Task.FromResult(db.Decisions.Count(d => d.PupilId == f.Sanne))), Is.Zero);
    }

    [Test]
    public async Task After_the_campaigns_version_is_withdrawn_nothing_is_asked_grants_are_refused_and_withdrawing_stays_one_call()
    {
        var f = await FamilyAsync();
        (await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions", new { children = new[] { Answers(f.Sanne, f.VersionId) } })).EnsureSuccessStatusCode();
        var formId = await Factory.QueryAsync(db => Task.FromResult(db.ConsentFormVersions.Where(v => v.Id == f.VersionId).Select(v => v.FormId).Single()));
        (await f.Tenant.Admin().PostAsync($"/v1/consent-forms/{formId}/versions/1/withdraw", null)).EnsureSuccessStatusCode();

        var pending = (await (await f.App.GetAsync("/v1/parent-app/guardians/OV1/consent-requests")).ReadObjectAsync())["requests"]!.AsArray();
        Assert.That(pending, Is.Empty, "Daan's request asked the withdrawn version");
        await AssertProblemAsync(await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/decisions",
            new { children = new[] { Answers(f.Daan, f.VersionId) } }), HttpStatusCode.Conflict, "conflict");
        Assert.That(await Factory.QueryAsync(db => Task.FromResult(db.Decisions.Count(d => d.PupilId == f.Daan))), Is.Zero);

        var withdrawn = await f.App.PostAsJsonAsync("/v1/parent-app/guardians/OV1/withdrawals", new { pupilId = f.Sanne, mediaType = "photo", channel = "social-media" });

        Assert.That(withdrawn.StatusCode, Is.EqualTo(HttpStatusCode.OK), await withdrawn.Content.ReadAsStringAsync());
        var children = (await (await f.App.GetAsync("/v1/parent-app/guardians/OV1/children")).ReadObjectAsync())["children"]!.AsArray();
        var sanne = children.Single(c => (Guid?)c!["pupilId"] == f.Sanne)!;
        Assert.That(sanne["consents"]!.AsArray().Select(i => $"{i!["channel"]}:{i["state"]}"),
            Is.EqualTo(new[] { "parent-app:expired", "social-media:refused" }), "the grant ended with the version; the withdrawal counts");
    }
}
