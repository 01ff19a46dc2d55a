using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Campaigns;

public sealed class CampaignTests : ApiTest
{
    private static readonly string Today = LocalDay.Today.ToString("yyyy-MM-dd");
    private static readonly string InAMonth = LocalDay.Today.AddDays(30).ToString("yyyy-MM-dd");

    /// <summary>25 pupils of group 5b: the first 15 with two guardians, the other 10 with one (40 guardians).</summary>
    /// <param name="dateOfBirth">Pupil number to date of birth; 1 May 2017 (under 16) for all by default.</param>
    /// <param name="displayName">Pupil number to name; "Leerling 00" and so on by default.</param>
    private static object Roster(int pupils = 25, Func<int, string>? dateOfBirth = null, Func<int, string>? displayName = null) => new
    {
        groups = new[] { new { externalId = "G5B", name = "Groep 5b", schoolYear = "2026-2027" } },
        pupils = Enumerable.Range(0, pupils).Select(i => new
        {
            externalId = $"LL{i:00}", displayName = displayName?.Invoke(i) ?? $"Leerling {i:00}", dateOfBirth = dateOfBirth?.Invoke(i) ?? "2017-05-01", groupExternalId = "G5B",
            guardians = i < 15
                ? new[] { new { externalId = $"OV{i:00}A", hasParentalAuthority = true }, new { externalId = $"OV{i:00}B", hasParentalAuthority = true } }
                : new[] { new { externalId = $"OV{i:00}A", hasParentalAuthority = true } },
        }).ToArray(),
        guardians = Enumerable.Range(0, pupils).SelectMany(i => i < 15
            ? new[] { new { externalId = $"OV{i:00}A", displayName = $"Ouder A {i}" }, new { externalId = $"OV{i:00}B", displayName = $"Ouder B {i}" } }
            : new[] { new { externalId = $"OV{i:00}A", displayName = $"Ouder A {i}" } }).ToArray(),
    };

    private static string Progress(JsonNode campaign) =>
        $"{campaign["progress"]!["requested"]}/{campaign["progress"]!["answeredFully"]}/{campaign["progress"]!["answeredPartly"]}/{campaign["progress"]!["notAnswered"]}";

    [Test]
    public async Task A_campaign_for_25_pupils_counts_answers_exactly_lists_the_non_responders_and_asks_a_pupil_who_joins()
    {
        var tenant = await CreateTenantAsync();
        var (full, admin) = (tenant.Full(), tenant.Admin());
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster())).EnsureSuccessStatusCode();
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming 2026-2027" })).ReadObjectAsync();
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Mogen wij foto's van uw kind plaatsen in de ouderapp en op de website?",
            validity = "school-year", schoolYear = "2026-2027",
            items = new[] { new { mediaType = "photo", channel = "parent-app" }, new { mediaType = "photo", channel = "website" } },
        })).EnsureSuccessStatusCode();
        var version = await (await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/1/publish", null)).ReadObjectAsync();

        var created = await admin.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/campaigns",
            new { schoolYear = "2026-2027", formVersionId = (Guid)version["id"]!, opensOn = Today, closesOn = InAMonth });
        var campaign = await created.ReadObjectAsync();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((string?)campaign["status"], Is.EqualTo("open"));
        Assert.That(Progress(campaign), Is.EqualTo("25/0/0/25"));

        // The parents' app, acting for each family's first guardian, submits for 20 pupils (both items) and for one more
        // pupil only one item.
        var app = await tenant.ClientWithAsync([ConsentApi.Domain.Scopes.GuardianAct]);
        var pupils = (await (await full.GetAsync($"/v1/schools/{tenant.SchoolId}/pupils?limit=200")).ReadObjectAsync())["items"]!.AsArray()
            .OrderBy(p => (string?)p!["externalId"]).ToList();
        for (var i = 0; i < 21; i++)
        {
            var items = i < 20 ? new[] { "parent-app", "website" } : ["parent-app"];
            var submitted = await app.PostAsJsonAsync($"/v1/parent-app/guardians/OV{i:00}A/decisions", new
            {
                children = new[]
                {
                    new
                    {
                        pupilId = (Guid)pupils[i]!["id"]!, formVersionId = (Guid)version["id"]!,
                        items = items.Select(c => new { mediaType = "photo", channel = c, outcome = "granted" }).ToArray(),
                    },
                },
            });
            Assert.That(submitted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await submitted.Content.ReadAsStringAsync());
        }

        var progress = await (await full.GetAsync($"/v1/campaigns/{campaign["id"]}")).ReadObjectAsync();
        Assert.That(Progress(progress), Is.EqualTo("25/20/1/4"));
        Assert.That(progress["groups"]!.AsArray().Select(g => $"{g!["groupName"]}:{Progress(g)}"), Is.EqualTo(new[] { "Groep 5b:25/20/1/4" }));

        var nonResponders = await (await full.GetAsync($"/v1/campaigns/{campaign["id"]}/non-responders")).ReadObjectAsync();
        var listed = nonResponders["pupils"]!.AsArray();
        Assert.That(listed.Select(p => $"{p!["externalId"]}:{p["answered"]}/{p["items"]}:{string.Join("+", p["remind"]!.AsArray().Select(r => (string?)r!["externalId"]))}"),
            Is.EqualTo(new[] { "LL20:1/2:OV20A", "LL21:0/2:OV21A", "LL22:0/2:OV22A", "LL23:0/2:OV23A", "LL24:0/2:OV24A" }));

        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/v1/campaigns/{campaign["id"]}/non-responders");
        csvRequest.Headers.Add("Accept", "text/csv");
        var csvResponse = await full.SendAsync(csvRequest);
        var csv = await csvResponse.Content.ReadAsStringAsync();
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        // The pupil's columns are named as the JSON names them.
        Assert.That(lines[0], Is.EqualTo("pupilId,externalId,answered,items,remindType,remindExternalId"));
        Assert.That(lines[0].Split(',')[..4], Is.SubsetOf(listed[0]!.AsObject().Select(m => m.Key)));
        var contract = JsonNode.Parse(await Client().GetStringAsync("/swagger/v1/swagger.json"))!;
        var described = (string)contract["paths"]!["/v1/campaigns/{campaignId}/non-responders"]!["get"]!["description"]!;
        Assert.That(lines[0].Split(',').Select(c => $"`{c}`"), Has.All.Matches<string>(described.Contains), "the contract describes every column");
        Assert.That(csvResponse.Content.Headers.ContentDisposition?.ToString(), Is.EqualTo(
            $"attachment; filename=non-responders-{campaign["id"]}.csv; filename*=UTF-8''non-responders-{campaign["id"]}.csv"));
        Assert.That(lines.Skip(1).Select(l => string.Join(",", l.Split(',')[1..])),
            Is.EqualTo(new[] { "LL20,1,2,guardian,OV20A", "LL21,0,2,guardian,OV21A", "LL22,0,2,guardian,OV22A", "LL23,0,2,guardian,OV23A", "LL24,0,2,guardian,OV24A" }));

        // A pupil who joins through the roster while the campaign is open is asked too.
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster(26))).EnsureSuccessStatusCode();
        Assert.That(Progress(await (await full.GetAsync($"/v1/campaigns/{campaign["id"]}")).ReadObjectAsync()), Is.EqualTo("26/20/1/5"));

        // Closed: nobody new is asked; what is open counts as not answered.
        var closed = await (await admin.PostAsync($"/v1/campaigns/{campaign["id"]}/close", null)).ReadObjectAsync();
        Assert.That((string?)closed["status"], Is.EqualTo("closed"));
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster(27))).EnsureSuccessStatusCode();
        Assert.That(Progress(await (await full.GetAsync($"/v1/campaigns/{campaign["id"]}")).ReadObjectAsync()), Is.EqualTo("26/20/1/5"));
    }

    /// <summary>A school with <paramref name="pupils"/> pupils of the roster above, a published two-item form and an open campaign asking it.</summary>
    private async Task<(Tenant Tenant, Guid VersionId, Guid CampaignId, List<Guid> Pupils)> OpenCampaignAsync(
        int pupils, Func<int, string>? dateOfBirth = null, Func<int, string>? displayName = null)
    {
        var tenant = await CreateTenantAsync();
        var (full, admin) = (tenant.Full(), tenant.Admin());
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster(pupils, dateOfBirth, displayName))).EnsureSuccessStatusCode();
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming 2026-2027" })).ReadObjectAsync();
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Mogen wij foto's van uw kind plaatsen in de ouderapp en op de website?",
            validity = "until-withdrawn",
            items = new[] { new { mediaType = "photo", channel = "parent-app" }, new { mediaType = "photo", channel = "website" } },
        })).EnsureSuccessStatusCode();
        var version = (Guid)(await (await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/1/publish", null)).ReadObjectAsync())["id"]!;
        var campaign = (Guid)(await (await admin.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/campaigns",
            new { schoolYear = "2026-2027", formVersionId = version, opensOn = Today, closesOn = InAMonth })).ReadObjectAsync())["id"]!;
        var ids = (await (await full.GetAsync($"/v1/schools/{tenant.SchoolId}/pupils?limit=200")).ReadObjectAsync())["items"]!.AsArray()
            .OrderBy(p => (string?)p!["externalId"]).Select(p => (Guid)p!["id"]!).ToList();
        return (tenant, version, campaign, ids);
    }

    private static async Task AnswerAsync(HttpClient app, string guardian, Guid pupilId, Guid versionId, string outcome, params string[] channels)
    {
        var submitted = await app.PostAsJsonAsync($"/v1/parent-app/guardians/{guardian}/decisions", new
        {
            children = new[] { new { pupilId, formVersionId = versionId, items = channels.Select(c => new { mediaType = "photo", channel = c, outcome }).ToArray() } },
        });
        Assert.That(submitted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await submitted.Content.ReadAsStringAsync());
    }

    private static async Task<string[]> NonRespondersAsync(HttpClient client, Guid campaignId) =>
        (await (await client.GetAsync($"/v1/campaigns/{campaignId}/non-responders")).ReadObjectAsync())["pupils"]!.AsArray()
            .Select(p => $"{p!["externalId"]}:{p["answered"]}/{p["items"]}:{string.Join("+", p["remind"]!.AsArray().Select(r => (string?)r!["externalId"]))}")
            .ToArray();

    /// <summary>One page of non-responders: the pupils' ids and the cursor of the next page.</summary>
    private static async Task<(Guid[] Pupils, string? Next)> NonResponderPageAsync(HttpClient client, Guid campaignId, int limit, string? cursor)
    {
        var response = await client.GetAsync($"/v1/campaigns/{campaignId}/non-responders?limit={limit}{(cursor is null ? "" : $"&cursor={cursor}")}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var page = await response.ReadObjectAsync();
        return (page["pupils"]!.AsArray().Select(p => (Guid)p!["pupilId"]!).ToArray(), (string?)page["nextCursor"]);
    }

    /// <summary>
    /// Pupils of the same name, in either case, are ordered by id (as the database orders uuids: by their text) and each is
    /// listed on exactly one page; a name starting with a letter outside ASCII sorts after Z, as upper case by code point
    /// puts it. The CSV holds the whole list.
    /// </summary>
    [Test]
    public async Task Paging_through_the_non_responders_lists_each_exactly_once_by_name_then_id_including_pupils_of_the_same_name()
    {
        string[] names =
            ["Jansen", "jansen", "Jansen", "Bakker", "de Vries", "De Vries", "Özdemir", "Jansen", "Bakker", "Yilmaz", "jansen", "Bakker", "özdemir", "Zwart", "de Vries"];
        var (tenant, version, campaign, pupils) = await OpenCampaignAsync(names.Length, displayName: i => names[i]);
        var full = tenant.Full();
        var app = await tenant.ClientWithAsync([ConsentApi.Domain.Scopes.GuardianAct]);
        await AnswerAsync(app, "OV00A", pupils[0], version, "granted", "parent-app", "website");
        var expected = Enumerable.Range(1, names.Length - 1)
            .OrderBy(i => names[i].ToUpperInvariant(), StringComparer.Ordinal).ThenBy(i => pupils[i].ToString(), StringComparer.Ordinal)
            .Select(i => pupils[i]).ToArray();

        var listed = new List<Guid>();
        var pages = 0;
        string? cursor = null;
        do
        {
            (var page, cursor) = await NonResponderPageAsync(full, campaign, 5, cursor);
            Assert.That(page, Has.Length.EqualTo(cursor is null ? 4 : 5));
            listed.AddRange(page);
            pages++;
        }
        while (cursor is not null && pages < 10);
        Assert.That(listed, Is.EqualTo(expected));
        Assert.That(pages, Is.EqualTo(3));

        // Without a limit, a page of 50: the whole list here, and no next page.
        var whole = await (await full.GetAsync($"/v1/campaigns/{campaign}/non-responders")).ReadObjectAsync();
        Assert.That(whole["pupils"]!.AsArray().Select(p => (Guid)p!["pupilId"]!), Is.EqualTo(expected));
        Assert.That(whole["nextCursor"], Is.Null);
        // A page that ends exactly at the end says so.
        Assert.That((await NonResponderPageAsync(full, campaign, expected.Length, null)).Next, Is.Null);

        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/v1/campaigns/{campaign}/non-responders?limit=2");
        csvRequest.Headers.Add("Accept", "text/csv");
        var csv = await (await full.SendAsync(csvRequest)).Content.ReadAsStringAsync();
        var rows = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => Guid.Parse(l.Split(',')[0]));
        Assert.That(rows.Distinct(), Is.EqualTo(expected), "the CSV is the whole list, in the same order");
    }

    /// <summary>The cursor names a place in the order, not a position: answers and new pupils between pages move nobody else.</summary>
    [Test]
    public async Task A_pupil_who_answers_or_joins_between_pages_makes_no_other_pupil_skip_or_repeat()
    {
        var (tenant, version, campaign, pupils) = await OpenCampaignAsync(10);
        var full = tenant.Full();
        var app = await tenant.ClientWithAsync([ConsentApi.Domain.Scopes.GuardianAct]);

        var (first, cursor) = await NonResponderPageAsync(full, campaign, 4, null);
        Assert.That(first, Is.EqualTo(pupils.Take(4)));
        // The pupil the cursor names, one already listed and one still to come answer; a pupil joins at the end.
        await AnswerAsync(app, "OV03A", pupils[3], version, "granted", "parent-app", "website");
        await AnswerAsync(app, "OV01A", pupils[1], version, "granted", "parent-app", "website");
        await AnswerAsync(app, "OV05A", pupils[5], version, "granted", "parent-app", "website");
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster(11))).EnsureSuccessStatusCode();
        var joined = (await (await full.GetAsync($"/v1/schools/{tenant.SchoolId}/pupils?externalId=LL10")).ReadObjectAsync())["items"]![0]!["id"]!;

        var (second, next) = await NonResponderPageAsync(full, campaign, 4, cursor);
        Assert.That(second, Is.EqualTo(new[] { pupils[4], pupils[6], pupils[7], pupils[8] }));
        var (third, end) = await NonResponderPageAsync(full, campaign, 4, next);
        Assert.That(third, Is.EqualTo(new[] { pupils[9], (Guid)joined }));
        Assert.That(end, Is.Null);
    }

    [Test]
    public async Task A_limit_out_of_range_or_a_cursor_this_campaign_did_not_return_is_400_and_another_organisations_campaign_404()
    {
        var (tenant, _, campaign, pupils) = await OpenCampaignAsync(3);
        var (_, _, otherCampaign, otherPupils) = await OpenCampaignAsync(3);
        var full = tenant.Full();
        var url = $"/v1/campaigns/{campaign}/non-responders";

        foreach (var limit in new[] { "0", "201", "-1" })
        {
            var problem = await AssertProblemAsync(await full.GetAsync($"{url}?limit={limit}"), HttpStatusCode.BadRequest, "validation");
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "limit" }), limit);
        }
        string[] cursors =
        [
            "not-a-cursor",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            ConsentApi.Infrastructure.Http.Paging.CursorFor(otherPupils[0]),
            ConsentApi.Infrastructure.Http.Paging.CursorFor(campaign),
        ];
        foreach (var cursor in cursors)
        {
            var problem = await AssertProblemAsync(await full.GetAsync($"{url}?cursor={cursor}"), HttpStatusCode.BadRequest, "validation");
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "cursor" }), cursor);
        }
        Assert.That((await full.GetAsync($"{url}?limit=200&cursor={ConsentApi.Infrastructure.Http.Paging.CursorFor(pupils[0])}")).StatusCode,
            Is.EqualTo(HttpStatusCode.OK));

        await AssertProblemAsync(await full.GetAsync($"/v1/campaigns/{otherCampaign}/non-responders"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await full.GetAsync($"/v1/campaigns/{otherCampaign}/non-responders?cursor={ConsentApi.Infrastructure.Http.Paging.CursorFor(otherPupils[0])}"),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task Under_all_guardians_a_pupil_counts_answered_only_when_every_guardian_with_authority_answered_and_the_others_are_reminded()
    {
        var (tenant, version, campaign, pupils) = await OpenCampaignAsync(2);
        var full = tenant.Full();
        (await full.PutAsJsonAsync($"/v1/organisations/{tenant.OrganisationId}/consent-policy",
            new { grantRequires = "all-guardians", schoolYearEndMonth = 7, schoolYearEndDay = 31 })).EnsureSuccessStatusCode();
        var app = await tenant.ClientWithAsync([ConsentApi.Domain.Scopes.GuardianAct]);

        // LL00: one parent answered everything, the other one item; LL01: one parent refused everything.
        await AnswerAsync(app, "OV00A", pupils[0], version, "granted", "parent-app", "website");
        await AnswerAsync(app, "OV00B", pupils[0], version, "granted", "parent-app");
        await AnswerAsync(app, "OV01A", pupils[1], version, "refused", "parent-app", "website");

        Assert.That(Progress(await (await full.GetAsync($"/v1/campaigns/{campaign}")).ReadObjectAsync()), Is.EqualTo("2/0/1/1"));
        Assert.That(await NonRespondersAsync(full, campaign), Is.EqualTo(new[] { "LL00:1/2:OV00B", "LL01:0/2:OV01B" }),
            "only the parents who still have to answer are reminded");

        await AnswerAsync(app, "OV00B", pupils[0], version, "refused", "website");
        await AnswerAsync(app, "OV01B", pupils[1], version, "granted", "parent-app", "website");

        Assert.That(Progress(await (await full.GetAsync($"/v1/campaigns/{campaign}")).ReadObjectAsync()), Is.EqualTo("2/2/0/0"));
        Assert.That(await NonRespondersAsync(full, campaign), Is.Empty);
    }

    [Test]
    public async Task Under_any_guardian_one_parents_answer_completes_an_item_and_both_parents_are_reminded_of_the_rest()
    {
        var (tenant, version, campaign, pupils) = await OpenCampaignAsync(2);
        var full = tenant.Full();
        var app = await tenant.ClientWithAsync([ConsentApi.Domain.Scopes.GuardianAct]);

        await AnswerAsync(app, "OV00A", pupils[0], version, "refused", "parent-app", "website");
        await AnswerAsync(app, "OV01A", pupils[1], version, "granted", "parent-app");

        Assert.That(Progress(await (await full.GetAsync($"/v1/campaigns/{campaign}")).ReadObjectAsync()), Is.EqualTo("2/1/1/0"));
        Assert.That(await NonRespondersAsync(full, campaign), Is.EqualTo(new[] { "LL01:1/2:OV01A+OV01B" }));
    }

    [Test]
    public async Task From_16_only_the_pupils_own_answers_count_under_either_policy_and_the_pupil_is_reminded()
    {
        var (tenant, version, campaign, pupils) = await OpenCampaignAsync(3);
        var full = tenant.Full();
        var app = await tenant.ClientWithAsync([ConsentApi.Domain.Scopes.GuardianAct]);
        // While all three are 15, one parent of LL00 and of LL01 answers everything.
        await AnswerAsync(app, "OV00A", pupils[0], version, "granted", "parent-app", "website");
        await AnswerAsync(app, "OV01A", pupils[1], version, "granted", "parent-app", "website");
        // The admin system corrects the dates of birth: LL00 and LL02 turned 16 today, LL01 turns 16 tomorrow. LL00's
        // parent's answers no longer count; LL00 answers one item, LL02 everything.
        var sixteenToday = LocalDay.Today.AddYears(-16);
        (await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster",
            Roster(3, i => (i == 1 ? sixteenToday.AddDays(1) : sixteenToday).ToString("yyyy-MM-dd")))).EnsureSuccessStatusCode();
        await DecideAsync(full, pupils[0], version, "granted", "parent-app");
        await DecideAsync(full, pupils[2], version, "refused", "parent-app", "website");

        Assert.That(Progress(await (await full.GetAsync($"/v1/campaigns/{campaign}")).ReadObjectAsync()), Is.EqualTo("3/2/1/0"));
        Assert.That(await NonRespondersAsync(full, campaign), Is.EqualTo(new[] { "LL00:1/2:LL00" }));
        var reminded = (await (await full.GetAsync($"/v1/campaigns/{campaign}/non-responders")).ReadObjectAsync())["pupils"]![0]!["remind"]![0]!;
        Assert.That(((string?)reminded["type"], (Guid?)reminded["guardianId"]), Is.EqualTo(("pupil", (Guid?)null)));

        (await full.PutAsJsonAsync($"/v1/organisations/{tenant.OrganisationId}/consent-policy",
            new { grantRequires = "all-guardians", schoolYearEndMonth = 7, schoolYearEndDay = 31 })).EnsureSuccessStatusCode();

        Assert.That(Progress(await (await full.GetAsync($"/v1/campaigns/{campaign}")).ReadObjectAsync()), Is.EqualTo("3/1/1/1"));
        Assert.That(await NonRespondersAsync(full, campaign), Is.EqualTo(new[] { "LL00:1/2:LL00", "LL01:0/2:OV01B" }));
    }

    /// <summary>Records the pupil's own decision.</summary>
    private static async Task DecideAsync(HttpClient client, Guid pupilId, Guid versionId, string outcome, params string[] channels)
    {
        var response = await client.PostAsJsonAsync($"/v1/pupils/{pupilId}/decisions", new
        {
            formVersionId = versionId, decidedBy = "pupil", method = "in-person",
            items = channels.Select(c => new { mediaType = "photo", channel = c, outcome }).ToArray(),
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Progress and non-responders are counted by the database: a campaign of 40 pupils costs as many round trips as one of
    /// 5, counted with Npgsql's own tracing on this fixture's database: the campaign, the organisation's policy and the counts
    /// (and for the progress the campaign's version for its ETag).
    /// </summary>
    [Test]
    public async Task Progress_and_non_responders_of_40_pupils_cost_as_many_round_trips_as_of_5()
    {
        const int ProgressRoundTrips = 4;
        const int NonResponderRoundTrips = 3;
        var counted = new Dictionary<int, (IReadOnlyList<string> Progress, IReadOnlyList<string> NonResponders)>();
        foreach (var size in new[] { 5, 40 })
        {
            var (tenant, version, campaign, pupils) = await OpenCampaignAsync(size);
            var full = tenant.Full();
            var app = await tenant.ClientWithAsync([ConsentApi.Domain.Scopes.GuardianAct]);
            // Two pupils answered fully, one partly; the rest not at all.
            await AnswerAsync(app, "OV00A", pupils[0], version, "granted", "parent-app", "website");
            await AnswerAsync(app, "OV01B", pupils[1], version, "refused", "parent-app", "website");
            await AnswerAsync(app, "OV02A", pupils[2], version, "granted", "website");

            var progress = await CountedGetAsync(full, $"/v1/campaigns/{campaign}");
            var nonResponders = await CountedGetAsync(full, $"/v1/campaigns/{campaign}/non-responders");

            Assert.That(Progress(progress.Body), Is.EqualTo($"{size}/2/1/{size - 3}"));
            Assert.That(nonResponders.Body["pupils"]!.AsArray().Select(p => (string?)p!["externalId"]),
                Is.EqualTo(Enumerable.Range(2, size - 2).Select(i => $"LL{i:00}")));
            counted[size] = (progress.RoundTrips, nonResponders.RoundTrips);
        }

        Assert.Multiple(() =>
        {
            Assert.That(counted[40].Progress, Has.Count.EqualTo(counted[5].Progress.Count), string.Join("\n----\n", counted[40].Progress));
            Assert.That(counted[40].NonResponders, Has.Count.EqualTo(counted[5].NonResponders.Count), string.Join("\n----\n", counted[40].NonResponders));
            Assert.That(counted[5].Progress, Has.Count.LessThanOrEqualTo(ProgressRoundTrips), string.Join("\n----\n", counted[5].Progress));
            Assert.That(counted[5].NonResponders, Has.Count.LessThanOrEqualTo(NonResponderRoundTrips), string.Join("\n----\n", counted[5].NonResponders));
        });
    }

    /// <summary>The body of a GET and the round trips it made besides the API key lookup, after a first call that warms up.</summary>
    private async Task<(JsonObject Body, IReadOnlyList<string> RoundTrips)> CountedGetAsync(HttpClient client, string url)
    {
        using var log = new RoundTripLog(new Npgsql.NpgsqlConnectionStringBuilder(Factory.ConnectionString).Database!);
        (await client.GetAsync(url)).EnsureSuccessStatusCode();
        log.Clear();
        var response = await client.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.ReadObjectAsync(), [.. log.RoundTrips.Where(c => !c.Contains("api_clients", StringComparison.Ordinal))]);
    }

    [Test]
    public async Task A_campaign_needs_a_published_version_of_the_schools_forms_and_sane_dates()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Concept" })).ReadObjectAsync();
        var draft = await (await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Mogen wij foto's van uw kind plaatsen op de website?", validity = "until-withdrawn",
            items = new[] { new { mediaType = "photo", channel = "website" } },
        })).ReadObjectAsync();
        var url = $"/v1/schools/{tenant.SchoolId}/campaigns";

        await AssertProblemAsync(await admin.PostAsJsonAsync(url, new { schoolYear = "2026-2027", formVersionId = (Guid)draft["id"]!, opensOn = Today, closesOn = InAMonth }),
            HttpStatusCode.Conflict, "conflict");
        await AssertProblemAsync(await admin.PostAsJsonAsync(url, new { schoolYear = "2026-2027", formVersionId = Guid.NewGuid(), opensOn = Today, closesOn = InAMonth }),
            HttpStatusCode.NotFound, "not-found");
        var dates = await AssertProblemAsync(await admin.PostAsJsonAsync(url, new { schoolYear = "2026-2027", formVersionId = (Guid)draft["id"]!, opensOn = InAMonth, closesOn = Today }),
            HttpStatusCode.BadRequest, "validation");
        Assert.That(dates["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "closesOn" }));
        var year = await AssertProblemAsync(await admin.PostAsJsonAsync(url, new { schoolYear = "2026-2028", formVersionId = (Guid)draft["id"]!, opensOn = Today, closesOn = InAMonth }),
            HttpStatusCode.BadRequest, "validation");
        Assert.That(year["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "schoolYear" }));
    }

    [Test]
    public async Task A_campaign_cannot_ask_a_withdrawn_or_superseded_version()
    {
        var tenant = await CreateTenantAsync();
        var admin = tenant.Admin();
        var url = $"/v1/schools/{tenant.SchoolId}/campaigns";
        async Task<(Guid FormId, Guid VersionId)> PublishAsync(Guid? formId = null)
        {
            formId ??= (Guid)(await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Beeldmateriaal" })).ReadObjectAsync())["id"]!;
            var created = await (await admin.PostAsJsonAsync($"/v1/consent-forms/{formId}/versions", new
            {
                textNl = "Mogen wij foto's van uw kind plaatsen op de website?", validity = "until-withdrawn",
                items = new[] { new { mediaType = "photo", channel = "website" } },
            })).ReadObjectAsync();
            var published = await admin.PostAsync($"/v1/consent-forms/{formId}/versions/{created["number"]}/publish", null);
            Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), await published.Content.ReadAsStringAsync());
            return (formId.Value, (Guid)created["id"]!);
        }
        var (withdrawnForm, withdrawn) = await PublishAsync();
        (await admin.PostAsync($"/v1/consent-forms/{withdrawnForm}/versions/1/withdraw", null)).EnsureSuccessStatusCode();
        var (form, superseded) = await PublishAsync();
        var (_, current) = await PublishAsync(form);

        foreach (var versionId in new[] { withdrawn, superseded })
        {
            await AssertProblemAsync(await admin.PostAsJsonAsync(url, new { schoolYear = "2026-2027", formVersionId = versionId, opensOn = Today, closesOn = InAMonth }),
                HttpStatusCode.Conflict, "conflict");
        }
        var opened = await admin.PostAsJsonAsync(url, new { schoolYear = "2026-2027", formVersionId = current, opensOn = Today, closesOn = InAMonth });
        Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.Created), await opened.Content.ReadAsStringAsync());
    }
}
