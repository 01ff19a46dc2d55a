using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Publications;

/// <summary>
/// POST/GET /v1/publications and the takedowns they lead to: registration checks consent at the moment of publication,
/// and every change that ends consent for a pupil shown (a withdrawal, lost authority, a stricter policy, a roster sync)
/// opens a takedown in the same request.
/// </summary>
public sealed class PublicationTests : ApiTest
{
    private static readonly string[] AskedItems = ["photo:social-media", "photo:website", "film:social-media"];

    /// <summary>A tenant, a published form asking <see cref="AskedItems"/>, and pupils each with their guardians.</summary>
    private sealed record Class(Tenant Tenant, Guid VersionId, IReadOnlyList<Guid> Pupils, IReadOnlyList<IReadOnlyList<Guid>> Guardians)
    {
        public HttpClient Full() => Tenant.Full();
    }

    /// <summary>
    /// One pupil per entry of <paramref name="guardiansPerPupil"/>, each with that many guardians with parental authority,
    /// every one of whom granted every asked item (unless <paramref name="granted"/> is false).
    /// </summary>
    private async Task<Class> ClassAsync(int[] guardiansPerPupil, bool granted = true, DateTimeOffset? givenAt = null)
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(tenant.Admin(), AskedItems))["id"]!;
        if (givenAt is not null)
        {
            await BackdateFormAsync(Factory, versionId, givenAt.Value.AddDays(-1));
        }
        var pupils = new List<Guid>();
        var guardians = new List<IReadOnlyList<Guid>>();
        for (var i = 0; i < guardiansPerPupil.Length; i++)
        {
            var pupil = await CreatePupilAsync(full, tenant.SchoolId, $"Leerling {i}");
            var own = new List<Guid>();
            for (var j = 0; j < guardiansPerPupil[i]; j++)
            {
                var guardian = await CreateGuardianAsync(full, $"Ouder {i}{j}");
                await LinkAsync(full, pupil, guardian);
                if (granted)
                {
                    await DecideAsync(full, pupil, versionId, guardian, "granted", AskedItems, givenAt);
                }
                own.Add(guardian);
            }
            pupils.Add(pupil);
            guardians.Add(own);
        }
        return new Class(tenant, versionId, pupils, guardians);
    }

    private Task<int> PublicationRowsAsync(Guid organisationId) =>
        Factory.QueryAsync(db => db.Publications.CountAsync(p => p.OrganisationId == organisationId));

    [Test]
    public async Task A_withdrawal_for_one_of_three_pupils_opens_one_takedown_and_completing_it_removes_the_publication()
    {
        var c = await ClassAsync([1, 1, 1]);
        var full = c.Full();

        var response = await SendRegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", c.Pupils);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var publication = await response.ReadObjectAsync();
        var publicationId = (Guid)publication["id"]!;
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/v1/publications/{publicationId}"));
            Assert.That((string?)publication["status"], Is.EqualTo("online"));
            Assert.That((string?)publication["channel"], Is.EqualTo("social-media"));
            Assert.That((string?)publication["mediaType"], Is.EqualTo("photo"));
            Assert.That((bool?)publication["publishedWithoutCheck"], Is.False);
            Assert.That(publication["removedAt"], Is.Null);
            Assert.That(publication["pupilIds"]!.AsArray().Select(p => (Guid)p!), Is.EquivalentTo(c.Pupils));
        });
        Assert.That(await OpenTakedownsAsync(full), Is.Empty, "every pupil shown has consent");

        var withdrawal = await DecideAsync(full, c.Pupils[1], c.VersionId, c.Guardians[1][0], "refused", ["photo:social-media"]);

        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        var takedown = open[0]!;
        var takedownId = (Guid)takedown["id"]!;
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)takedown["publicationId"], Is.EqualTo(publicationId));
            Assert.That((Guid?)takedown["schoolId"], Is.EqualTo(c.Tenant.SchoolId));
            Assert.That((string?)takedown["status"], Is.EqualTo("open"));
            Assert.That(PupilsOf(takedown), Is.EqualTo(new[] { Pupil(c.Pupils[1], "refused", "refused-by-guardian") }));
            Assert.That(Moment(takedown["openedAt"]), Is.GreaterThanOrEqualTo(Moment(withdrawal["decisions"]![0]!["recordedAt"])));
            Assert.That(takedown["completedAt"], Is.Null);
            Assert.That(takedown["completedBy"], Is.Null);
        });

        var completed = await full.PostAsJsonAsync($"/v1/takedowns/{takedownId}/complete",
            new { completedBy = "Webbeheerder M. Jansen", note = "Foto verwijderd van Instagram" });

        Assert.That(completed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await completed.Content.ReadAsStringAsync());
        var done = await completed.ReadObjectAsync();
        var completedAt = Moment(done["completedAt"]);
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)done["id"], Is.EqualTo(takedownId));
            Assert.That((string?)done["status"], Is.EqualTo("done"));
            Assert.That((string?)done["completedBy"], Is.EqualTo("Webbeheerder M. Jansen"));
            Assert.That((string?)done["completionNote"], Is.EqualTo("Foto verwijderd van Instagram"));
            Assert.That(completedAt, Is.GreaterThanOrEqualTo(Moment(takedown["openedAt"])));
            Assert.That(PupilsOf(done), Is.EqualTo(PupilsOf(takedown)));
        });
        Assert.That(await OpenTakedownsAsync(full), Is.Empty);
        var doneList = await ItemsAsync(full, "/v1/takedowns?status=done");
        Assert.That(doneList.Select(t => (Guid)t!["id"]!), Is.EqualTo(new[] { takedownId }));

        var removed = await GetAsync(full, $"/v1/publications/{publicationId}");
        Assert.Multiple(() =>
        {
            Assert.That((string?)removed["status"], Is.EqualTo("removed"));
            Assert.That(Moment(removed["removedAt"]), Is.EqualTo(completedAt));
            Assert.That((string?)removed["removalNote"], Is.EqualTo("Foto verwijderd van Instagram"));
        });

        await AssertProblemAsync(await full.PostAsJsonAsync($"/v1/takedowns/{takedownId}/complete", new { completedBy = "Iemand anders" }),
            HttpStatusCode.Conflict, "conflict");
        var after = await GetAsync(full, $"/v1/takedowns/{takedownId}");
        Assert.Multiple(() =>
        {
            Assert.That((string?)after["completedBy"], Is.EqualTo("Webbeheerder M. Jansen"), "a second completion changes nothing");
            Assert.That(Moment(after["completedAt"]), Is.EqualTo(completedAt));
        });

        // The item is down: a later withdrawal for it opens nothing.
        await DecideAsync(full, c.Pupils[2], c.VersionId, c.Guardians[2][0], "refused", ["photo:social-media"]);
        Assert.That(await OpenTakedownsAsync(full), Is.Empty);
    }

    [Test]
    public async Task A_second_pupil_withdrawing_joins_the_open_takedown_and_a_withdrawal_for_another_item_opens_nothing()
    {
        // Pupil 1 has two guardians: when one of them withdraws, the other still grants (conflict).
        var c = await ClassAsync([1, 2, 1]);
        var full = c.Full();
        var publicationId = (Guid)(await RegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", c.Pupils))["id"]!;
        await DecideAsync(full, c.Pupils[0], c.VersionId, c.Guardians[0][0], "refused", ["photo:social-media"]);
        var first = (await OpenTakedownsAsync(full)).Single()!;

        await DecideAsync(full, c.Pupils[1], c.VersionId, c.Guardians[1][0], "refused", ["photo:social-media"]);

        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)open[0]!["id"], Is.EqualTo((Guid)first["id"]!));
            Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo(publicationId));
            Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[]
            {
                Pupil(c.Pupils[0], "refused", "refused-by-guardian"),
                Pupil(c.Pupils[1], "conflict", "guardians-disagree"),
            }));
        });

        // Pupil 2 withdraws photo on the website and film on social media: neither is this publication's item.
        await DecideAsync(full, c.Pupils[2], c.VersionId, c.Guardians[2][0], "refused", ["photo:website", "film:social-media"]);
        // Pupil 0 withdrawing again is already listed.
        await DecideAsync(full, c.Pupils[0], c.VersionId, c.Guardians[0][0], "refused", ["photo:social-media"]);

        var still = await OpenTakedownsAsync(full);
        Assert.That(still, Has.Count.EqualTo(1), still.ToJsonString());
        Assert.That(PupilsOf(still[0]!), Is.EqualTo(PupilsOf(open[0]!)));
        Assert.That(await Factory.QueryAsync(db => db.Takedowns.CountAsync(t => t.OrganisationId == c.Tenant.OrganisationId)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_pupil_without_consent_at_publication_is_a_conflict_listing_that_pupil_and_nothing_is_written()
    {
        var c = await ClassAsync([1, 1]);
        var full = c.Full();
        var noAnswer = await CreatePupilAsync(full, c.Tenant.SchoolId, "Zonder Antwoord");
        await LinkAsync(full, noAnswer, await CreateGuardianAsync(full, "Ouder Zonder Antwoord"));
        var refused = await CreatePupilAsync(full, c.Tenant.SchoolId, "Wel Geweigerd");
        var guardian = await CreateGuardianAsync(full, "Ouder Geweigerd");
        await LinkAsync(full, refused, guardian);
        await DecideAsync(full, refused, c.VersionId, guardian, "refused", ["photo:social-media"]);
        var eventsBefore = (await EventsAsync(Factory, c.Tenant.OrganisationId)).Count;

        var response = await SendRegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", [c.Pupils[0], noAnswer, c.Pupils[1], refused]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
        Assert.That(problem["pupils"]!.AsArray().Select(p => $"{p!["pupilId"]} {p["state"]} {p["reason"]} {p["allowed"]}"),
            Is.EquivalentTo(new[] { $"{noAnswer} pending no-answer false", $"{refused} refused refused-by-guardian false" }),
            problem.ToJsonString());
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await PublicationRowsAsync(c.Tenant.OrganisationId), Is.Zero, "no publication row");
            Assert.That(await Factory.QueryAsync(db => db.Takedowns.CountAsync(t => t.OrganisationId == c.Tenant.OrganisationId)), Is.Zero);
            Assert.That((await EventsAsync(Factory, c.Tenant.OrganisationId)).Count, Is.EqualTo(eventsBefore), "no event");
            Assert.That(await ItemsAsync(full, "/v1/publications"), Is.Empty);
        });
    }

    [Test]
    public async Task Registered_as_published_without_check_it_is_kept_and_a_takedown_opens_at_once_for_the_pupil_without_consent()
    {
        var c = await ClassAsync([1]);
        var full = c.Full();
        var noAnswer = await CreatePupilAsync(full, c.Tenant.SchoolId, "Zonder Antwoord");
        await LinkAsync(full, noAnswer, await CreateGuardianAsync(full, "Ouder Zonder Antwoord"));

        var response = await SendRegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", [c.Pupils[0], noAnswer], publishedWithoutCheck: true);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var publication = await response.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That((bool?)publication["publishedWithoutCheck"], Is.True);
            Assert.That((string?)publication["status"], Is.EqualTo("online"));
        });
        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo((Guid)publication["id"]!));
            Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[] { Pupil(noAnswer, "pending", "no-answer") }));
        });
    }

    [Test]
    public async Task Removing_a_publication_with_an_open_takedown_completes_the_takedown()
    {
        var c = await ClassAsync([1]);
        var full = c.Full();
        var noAnswer = await CreatePupilAsync(full, c.Tenant.SchoolId, "Nog Geen Antwoord");
        await LinkAsync(full, noAnswer, await CreateGuardianAsync(full, "Ouder Nog Geen Antwoord"));
        var publication = await (await SendRegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", [noAnswer], publishedWithoutCheck: true))
            .ReadObjectAsync();
        var publicationId = (Guid)publication["id"]!;
        Assert.That(await OpenTakedownsAsync(full), Has.Count.EqualTo(1));

        var removed = await full.PostAsJsonAsync($"/v1/publications/{publicationId}/remove", new { note = "Bericht verwijderd" });

        Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await removed.Content.ReadAsStringAsync());
        Assert.That(await OpenTakedownsAsync(full), Is.Empty);
        var done = await (await full.GetAsync($"/v1/takedowns?publicationId={publicationId}")).ReadObjectAsync();
        var takedown = done["items"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)takedown["status"], Is.EqualTo("done"));
            Assert.That((string?)takedown["completionNote"], Is.EqualTo("Bericht verwijderd"));
        });
    }

    [Test]
    public async Task A_publication_dated_before_a_withdrawal_is_accepted_and_its_takedown_opens_at_once()
    {
        var c = await ClassAsync([1], granted: false);
        var full = c.Full();
        var grant = await DecideAsync(full, c.Pupils[0], c.VersionId, c.Guardians[0][0], "granted", ["photo:website"]);
        var publishedAt = Moment(grant["decisions"]![0]!["givenAt"]);
        await DecideAsync(full, c.Pupils[0], c.VersionId, c.Guardians[0][0], "refused", ["photo:website"]);

        var response = await SendRegisterAsync(full, c.Tenant.SchoolId, "website", "photo", c.Pupils, publishedAt);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var publication = await response.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That(Moment(publication["publishedAt"]), Is.EqualTo(publishedAt));
            Assert.That((bool?)publication["publishedWithoutCheck"], Is.False);
            Assert.That((string?)publication["status"], Is.EqualTo("online"));
        });
        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo((Guid)publication["id"]!));
            Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[] { Pupil(c.Pupils[0], "refused", "refused-by-guardian") }));
        });
    }

    [Test]
    public async Task A_publication_dated_in_the_future_is_a_validation_problem_on_publishedAt()
    {
        var c = await ClassAsync([1]);

        var problem = await AssertProblemAsync(
            await SendRegisterAsync(c.Full(), c.Tenant.SchoolId, "social-media", "photo", c.Pupils, Now.AddHours(1)),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "publishedAt" }), problem.ToJsonString());
        Assert.That(await PublicationRowsAsync(c.Tenant.OrganisationId), Is.Zero);
    }

    [Test]
    public async Task A_publication_needs_a_url_or_a_location()
    {
        var c = await ClassAsync([1]);
        var full = c.Full();

        var problem = await AssertProblemAsync(
            await SendRegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", c.Pupils, url: null, location: null),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "url" }), problem.ToJsonString());
        Assert.That(await PublicationRowsAsync(c.Tenant.OrganisationId), Is.Zero);

        var withLocation = await SendRegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", c.Pupils, url: null,
            location: "Schoolgids 2026-2027, p. 12");
        Assert.That(withLocation.StatusCode, Is.EqualTo(HttpStatusCode.Created), await withLocation.Content.ReadAsStringAsync());
        var publication = await withLocation.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That((string?)publication["location"], Is.EqualTo("Schoolgids 2026-2027, p. 12"));
            Assert.That(publication["url"], Is.Null);
        });
    }

    [Test]
    public async Task An_unknown_channel_is_a_validation_problem_on_channel()
    {
        var c = await ClassAsync([1]);

        var problem = await AssertProblemAsync(
            await SendRegisterAsync(c.Full(), c.Tenant.SchoolId, "regional-press", "photo", c.Pupils),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "channel" }), problem.ToJsonString());
        Assert.That(await PublicationRowsAsync(c.Tenant.OrganisationId), Is.Zero);
    }

    [Test]
    public async Task A_pupil_of_the_other_school_of_the_organisation_is_not_found_and_listed()
    {
        var c = await ClassAsync([1]);
        var full = c.Full();
        var otherSchoolPupil = await CreatePupilAsync(full, c.Tenant.SchoolIds[1], "Andere School");
        var guardian = await CreateGuardianAsync(full, "Ouder Andere School");
        await LinkAsync(full, otherSchoolPupil, guardian);
        await DecideAsync(full, otherSchoolPupil, c.VersionId, guardian, "granted", ["photo:social-media"]);

        var problem = await AssertProblemAsync(
            await SendRegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", [c.Pupils[0], otherSchoolPupil]),
            HttpStatusCode.NotFound, "not-found");

        Assert.That(problem["unknownPupilIds"]!.AsArray().Select(p => (Guid)p!), Is.EqualTo(new[] { otherSchoolPupil }), problem.ToJsonString());
        Assert.That(await PublicationRowsAsync(c.Tenant.OrganisationId), Is.Zero);
    }

    [Test]
    public async Task A_pupil_named_twice_is_stored_once()
    {
        var c = await ClassAsync([1, 1]);

        var publication = await RegisterAsync(c.Full(), c.Tenant.SchoolId, "social-media", "photo",
            [c.Pupils[0], c.Pupils[1], c.Pupils[0], c.Pupils[1], c.Pupils[0]]);

        var id = (Guid)publication["id"]!;
        Assert.That(publication["pupilIds"]!.AsArray().Select(p => (Guid)p!), Is.EquivalentTo(c.Pupils));
        Assert.That(await Factory.QueryAsync(db => db.Publications.Where(p => p.Id == id).SelectMany(p => p.Pupils).CountAsync()), Is.EqualTo(2));
        var read = await GetAsync(c.Full(), $"/v1/publications/{id}");
        Assert.That(read["pupilIds"]!.AsArray().Select(p => (Guid)p!), Is.EquivalentTo(c.Pupils));
    }

    [Test]
    public async Task The_list_filters_by_school_channel_pupil_status_and_publication_date_and_pages()
    {
        var start = Now;
        var c = await ClassAsync([1, 1], givenAt: start.AddDays(-20));
        var full = c.Full();
        var otherSchoolPupil = await CreatePupilAsync(full, c.Tenant.SchoolIds[1], "Andere School");
        var guardian = await CreateGuardianAsync(full, "Ouder Andere School");
        await LinkAsync(full, otherSchoolPupil, guardian);
        await DecideAsync(full, otherSchoolPupil, c.VersionId, guardian, "granted", ["photo:social-media"], start.AddDays(-20));
        var (t1, t2, t3) = (start.AddDays(-3), start.AddDays(-2), start.AddDays(-1));
        var p1 = (Guid)(await RegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", [c.Pupils[0]], t1))["id"]!;
        var p2 = (Guid)(await RegisterAsync(full, c.Tenant.SchoolId, "website", "photo", [c.Pupils[1]], t2))["id"]!;
        var p3 = (Guid)(await RegisterAsync(full, c.Tenant.SchoolIds[1], "social-media", "photo", [otherSchoolPupil], t3))["id"]!;
        (await full.PostAsJsonAsync($"/v1/publications/{p2}/remove", new { note = "Van de website gehaald" })).EnsureSuccessStatusCode();

        async Task<Guid[]> ListAsync(string query) =>
            [.. (await ItemsAsync(full, $"/v1/publications{query}")).Select(p => (Guid)p!["id"]!)];

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await ListAsync(""), Is.EquivalentTo(new[] { p1, p2, p3 }), "all");
            Assert.That(await ListAsync($"?schoolId={c.Tenant.SchoolIds[1]}"), Is.EqualTo(new[] { p3 }), "schoolId");
            Assert.That(await ListAsync($"?schoolId={c.Tenant.SchoolId}"), Is.EquivalentTo(new[] { p1, p2 }), "schoolId");
            Assert.That(await ListAsync("?channel=website"), Is.EqualTo(new[] { p2 }), "channel");
            Assert.That(await ListAsync("?channel=social-media"), Is.EquivalentTo(new[] { p1, p3 }), "channel");
            Assert.That(await ListAsync("?channel=newsletter"), Is.Empty, "channel");
            Assert.That(await ListAsync($"?pupilId={c.Pupils[0]}"), Is.EqualTo(new[] { p1 }), "pupilId");
            Assert.That(await ListAsync($"?pupilId={otherSchoolPupil}"), Is.EqualTo(new[] { p3 }), "pupilId");
            Assert.That(await ListAsync("?status=removed"), Is.EqualTo(new[] { p2 }), "status");
            Assert.That(await ListAsync("?status=online"), Is.EquivalentTo(new[] { p1, p3 }), "status");
            Assert.That(await ListAsync($"?from={Iso(t2)}"), Is.EquivalentTo(new[] { p2, p3 }), "from is inclusive");
            Assert.That(await ListAsync($"?to={Iso(t2)}"), Is.EqualTo(new[] { p1 }), "to is exclusive");
            Assert.That(await ListAsync($"?from={Iso(t1)}&to={Iso(t3)}"), Is.EquivalentTo(new[] { p1, p2 }), "from and to");
            Assert.That(await ListAsync($"?schoolId={c.Tenant.SchoolId}&status=online&channel=social-media"), Is.EqualTo(new[] { p1 }), "combined");
        });

        var first = await GetAsync(full, "/v1/publications?limit=2");
        Assert.That(first["items"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That((string?)first["nextCursor"], Is.Not.Null.And.Not.Empty);
        var second = await GetAsync(full, $"/v1/publications?limit=2&cursor={Uri.EscapeDataString((string)first["nextCursor"]!)}");
        Assert.That(second["items"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(second["nextCursor"], Is.Null);
        Assert.That(first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(p => (Guid)p!["id"]!),
            Is.EquivalentTo(new[] { p1, p2, p3 }), "every publication once over the pages");

        var badStatus = await AssertProblemAsync(await full.GetAsync("/v1/publications?status=gone"), HttpStatusCode.BadRequest, "validation");
        Assert.That(ErrorKeys(badStatus), Is.EqualTo(new[] { "status" }), badStatus.ToJsonString());
    }

    [Test]
    public async Task Removing_a_publication_marks_it_removed_and_removing_again_keeps_the_first_removal()
    {
        var c = await ClassAsync([1]);
        var full = c.Full();
        var id = (Guid)(await RegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", c.Pupils))["id"]!;

        var response = await full.PostAsJsonAsync($"/v1/publications/{id}/remove", new { note = "Bericht verwijderd" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var removed = await response.ReadObjectAsync();
        var removedAt = Moment(removed["removedAt"]);
        Assert.Multiple(() =>
        {
            Assert.That((string?)removed["status"], Is.EqualTo("removed"));
            Assert.That((string?)removed["removalNote"], Is.EqualTo("Bericht verwijderd"));
            Assert.That(removedAt, Is.GreaterThan(Moment(removed["registeredAt"])));
        });

        var again = await (await full.PostAsJsonAsync($"/v1/publications/{id}/remove", new { note = "Nogmaals" })).ReadObjectAsync();

        var read = await GetAsync(full, $"/v1/publications/{id}");
        Assert.Multiple(() =>
        {
            Assert.That(Moment(again["removedAt"]), Is.EqualTo(removedAt));
            Assert.That((string?)again["removalNote"], Is.EqualTo("Bericht verwijderd"));
            Assert.That((string?)read["status"], Is.EqualTo("removed"));
            Assert.That(Moment(read["removedAt"]), Is.EqualTo(removedAt));
            Assert.That((string?)read["removalNote"], Is.EqualTo("Bericht verwijderd"));
        });

        // Removed items are not taken down again.
        await DecideAsync(full, c.Pupils[0], c.VersionId, c.Guardians[0][0], "refused", ["photo:social-media"]);
        Assert.That(await OpenTakedownsAsync(full), Is.Empty);
    }

    [Test]
    public async Task Taking_parental_authority_from_the_only_granting_guardian_opens_a_takedown()
    {
        var c = await ClassAsync([1, 1]);
        var full = c.Full();
        var publicationId = (Guid)(await RegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", c.Pupils))["id"]!;

        await LinkAsync(full, c.Pupils[0], c.Guardians[0][0], hasParentalAuthority: false);

        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo(publicationId));
            Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[] { Pupil(c.Pupils[0], "pending", "no-guardian-with-authority") }));
        });
    }

    [Test]
    public async Task Switching_the_policy_to_all_guardians_when_only_one_of_two_granted_opens_a_takedown()
    {
        var c = await ClassAsync([2, 1], granted: false);
        var full = c.Full();
        await DecideAsync(full, c.Pupils[0], c.VersionId, c.Guardians[0][0], "granted", ["photo:social-media"]);
        await DecideAsync(full, c.Pupils[1], c.VersionId, c.Guardians[1][0], "granted", ["photo:social-media"]);
        var publicationId = (Guid)(await RegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", c.Pupils))["id"]!;
        Assert.That(await OpenTakedownsAsync(full), Is.Empty, "one of two guardians suffices under any-guardian");

        var response = await full.PutAsJsonAsync($"/v1/organisations/{c.Tenant.OrganisationId}/consent-policy",
            new { grantRequires = "all-guardians", schoolYearEndMonth = 7, schoolYearEndDay = 31 });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo(publicationId));
            Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[] { Pupil(c.Pupils[0], "pending", "awaiting-other-guardian") }),
                "pupil 1's only guardian granted: all guardians did");
        });
    }

    [Test]
    public async Task A_roster_sync_that_removes_the_granting_guardians_link_opens_a_takedown()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(tenant.Admin(), AskedItems))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne Roster", new DateOnly(2016, 3, 1), "R-P1");
        var granting = await CreateGuardianAsync(full, "Ouder Een", "R-G1");
        var other = await CreateGuardianAsync(full, "Ouder Twee", "R-G2");
        await LinkAsync(full, pupil, granting);
        await LinkAsync(full, pupil, other);
        await DecideAsync(full, pupil, versionId, granting, "granted", ["photo:social-media"]);
        var publicationId = (Guid)(await RegisterAsync(full, tenant.SchoolId, "social-media", "photo", [pupil]))["id"]!;
        Assert.That(await OpenTakedownsAsync(full), Is.Empty);

        var sync = await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", new
        {
            groups = Array.Empty<object>(),
            pupils = new[]
            {
                new
                {
                    externalId = "R-P1", displayName = "Sanne Roster", dateOfBirth = new DateOnly(2016, 3, 1), groupExternalId = (string?)null,
                    guardians = new[] { new { externalId = "R-G2", hasParentalAuthority = true } },
                },
            },
            guardians = new[] { new { externalId = "R-G2", displayName = "Ouder Twee" } },
        });

        Assert.That(sync.StatusCode, Is.EqualTo(HttpStatusCode.OK), await sync.Content.ReadAsStringAsync());
        var counts = await sync.ReadObjectAsync();
        Assert.That((int?)counts["guardianLinks"]!["removed"], Is.EqualTo(1), counts.ToJsonString());
        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo(publicationId));
            Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[] { Pupil(pupil, "pending", "no-answer") }));
        });
    }

    [Test]
    public async Task A_takedown_is_found_by_publication_and_by_id()
    {
        var c = await ClassAsync([1]);
        var full = c.Full();
        var kept = (Guid)(await RegisterAsync(full, c.Tenant.SchoolId, "website", "photo", c.Pupils))["id"]!;
        var publicationId = (Guid)(await RegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", c.Pupils))["id"]!;
        await DecideAsync(full, c.Pupils[0], c.VersionId, c.Guardians[0][0], "refused", ["photo:social-media"]);

        var byPublication = await ItemsAsync(full, $"/v1/takedowns?publicationId={publicationId}");
        var none = await ItemsAsync(full, $"/v1/takedowns?publicationId={kept}");

        Assert.That(byPublication, Has.Count.EqualTo(1), byPublication.ToJsonString());
        Assert.That(none, Is.Empty);
        var one = await GetAsync(full, $"/v1/takedowns/{byPublication[0]!["id"]}");
        Assert.That(JsonNode.DeepEquals(one, byPublication[0]), Is.True, $"{one.ToJsonString()} vs {byPublication[0]!.ToJsonString()}");
    }
}
