using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>The building blocks the consent fixtures of this file share: forms, pupils, guardians, decisions, checks.</summary>
file static class Steps
{
    public const string FormText = "Wij vragen uw toestemming voor het publiceren van foto's, film en geluid van uw kind.";

    public static readonly string[] ChannelKeys = ["newsletter", "parent-app", "school-guide", "social-media", "website"];

    public static readonly string[] MediaTypes = ["photo", "film", "audio"];

    /// <summary>The 15 items in reading order: photo, film, audio; channels by key.</summary>
    public static readonly string[] AllItems = [.. MediaTypes.SelectMany(m => ChannelKeys.Select(c => $"{m}:{c}"))];

    public static DateTimeOffset Now => DateTimeOffset.UtcNow;

    public static DateOnly Today => LocalDay.Today;

    public static string Iso(DateTimeOffset moment) => Uri.EscapeDataString(moment.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    public static DateTimeOffset Moment(JsonNode? node) => DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture);

    public static IEnumerable<string> ErrorKeys(JsonObject problem) => problem["errors"]?.AsObject().Select(e => e.Key) ?? [];

    /// <summary>Creates and publishes a form version asking <paramref name="items"/> ("photo:website"); returns the published version.</summary>
    public static async Task<JsonObject> PublishFormAsync(HttpClient admin, string[] items, string validity = "until-withdrawn",
        string? schoolYear = null, Guid? schoolId = null)
    {
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Toestemming beeldmateriaal", schoolId })).ReadObjectAsync();
        var version = await admin.PostAsJsonAsync($"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = FormText,
            validity,
            schoolYear,
            items = items.Select(i => i.Split(':')).Select(i => new { mediaType = i[0], channel = i[1] }).ToArray(),
        });
        Assert.That(version.StatusCode, Is.EqualTo(HttpStatusCode.Created), await version.Content.ReadAsStringAsync());
        var published = await admin.PostAsync($"/v1/consent-forms/{form["id"]}/versions/1/publish", null);
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), await published.Content.ReadAsStringAsync());
        return await published.ReadObjectAsync();
    }

    public static async Task<Guid> CreateGroupAsync(HttpClient client, Guid schoolId, string name)
    {
        var response = await client.PostAsJsonAsync($"/v1/schools/{schoolId}/groups",
            new { externalId = $"G-{Guid.NewGuid():N}"[..20], name, schoolYear = "2026-2027" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }

    public static async Task<Guid> CreatePupilAsync(HttpClient client, Guid schoolId, string name, DateOnly? dateOfBirth = null,
        Guid? groupId = null, string? externalId = null)
    {
        var response = await client.PostAsJsonAsync($"/v1/schools/{schoolId}/pupils", new
        {
            externalId = externalId ?? $"P-{Guid.NewGuid():N}"[..20],
            displayName = name,
            dateOfBirth = dateOfBirth ?? new DateOnly(2016, 3, 1),
            groupId,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }

    public static async Task<Guid> CreateGuardianAsync(HttpClient client, string name)
    {
        var response = await client.PostAsJsonAsync("/v1/guardians", new { externalId = $"O-{Guid.NewGuid():N}"[..20], displayName = name });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }

    public static async Task LinkAsync(HttpClient client, Guid pupilId, Guid guardianId, bool hasParentalAuthority = true)
    {
        var response = await client.PutAsJsonAsync($"/v1/pupils/{pupilId}/guardians/{guardianId}", new { hasParentalAuthority });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    /// <summary>Records one person's <paramref name="outcome"/> on <paramref name="items"/>; null guardian means the pupil decides.</summary>
    public static async Task<JsonObject> DecideAsync(HttpClient client, Guid pupilId, Guid versionId, Guid? guardianId, string outcome,
        string[] items, DateTimeOffset? givenAt = null)
    {
        var response = await client.PostAsJsonAsync($"/v1/pupils/{pupilId}/decisions", new
        {
            formVersionId = versionId,
            decidedBy = guardianId is null ? "pupil" : "guardian",
            guardianId,
            method = givenAt is null ? "parent-app" : "paper",
            givenAt,
            items = items.Select(i => i.Split(':')).Select(i => new { mediaType = i[0], channel = i[1], outcome }).ToArray(),
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    public static Task<HttpResponseMessage> SendCheckAsync(HttpClient client, IEnumerable<Guid> pupilIds, string mediaType, string channel,
        DateTimeOffset? at = null) =>
        client.PostAsJsonAsync("/v1/publication-checks", new { pupilIds = pupilIds.ToArray(), mediaType, channel, at });

    public static async Task<JsonObject> CheckAsync(HttpClient client, IEnumerable<Guid> pupilIds, string mediaType, string channel,
        DateTimeOffset? at = null)
    {
        var response = await SendCheckAsync(client, pupilIds, mediaType, channel, at);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    /// <summary>A check's answer as text: "allowed" and per pupil "name state reason allowed", in the answer's order.</summary>
    public static string[] Answer(JsonObject check, IReadOnlyDictionary<Guid, string> names) =>
    [
        $"allowed={check["allowed"]}",
        .. check["pupils"]!.AsArray().Select(p => $"{names[(Guid)p!["pupilId"]!]} {p["state"]} {p["reason"]} {p["allowed"]}"),
    ];

    /// <summary>Moves a version's publication back in time, so that decisions given in the past (paper forms) can answer it.</summary>
    public static Task BackdatePublicationAsync(ConsentApiFactory factory, Guid versionId, DateTimeOffset publishedAt) =>
        factory.QueryAsync(db => db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE consent_form_versions SET published_at = {publishedAt.ToUniversalTime()} WHERE id = {versionId}"));
}

/// <summary>
/// POST /v1/publication-checks and GET /v1/pupils/{id}/consents: the consent rules as the API answers them, computed from
/// the decisions on every request, at now or at any past moment.
/// </summary>
public sealed class PublicationCheckTests : ApiTest
{
    /// <summary>Two siblings with the same two parents, both holding parental authority, and a form asking photo on social media.</summary>
    private sealed record Siblings(Tenant Tenant, Guid VersionId, Guid Anna, Guid Bram, Guid Mother, Guid Father)
    {
        public IReadOnlyDictionary<Guid, string> Names => new Dictionary<Guid, string> { [Anna] = "Anna", [Bram] = "Bram" };
    }

    private async Task<Siblings> SiblingsAsync()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = await Steps.PublishFormAsync(tenant.Admin(), ["photo:social-media", "photo:website"]);
        var anna = await Steps.CreatePupilAsync(full, tenant.SchoolId, "Anna Jansen");
        var bram = await Steps.CreatePupilAsync(full, tenant.SchoolId, "Bram Jansen", new DateOnly(2018, 9, 12));
        var mother = await Steps.CreateGuardianAsync(full, "Els Jansen");
        var father = await Steps.CreateGuardianAsync(full, "Ruud Jansen");
        foreach (var pupil in new[] { anna, bram })
        {
            await Steps.LinkAsync(full, pupil, mother);
            await Steps.LinkAsync(full, pupil, father);
        }
        return new Siblings(tenant, (Guid)version["id"]!, anna, bram, mother, father);
    }

    [Test]
    public async Task A_grant_by_both_guardians_allows_and_one_withdrawal_denies_the_very_next_check()
    {
        var s = await SiblingsAsync();
        var full = s.Tenant.Full();
        foreach (var (pupil, guardian) in new[] { (s.Anna, s.Mother), (s.Anna, s.Father), (s.Bram, s.Mother), (s.Bram, s.Father) })
        {
            await Steps.DecideAsync(full, pupil, s.VersionId, guardian, "granted", ["photo:social-media"]);
        }
        var granted = await Steps.CheckAsync(full, [s.Anna, s.Bram], "photo", "social-media");
        Assert.That(Steps.Answer(granted, s.Names), Is.EqualTo(new[]
        {
            "allowed=true", "Anna granted granted-by-guardian true", "Bram granted granted-by-guardian true",
        }));
        Assert.That(((string?)granted["mediaType"], (string?)granted["channel"]), Is.EqualTo(("photo", "social-media")));
        var beforeWithdrawal = Steps.Now;

        var withdrawal = await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "refused", ["photo:social-media"]);

        var afterOne = await Steps.CheckAsync(full, [s.Anna, s.Bram], "photo", "social-media");
        Assert.That(Steps.Answer(afterOne, s.Names), Is.EqualTo(new[]
        {
            "allowed=false", "Anna conflict guardians-disagree false", "Bram granted granted-by-guardian true",
        }));

        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Father, "refused", ["photo:social-media"]);

        var afterBoth = await Steps.CheckAsync(full, [s.Anna, s.Bram], "photo", "social-media");
        Assert.That(Steps.Answer(afterBoth, s.Names), Is.EqualTo(new[]
        {
            "allowed=false", "Anna refused refused-by-guardian false", "Bram granted granted-by-guardian true",
        }));

        Assert.That(Steps.Moment(withdrawal["decisions"]![0]!["givenAt"]), Is.GreaterThan(beforeWithdrawal));
        var back = await Steps.CheckAsync(full, [s.Anna, s.Bram], "photo", "social-media", beforeWithdrawal);
        Assert.That(Steps.Answer(back, s.Names), Is.EqualTo(new[]
        {
            "allowed=true", "Anna granted granted-by-guardian true", "Bram granted granted-by-guardian true",
        }));
        Assert.That(Steps.Moment(back["at"]), Is.EqualTo(beforeWithdrawal).Within(TimeSpan.FromTicks(10)));
    }

    [Test]
    public async Task A_grant_on_one_channel_does_not_allow_another_channel_or_media_type()
    {
        var s = await SiblingsAsync();
        var full = s.Tenant.Full();
        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "granted", ["photo:social-media"]);

        var names = s.Names;
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [s.Anna], "photo", "social-media"), names),
            Is.EqualTo(new[] { "allowed=true", "Anna granted granted-by-guardian true" }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [s.Anna], "photo", "website"), names),
            Is.EqualTo(new[] { "allowed=false", "Anna pending no-answer false" }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [s.Anna], "film", "social-media"), names),
            Is.EqualTo(new[] { "allowed=false", "Anna not-asked not-asked false" }));
    }

    [Test]
    public async Task A_regrant_after_a_withdrawal_allows_again()
    {
        var s = await SiblingsAsync();
        var full = s.Tenant.Full();
        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "granted", ["photo:website"]);
        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "refused", ["photo:website"]);
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [s.Anna], "photo", "website"), s.Names),
            Is.EqualTo(new[] { "allowed=false", "Anna refused refused-by-guardian false" }));

        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "granted", ["photo:website"]);

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [s.Anna], "photo", "website"), s.Names),
            Is.EqualTo(new[] { "allowed=true", "Anna granted granted-by-guardian true" }));
    }

    [Test]
    public async Task A_paper_refusal_keyed_in_later_but_given_earlier_does_not_override_a_later_grant()
    {
        var s = await SiblingsAsync();
        var full = s.Tenant.Full();
        await Steps.BackdatePublicationAsync(Factory, s.VersionId, Steps.Now.AddDays(-30));
        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "granted", ["photo:website"], Steps.Now.AddDays(-2));

        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "refused", ["photo:website"], Steps.Now.AddDays(-5));

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [s.Anna], "photo", "website"), s.Names),
            Is.EqualTo(new[] { "allowed=true", "Anna granted granted-by-guardian true" }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [s.Anna], "photo", "website", Steps.Now.AddDays(-3)), s.Names),
            Is.EqualTo(new[] { "allowed=false", "Anna refused refused-by-guardian false" }));
    }

    [Test]
    public async Task A_pupil_turning_16_between_two_checks_needs_their_own_consent_which_restores_the_grant()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = await Steps.PublishFormAsync(tenant.Admin(), ["photo:social-media"]);
        var versionId = (Guid)version["id"]!;
        await Steps.BackdatePublicationAsync(Factory, versionId, Steps.Now.AddDays(-30));
        var birthday = Steps.Today.AddDays(-3);
        var pupil = await Steps.CreatePupilAsync(full, tenant.SchoolId, "Fleur de Graaf", birthday.AddYears(-16));
        var mother = await Steps.CreateGuardianAsync(full, "Ingrid de Graaf");
        var father = await Steps.CreateGuardianAsync(full, "Bart de Graaf");
        await Steps.LinkAsync(full, pupil, mother);
        await Steps.LinkAsync(full, pupil, father);
        await Steps.DecideAsync(full, pupil, versionId, mother, "granted", ["photo:social-media"], Steps.Now.AddDays(-10));
        await Steps.DecideAsync(full, pupil, versionId, father, "granted", ["photo:social-media"], Steps.Now.AddDays(-10));
        var names = new Dictionary<Guid, string> { [pupil] = "Fleur" };
        var dayBeforeBirthday = new DateTimeOffset(birthday.AddDays(-1).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var birthdayMorning = new DateTimeOffset(birthday.ToDateTime(new TimeOnly(0, 0, 1)), TimeSpan.Zero);

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "social-media", dayBeforeBirthday), names),
            Is.EqualTo(new[] { "allowed=true", "Fleur granted granted-by-guardian true" }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "social-media", birthdayMorning), names),
            Is.EqualTo(new[] { "allowed=false", "Fleur needs-pupil-consent pupil-is-16 false" }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "social-media"), names),
            Is.EqualTo(new[] { "allowed=false", "Fleur needs-pupil-consent pupil-is-16 false" }));

        await Steps.DecideAsync(full, pupil, versionId, null, "granted", ["photo:social-media"]);

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "social-media"), names),
            Is.EqualTo(new[] { "allowed=true", "Fleur granted granted-by-pupil true" }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "social-media", dayBeforeBirthday), names),
            Is.EqualTo(new[] { "allowed=true", "Fleur granted granted-by-guardian true" }), "the past stays as it was");
    }

    [Test]
    public async Task A_pupil_of_16_who_refuses_is_refused_whatever_the_guardians_said()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var versionId = (Guid)(await Steps.PublishFormAsync(tenant.Admin(), ["photo:website"]))["id"]!;
        await Steps.BackdatePublicationAsync(Factory, versionId, Steps.Now.AddDays(-30));
        var pupil = await Steps.CreatePupilAsync(full, tenant.SchoolId, "Mila Kramer", Steps.Today.AddDays(-3).AddYears(-16));
        var mother = await Steps.CreateGuardianAsync(full, "Petra Kramer");
        await Steps.LinkAsync(full, pupil, mother);
        await Steps.DecideAsync(full, pupil, versionId, mother, "granted", ["photo:website"], Steps.Now.AddDays(-10));

        await Steps.DecideAsync(full, pupil, versionId, null, "refused", ["photo:website"]);

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "website"), new Dictionary<Guid, string> { [pupil] = "Mila" }),
            Is.EqualTo(new[] { "allowed=false", "Mila refused refused-by-pupil false" }));
    }

    [Test]
    public async Task Three_pupils_with_one_not_granted_are_not_allowed_and_answered_in_request_order()
    {
        var s = await SiblingsAsync();
        var full = s.Tenant.Full();
        var cas = await Steps.CreatePupilAsync(full, s.Tenant.SchoolId, "Cas Peters");
        var casParent = await Steps.CreateGuardianAsync(full, "Linda Peters");
        await Steps.LinkAsync(full, cas, casParent);
        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "granted", ["photo:website"]);
        await Steps.DecideAsync(full, s.Bram, s.VersionId, s.Father, "granted", ["photo:website"]);
        var names = new Dictionary<Guid, string>(s.Names) { [cas] = "Cas" };

        var check = await Steps.CheckAsync(full, [s.Bram, cas, s.Anna], "photo", "website");

        Assert.That(Steps.Answer(check, names), Is.EqualTo(new[]
        {
            "allowed=false", "Bram granted granted-by-guardian true", "Cas pending no-answer false", "Anna granted granted-by-guardian true",
        }));

        await Steps.DecideAsync(full, cas, s.VersionId, casParent, "granted", ["photo:website"]);

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [s.Bram, cas, s.Anna], "photo", "website"), names), Is.EqualTo(new[]
        {
            "allowed=true", "Bram granted granted-by-guardian true", "Cas granted granted-by-guardian true", "Anna granted granted-by-guardian true",
        }));
    }

    [Test]
    public async Task A_pupil_named_twice_is_answered_once()
    {
        var s = await SiblingsAsync();
        var full = s.Tenant.Full();
        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "granted", ["photo:website"]);

        var check = await Steps.CheckAsync(full, [s.Anna, s.Bram, s.Anna, s.Bram], "photo", "website");

        Assert.That(Steps.Answer(check, s.Names), Is.EqualTo(new[]
        {
            "allowed=false", "Anna granted granted-by-guardian true", "Bram pending no-answer false",
        }));
    }

    [Test]
    public async Task No_pupils_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertProblemAsync(await Steps.SendCheckAsync(tenant.Full(), [], "photo", "website"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(Steps.ErrorKeys(problem), Is.EqualTo(new[] { "pupilIds" }), problem.ToJsonString());
    }

    [Test]
    public async Task More_than_200_pupils_is_a_validation_problem()
    {
        var tenant = await CreateTenantAsync();

        var problem = await AssertProblemAsync(await Steps.SendCheckAsync(tenant.Full(),
            Enumerable.Range(0, 201).Select(_ => Guid.CreateVersion7()), "photo", "website"), HttpStatusCode.BadRequest, "validation");

        Assert.That(Steps.ErrorKeys(problem), Is.EqualTo(new[] { "pupilIds" }), problem.ToJsonString());
    }

    [Test]
    public async Task Unknown_pupils_are_not_found_and_listed_exactly()
    {
        var s = await SiblingsAsync();
        var other = await CreateTenantAsync();
        var foreignPupil = await Steps.CreatePupilAsync(other.Full(), other.SchoolId, "Iemand Anders");
        var unknown = Guid.CreateVersion7();

        var problem = await AssertProblemAsync(await Steps.SendCheckAsync(s.Tenant.Full(), [s.Anna, unknown, s.Bram, foreignPupil], "photo", "website"),
            HttpStatusCode.NotFound, "not-found");

        Assert.That(problem["unknownPupilIds"]!.AsArray().Select(id => (Guid)id!), Is.EquivalentTo(new[] { unknown, foreignPupil }), problem.ToJsonString());
    }

    [Test]
    public async Task Pupils_of_a_school_the_client_may_not_see_are_listed_as_unknown()
    {
        var s = await SiblingsAsync();
        var otherSchoolPupil = await Steps.CreatePupilAsync(s.Tenant.Full(), s.Tenant.SchoolIds[1], "Daan de Wit");
        var limited = await s.Tenant.ClientWithAsync([Scopes.ConsentRead], [s.Tenant.SchoolIds[0]]);

        var problem = await AssertProblemAsync(await Steps.SendCheckAsync(limited, [s.Anna, otherSchoolPupil], "photo", "website"),
            HttpStatusCode.NotFound, "not-found");

        Assert.That(problem["unknownPupilIds"]!.AsArray().Select(id => (Guid)id!), Is.EqualTo(new[] { otherSchoolPupil }));
    }

    [Test]
    public async Task An_unknown_channel_is_a_validation_problem_on_channel()
    {
        var s = await SiblingsAsync();

        var problem = await AssertProblemAsync(await Steps.SendCheckAsync(s.Tenant.Full(), [s.Anna], "photo", "regional-press"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(Steps.ErrorKeys(problem), Is.EqualTo(new[] { "channel" }), problem.ToJsonString());
    }

    [Test]
    public async Task An_unknown_media_type_is_a_validation_problem_on_mediaType()
    {
        var s = await SiblingsAsync();

        var problem = await AssertProblemAsync(await Steps.SendCheckAsync(s.Tenant.Full(), [s.Anna], "video", "website"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(Steps.ErrorKeys(problem), Is.EqualTo(new[] { "mediaType" }), problem.ToJsonString());
    }

    [Test]
    public async Task A_moment_in_the_future_is_a_validation_problem_on_at()
    {
        var s = await SiblingsAsync();

        var problem = await AssertProblemAsync(await Steps.SendCheckAsync(s.Tenant.Full(), [s.Anna], "photo", "website", Steps.Now.AddMinutes(5)),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(Steps.ErrorKeys(problem), Is.EqualTo(new[] { "at" }), problem.ToJsonString());
    }

    [Test]
    public async Task An_item_is_not_asked_before_a_form_asking_it_is_published_and_pending_after()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var pupil = await Steps.CreatePupilAsync(full, tenant.SchoolId, "Lars Dijkstra");
        var orphan = await Steps.CreatePupilAsync(full, tenant.SchoolId, "Zoë Smit");
        await Steps.LinkAsync(full, pupil, await Steps.CreateGuardianAsync(full, "Karin Dijkstra"));
        var names = new Dictionary<Guid, string> { [pupil] = "Lars", [orphan] = "Zoë" };
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil, orphan], "photo", "website"), names), Is.EqualTo(new[]
        {
            "allowed=false", "Lars not-asked not-asked false", "Zoë not-asked no-guardian-with-authority false",
        }));
        await Steps.PublishFormAsync(tenant.Admin(), ["photo:website"], schoolId: tenant.SchoolIds[1]);
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "website"), names),
            Is.EqualTo(new[] { "allowed=false", "Lars not-asked not-asked false" }), "another school's form does not ask this pupil");
        var beforePublication = Steps.Now;

        await Steps.PublishFormAsync(tenant.Admin(), ["photo:website"]);

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil, orphan], "photo", "website"), names), Is.EqualTo(new[]
        {
            "allowed=false", "Lars pending no-answer false", "Zoë pending no-guardian-with-authority false",
        }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "film", "website"), names),
            Is.EqualTo(new[] { "allowed=false", "Lars not-asked not-asked false" }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "website", beforePublication), names),
            Is.EqualTo(new[] { "allowed=false", "Lars not-asked not-asked false" }));
    }

    [Test]
    public async Task A_school_year_grant_expires_after_31_July_of_its_school_year()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        // The last school year that has ended: it ends on 31 July of its second year.
        var endYear = Steps.Today > new DateOnly(Steps.Today.Year, 7, 31) ? Steps.Today.Year : Steps.Today.Year - 1;
        var schoolYear = $"{endYear - 1}-{endYear}";
        var version = await Steps.PublishFormAsync(tenant.Admin(), ["photo:website"], "school-year", schoolYear);
        var versionId = (Guid)version["id"]!;
        await Steps.BackdatePublicationAsync(Factory, versionId, new DateTimeOffset(endYear - 1, 8, 20, 9, 0, 0, TimeSpan.Zero));
        var pupil = await Steps.CreatePupilAsync(full, tenant.SchoolId, "Julia Hendriks");
        var mother = await Steps.CreateGuardianAsync(full, "Sandra Hendriks");
        await Steps.LinkAsync(full, pupil, mother);
        await Steps.DecideAsync(full, pupil, versionId, mother, "granted", ["photo:website"], new DateTimeOffset(endYear - 1, 9, 1, 10, 0, 0, TimeSpan.Zero));
        var names = new Dictionary<Guid, string> { [pupil] = "Julia" };

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "website", new DateTimeOffset(endYear, 7, 31, 21, 0, 0, TimeSpan.Zero)), names),
            Is.EqualTo(new[] { "allowed=true", "Julia granted granted-by-guardian true" }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "website", new DateTimeOffset(endYear, 8, 1, 0, 0, 0, TimeSpan.Zero)), names),
            Is.EqualTo(new[] { "allowed=false", "Julia expired consent-expired false" }));
        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "website"), names),
            Is.EqualTo(new[] { "allowed=false", "Julia expired consent-expired false" }));
    }

    [Test]
    public async Task Under_the_all_guardians_policy_one_grant_is_pending_until_every_guardian_with_authority_granted()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        await Factory.QueryAsync(async db =>
        {
            var organisation = await db.Organisations.SingleAsync(o => o.Id == tenant.OrganisationId);
            organisation.GrantRequires = GrantRequires.AllGuardians;
            return await db.SaveChangesAsync();
        });
        var versionId = (Guid)(await Steps.PublishFormAsync(tenant.Admin(), ["photo:website"]))["id"]!;
        var pupil = await Steps.CreatePupilAsync(full, tenant.SchoolId, "Sem Bakker");
        var mother = await Steps.CreateGuardianAsync(full, "Nicole Bakker");
        var father = await Steps.CreateGuardianAsync(full, "Mark Bakker");
        var stepFather = await Steps.CreateGuardianAsync(full, "Erik de Jong");
        await Steps.LinkAsync(full, pupil, mother);
        await Steps.LinkAsync(full, pupil, father);
        await Steps.LinkAsync(full, pupil, stepFather, hasParentalAuthority: false);
        var names = new Dictionary<Guid, string> { [pupil] = "Sem" };

        await Steps.DecideAsync(full, pupil, versionId, mother, "granted", ["photo:website"]);

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "website"), names),
            Is.EqualTo(new[] { "allowed=false", "Sem pending awaiting-other-guardian false" }));

        await Steps.DecideAsync(full, pupil, versionId, father, "granted", ["photo:website"]);

        Assert.That(Steps.Answer(await Steps.CheckAsync(full, [pupil], "photo", "website"), names),
            Is.EqualTo(new[] { "allowed=true", "Sem granted granted-by-all-guardians true" }));
    }

    [Test]
    public async Task The_matrix_has_15_items_in_reading_order_with_state_reason_and_basis()
    {
        var s = await SiblingsAsync();
        var full = s.Tenant.Full();
        var hash = (string)(await (await full.GetAsync($"/v1/consent-forms")).ReadObjectAsync())["items"]![0]!["versions"]![0]!["contentHash"]!;
        var grant = await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "granted", ["photo:social-media", "photo:website"]);
        var refusal = await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Father, "refused", ["photo:website"]);

        var response = await full.GetAsync($"/v1/pupils/{s.Anna}/consents");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var matrix = await response.ReadObjectAsync();
        Assert.That((Guid?)matrix["pupilId"], Is.EqualTo(s.Anna));
        Assert.That(Steps.Moment(matrix["at"]), Is.EqualTo(Steps.Now).Within(TimeSpan.FromMinutes(1)));
        var items = matrix["items"]!.AsArray();
        Assert.That(items.Select(i => $"{i!["mediaType"]}:{i["channel"]}"), Is.EqualTo(Steps.AllItems));
        var expected = Steps.AllItems.ToDictionary(i => i, _ => "not-asked not-asked false 0");
        expected["photo:social-media"] = "granted granted-by-guardian true 1";
        expected["photo:website"] = "conflict guardians-disagree false 2";
        Assert.That(items.Select(i => $"{i!["state"]} {i["reason"]} {i["allowed"]} {i["decisions"]!.AsArray().Count}"),
            Is.EqualTo(Steps.AllItems.Select(i => expected[i])));

        var socialMedia = items.Single(i => (string?)i!["channel"] == "social-media" && (string?)i["mediaType"] == "photo")!["decisions"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)socialMedia["id"], Is.EqualTo((string?)grant["decisions"]![0]!["id"]));
            Assert.That((string?)socialMedia["outcome"], Is.EqualTo("granted"));
            Assert.That((Guid?)socialMedia["guardianId"], Is.EqualTo(s.Mother));
            Assert.That((string?)socialMedia["formContentHash"], Is.EqualTo(hash));
        });
        var website = items.Single(i => (string?)i!["channel"] == "website" && (string?)i["mediaType"] == "photo")!["decisions"]!.AsArray();
        Assert.That(website.Select(d => (string?)d!["id"]), Is.EquivalentTo(new[]
        {
            (string?)grant["decisions"]![1]!["id"], (string?)refusal["decisions"]![0]!["id"],
        }));
    }

    [Test]
    public async Task The_matrix_honours_at()
    {
        var s = await SiblingsAsync();
        var full = s.Tenant.Full();
        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "granted", ["photo:website"]);
        var between = Steps.Now;
        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "refused", ["photo:website"]);

        var then = await (await full.GetAsync($"/v1/pupils/{s.Anna}/consents?at={Steps.Iso(between)}")).ReadObjectAsync();
        var now = await (await full.GetAsync($"/v1/pupils/{s.Anna}/consents")).ReadObjectAsync();

        static string PhotoWebsite(JsonObject matrix) => matrix["items"]!.AsArray()
            .Where(i => (string?)i!["mediaType"] == "photo" && (string?)i["channel"] == "website")
            .Select(i => $"{i!["state"]} {i["reason"]} {i["allowed"]} {string.Join(",", i["decisions"]!.AsArray().Select(d => d!["outcome"]))}")
            .Single();
        Assert.That(PhotoWebsite(then), Is.EqualTo("granted granted-by-guardian true granted"));
        Assert.That(Steps.Moment(then["at"]), Is.EqualTo(between).Within(TimeSpan.FromTicks(10)));
        Assert.That(PhotoWebsite(now), Is.EqualTo("refused refused-by-guardian false refused"));
        await AssertProblemAsync(await full.GetAsync($"/v1/pupils/{s.Anna}/consents?at={Steps.Iso(Steps.Now.AddHours(1))}"),
            HttpStatusCode.BadRequest, "validation");
    }

    [Test]
    public async Task The_matrix_leaves_out_retired_channels_but_keeps_items_with_decisions_whose_grants_ended()
    {
        var s = await SiblingsAsync();
        var full = s.Tenant.Full();
        await Steps.DecideAsync(full, s.Anna, s.VersionId, s.Mother, "granted", ["photo:website"]);
        (await s.Tenant.Admin().PostAsync("/v1/channels/website/retire", null)).EnsureSuccessStatusCode();
        (await s.Tenant.Admin().PostAsync("/v1/channels/newsletter/retire", null)).EnsureSuccessStatusCode();

        var matrix = await (await full.GetAsync($"/v1/pupils/{s.Anna}/consents")).ReadObjectAsync();

        Assert.That(matrix["items"]!.AsArray().Select(i => $"{i!["mediaType"]}:{i["channel"]} {i["state"]}"), Is.EqualTo(new[]
        {
            "photo:parent-app not-asked", "photo:school-guide not-asked", "photo:social-media pending", "photo:website expired",
            "film:parent-app not-asked", "film:school-guide not-asked", "film:social-media not-asked",
            "audio:parent-app not-asked", "audio:school-guide not-asked", "audio:social-media not-asked",
        }));
    }
}

/// <summary>
/// The facts of a publication check come from the database in one SQL statement, however many pupils: counted with an
/// EF Core command interceptor registered in an app of this fixture's own, on the fixture's database.
/// </summary>
public sealed partial class PublicationCheckSqlTests : ApiTest
{
    /// <summary>The app as ConsentApiFactory configures it, plus the command log as an EF Core interceptor.</summary>
    private sealed class CountingFactory(string connectionString, SqlCommandLog log) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:ConsentDb", connectionString);
            builder.UseSetting("Bootstrap:AdminApiKey", ConsentApiFactory.BootstrapKey);
            builder.UseSetting("RateLimiting:PermitsPerMinute", "100000");
            builder.ConfigureTestServices(services => services.AddSingleton<IInterceptor>(log));
        }
    }

    private const int PupilCount = 200;

    [GeneratedRegex(@"\b(FROM|JOIN)\s+""?decisions""?\s", RegexOptions.IgnoreCase)]
    private static partial Regex ReadsDecisions();

    private readonly SqlCommandLog _log = new();
    private CountingFactory? _counting;

    [OneTimeTearDown]
    public async Task StopCountingAppAsync()
    {
        if (_counting is not null)
        {
            await _counting.DisposeAsync();
        }
    }

    [Test]
    public async Task A_check_of_200_pupils_reads_its_facts_in_one_round_trip()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var roster = new
        {
            groups = new[] { new { externalId = "G8", name = "Groep 8", schoolYear = "2026-2027" } },
            pupils = Enumerable.Range(1, PupilCount).Select(i => new
            {
                externalId = $"P{i:000}",
                displayName = $"Leerling {i:000}",
                dateOfBirth = new DateOnly(2014, 1, 1).AddDays(i),
                groupExternalId = "G8",
                guardians = new[] { new { externalId = $"O{i:000}a", hasParentalAuthority = true }, new { externalId = $"O{i:000}b", hasParentalAuthority = true } },
            }).ToArray(),
            guardians = Enumerable.Range(1, PupilCount)
                .SelectMany(i => new[] { new { externalId = $"O{i:000}a", displayName = $"Ouder {i:000}a" }, new { externalId = $"O{i:000}b", displayName = $"Ouder {i:000}b" } })
                .ToArray(),
        };
        var synced = await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", roster);
        Assert.That(synced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await synced.Content.ReadAsStringAsync());
        var versionId = (Guid)(await Steps.PublishFormAsync(tenant.Admin(), ["photo:social-media", "photo:website"]))["id"]!;
        var families = await Factory.QueryAsync(db => (
                from p in db.Pupils
                join l in db.GuardianLinks on p.Id equals l.PupilId
                join g in db.Guardians on l.GuardianId equals g.Id
                where p.OrganisationId == tenant.OrganisationId
                select new { p.Id, p.ExternalId, GuardianId = g.Id, GuardianExternalId = g.ExternalId })
            .ToListAsync());
        Assert.That(families, Has.Count.EqualTo(2 * PupilCount));
        var pupils = families.GroupBy(f => (f.Id, f.ExternalId)).OrderBy(g => g.Key.ExternalId, StringComparer.Ordinal).ToList();
        foreach (var chunk in pupils.Chunk(10))
        {
            await Task.WhenAll(chunk.Select(async pupil =>
            {
                var number = int.Parse(pupil.Key.ExternalId[1..], CultureInfo.InvariantCulture);
                foreach (var guardian in pupil.OrderBy(g => g.GuardianExternalId, StringComparer.Ordinal))
                {
                    // Everyone grants, except that the second guardian of every tenth pupil withdraws again.
                    await Steps.DecideAsync(full, pupil.Key.Id, versionId, guardian.GuardianId, "granted", ["photo:social-media", "photo:website"]);
                    if (number % 10 == 0 && guardian.GuardianExternalId.EndsWith('b'))
                    {
                        await Steps.DecideAsync(full, pupil.Key.Id, versionId, guardian.GuardianId, "refused", ["photo:social-media"]);
                    }
                }
            }));
        }
        Assert.That(await Factory.QueryAsync(db => db.Decisions.CountAsync(d => d.OrganisationId == tenant.OrganisationId)),
            Is.EqualTo(2 * 2 * PupilCount + PupilCount / 10));

        _counting = new CountingFactory(Factory.ConnectionString, _log);
        var counted = _counting.CreateClient();
        counted.DefaultRequestHeaders.Add("X-Api-Key", tenant.FullKey);
        var pupilIds = pupils.Select(p => p.Key.Id).ToArray();
        using var roundTrips = new RoundTripLog(new Npgsql.NpgsqlConnectionStringBuilder(Factory.ConnectionString).Database!);
        var warmUp = await Steps.SendCheckAsync(counted, pupilIds, "photo", "website");
        Assert.That(warmUp.StatusCode, Is.EqualTo(HttpStatusCode.OK), await warmUp.Content.ReadAsStringAsync());
        roundTrips.Clear();

        var response = await Steps.SendCheckAsync(counted, pupilIds, "photo", "social-media");

        var commands = roundTrips.RoundTrips;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var check = await response.ReadObjectAsync();
        var results = check["pupils"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That((bool?)check["allowed"], Is.False);
            Assert.That(results.Select(p => (Guid)p!["pupilId"]!), Is.EqualTo(pupilIds));
            Assert.That(results.Count(p => (string?)p!["state"] == "conflict"), Is.EqualTo(PupilCount / 10));
            Assert.That(results.Count(p => (string?)p!["state"] == "granted"), Is.EqualTo(PupilCount - PupilCount / 10));
        });
        Assert.Multiple(() =>
        {
            Assert.That(commands.Count(c => ReadsDecisions().IsMatch(c)), Is.EqualTo(1), string.Join("\n----\n", commands));
            // Besides the check, at most the key lookup (unless the warm-up's lookup is still cached).
            Assert.That(commands.Count(c => !c.Contains("api_clients", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("\n----\n", commands));
            Assert.That(commands.Count(c => c.Contains("api_clients", StringComparison.Ordinal)), Is.LessThanOrEqualTo(1), string.Join("\n----\n", commands));
        });
    }
}

/// <summary>
/// GET /v1/schools/{s}/groups/{g}/consent-overview: the class sheet as JSON, CSV and printable HTML, for one group of
/// pupils with a mix of states, including names that would break a spreadsheet or a web page if not escaped.
/// </summary>
public sealed class ConsentOverviewTests : ApiTest
{
    private Tenant _tenant = null!;
    private Guid _groupId;
    private Guid _otherSchoolGroupId;
    private readonly Dictionary<string, Guid> _pupils = [];

    /// <summary>The names as the admin system has them, in the order the sheet must list them (by name, ignoring case).</summary>
    private static readonly string[] SortedNames =
    [
        "=1+1 Jansen",
        "anna de Boer",
        "Daan Visser",
        "Noor <b>Bakker</b>",
        "Vries, Sanne de",
    ];

    [OneTimeSetUp]
    public async Task CreateGroupAsync()
    {
        _tenant = await CreateTenantAsync();
        var full = _tenant.Full();
        _groupId = await Steps.CreateGroupAsync(full, _tenant.SchoolId, "Groep 7b");
        _otherSchoolGroupId = await Steps.CreateGroupAsync(full, _tenant.SchoolIds[1], "Groep 7a");
        var versionId = (Guid)(await Steps.PublishFormAsync(_tenant.Admin(),
            ["photo:newsletter", "photo:parent-app", "photo:school-guide", "photo:social-media", "photo:website", "film:parent-app"]))["id"]!;
        // Inserted out of order, so the sheet has to sort them.
        foreach (var (name, i) in new[] { "Vries, Sanne de", "Daan Visser", "=1+1 Jansen", "Noor <b>Bakker</b>", "anna de Boer" }.Select((n, i) => (n, i)))
        {
            var pupil = await Steps.CreatePupilAsync(full, _tenant.SchoolId, name, groupId: _groupId, externalId: $"LL-{i + 1:00}");
            _pupils[name] = pupil;
            var parent = await Steps.CreateGuardianAsync(full, $"Ouder van {name}");
            await Steps.LinkAsync(full, pupil, parent);
            var other = await Steps.CreateGuardianAsync(full, $"Andere ouder van {name}");
            await Steps.LinkAsync(full, pupil, other);
            switch (name)
            {
                case "Daan Visser":
                    await Steps.DecideAsync(full, pupil, versionId, parent, "granted",
                        ["photo:newsletter", "photo:parent-app", "photo:school-guide", "photo:social-media", "photo:website", "film:parent-app"]);
                    break;
                case "anna de Boer":
                    await Steps.DecideAsync(full, pupil, versionId, parent, "granted", ["photo:parent-app", "photo:social-media"]);
                    await Steps.DecideAsync(full, pupil, versionId, other, "refused", ["photo:social-media"]);
                    break;
                case "Vries, Sanne de":
                    await Steps.DecideAsync(full, pupil, versionId, parent, "refused", ["photo:website", "photo:social-media"]);
                    break;
            }
        }
        // Not on the sheet: a pupil of another group, a pupil who left, a pupil of the other school's group.
        await Steps.CreatePupilAsync(full, _tenant.SchoolId, "Thijs Groen", groupId: await Steps.CreateGroupAsync(full, _tenant.SchoolId, "Groep 3"));
        var left = await Steps.CreatePupilAsync(full, _tenant.SchoolId, "Lieke Vos", groupId: _groupId, externalId: "LL-LEFT");
        (await full.PutAsJsonAsync($"/v1/pupils/{left}", new
        {
            externalId = "LL-LEFT", displayName = "Lieke Vos", dateOfBirth = "2016-03-01", groupId = _groupId, status = "left",
        })).EnsureSuccessStatusCode();
        await Steps.CreatePupilAsync(full, _tenant.SchoolIds[1], "Ruben Mol", groupId: _otherSchoolGroupId);
    }

    private string OverviewPath(Guid? schoolId = null, Guid? groupId = null) =>
        $"/v1/schools/{schoolId ?? _tenant.SchoolId}/groups/{groupId ?? _groupId}/consent-overview";

    private async Task<HttpResponseMessage> GetAsync(string accept, string? path = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path ?? OverviewPath());
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await _tenant.Full().SendAsync(request);
    }

    /// <summary>The states of one row, in column order, as "item=state".</summary>
    private static readonly Dictionary<string, string[]> ExpectedStates = new()
    {
        ["=1+1 Jansen"] = States(),
        ["anna de Boer"] = States(("photo:parent-app", "granted"), ("photo:social-media", "conflict")),
        ["Daan Visser"] = States(("photo:newsletter", "granted"), ("photo:parent-app", "granted"), ("photo:school-guide", "granted"),
            ("photo:social-media", "granted"), ("photo:website", "granted"), ("film:parent-app", "granted")),
        ["Noor <b>Bakker</b>"] = States(),
        ["Vries, Sanne de"] = States(("photo:social-media", "refused"), ("photo:website", "refused")),
    };

    private static string[] States(params (string Item, string State)[] decided)
    {
        var asked = new HashSet<string> { "photo:newsletter", "photo:parent-app", "photo:school-guide", "photo:social-media", "photo:website", "film:parent-app" };
        return [.. Steps.AllItems.Select(i => decided.Any(d => d.Item == i) ? decided.First(d => d.Item == i).State : asked.Contains(i) ? "pending" : "not-asked")];
    }

    [Test]
    public async Task As_json_the_sheet_has_15_columns_in_reading_order_and_the_active_pupils_sorted_by_name()
    {
        var response = await GetAsync("application/json");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var sheet = await response.ReadObjectAsync();
        var names = new Dictionary<string, string>
        {
            ["newsletter"] = "Nieuwsbrief", ["parent-app"] = "Ouderapp", ["school-guide"] = "Schoolgids", ["social-media"] = "Sociale media", ["website"] = "Website",
        };
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)sheet["schoolId"], Is.EqualTo(_tenant.SchoolId));
            Assert.That((string?)sheet["schoolName"], Is.EqualTo("School 0"));
            Assert.That((Guid?)sheet["groupId"], Is.EqualTo(_groupId));
            Assert.That((string?)sheet["groupName"], Is.EqualTo("Groep 7b"));
            Assert.That((string?)sheet["schoolYear"], Is.EqualTo("2026-2027"));
            Assert.That(sheet["columns"]!.AsArray().Select(c => $"{c!["mediaType"]}:{c["channel"]}:{c["channelName"]}"),
                Is.EqualTo(Steps.AllItems.Select(i => $"{i}:{names[i.Split(':')[1]]}")));
            Assert.That(sheet["pupils"]!.AsArray().Select(p => (string?)p!["displayName"]), Is.EqualTo(SortedNames));
            Assert.That(sheet["pupils"]!.AsArray().Select(p => (Guid)p!["pupilId"]!), Is.EqualTo(SortedNames.Select(n => _pupils[n])));
            foreach (var pupil in sheet["pupils"]!.AsArray())
            {
                var name = (string)pupil!["displayName"]!;
                Assert.That(pupil["cells"]!.AsArray().Select(c => $"{c!["mediaType"]}:{c["channel"]}"), Is.EqualTo(Steps.AllItems), name);
                Assert.That(pupil["cells"]!.AsArray().Select(c => (string?)c!["state"]), Is.EqualTo(ExpectedStates[name]), name);
                Assert.That(pupil["cells"]!.AsArray().Select(c => (bool)c!["allowed"]!), Is.EqualTo(ExpectedStates[name].Select(s => s == "granted")), name);
            }
        });
    }

    [Test]
    public async Task Json_is_the_default_without_an_accept_header()
    {
        var response = await _tenant.Full().GetAsync(OverviewPath());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(response.Headers.Vary, Does.Contain("Accept"));
    }

    [Test]
    public async Task Every_cell_matches_the_pupils_consent_matrix_at_the_same_moment()
    {
        var sheet = await (await GetAsync("application/json")).ReadObjectAsync();
        var at = Steps.Moment(sheet["at"]);

        foreach (var pupil in sheet["pupils"]!.AsArray())
        {
            var matrix = await (await _tenant.Full().GetAsync($"/v1/pupils/{pupil!["pupilId"]}/consents?at={Steps.Iso(at)}")).ReadObjectAsync();
            Assert.That(pupil["cells"]!.AsArray().Select(c => $"{c!["mediaType"]}:{c["channel"]} {c["state"]} {c["reason"]} {c["allowed"]}"),
                Is.EqualTo(matrix["items"]!.AsArray().Select(i => $"{i!["mediaType"]}:{i["channel"]} {i["state"]} {i["reason"]} {i["allowed"]}")),
                (string?)pupil["displayName"]);
        }
    }

    [Test]
    public async Task As_csv_the_sheet_has_a_bom_a_header_row_and_one_row_per_pupil_with_safe_names()
    {
        var response = await GetAsync("text/csv");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(bytes.Take(3), Is.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "UTF-8 byte order mark");
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.That(text, Does.EndWith("\r\n"));
        var lines = text[..^2].Split("\r\n");
        Assert.That(lines[0], Is.EqualTo("pupilId,externalId,displayName," + string.Join(",", Steps.AllItems)));
        Assert.That(lines, Has.Length.EqualTo(1 + SortedNames.Length));
        var externalIds = new Dictionary<string, string>
        {
            ["Vries, Sanne de"] = "LL-01", ["Daan Visser"] = "LL-02", ["=1+1 Jansen"] = "LL-03", ["Noor <b>Bakker</b>"] = "LL-04", ["anna de Boer"] = "LL-05",
        };
        var csvNames = new Dictionary<string, string>
        {
            ["=1+1 Jansen"] = "'=1+1 Jansen",
            ["anna de Boer"] = "anna de Boer",
            ["Daan Visser"] = "Daan Visser",
            ["Noor <b>Bakker</b>"] = "Noor <b>Bakker</b>",
            ["Vries, Sanne de"] = "\"Vries, Sanne de\"",
        };
        Assert.That(lines.Skip(1), Is.EqualTo(SortedNames.Select(n =>
            $"{_pupils[n]},{externalIds[n]},{csvNames[n]}," + string.Join(",", ExpectedStates[n]))));
    }

    [Test]
    public async Task As_html_the_sheet_is_a_printable_page_with_every_name_encoded_a_legend_and_no_script()
    {
        var response = await GetAsync("text/html");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.StartWith("<!DOCTYPE html>"));
            Assert.That(html, Does.Contain("School 0"));
            Assert.That(html, Does.Contain("Groep 7b"));
            Assert.That(html, Does.Contain("schooljaar 2026-2027"));
            Assert.That(html, Does.Contain("Noor &lt;b&gt;Bakker&lt;/b&gt;"));
            Assert.That(html, Does.Not.Contain("<b>Bakker"));
            Assert.That(html, Does.Contain("=1+1 Jansen"));
            Assert.That(html, Does.Contain("anna de Boer"));
            Assert.That(html, Does.Contain("Daan Visser"));
            Assert.That(html, Does.Contain("Vries, Sanne de"));
            Assert.That(html, Does.Not.Contain("Lieke Vos"), "a pupil who left");
            Assert.That(html, Does.Not.Contain("Thijs Groen"), "a pupil of another group");
            Assert.That(html, Does.Contain("class=\"legend\""));
            Assert.That(html, Does.Contain("niet gevraagd"));
            Assert.That(html, Does.Contain("5 leerlingen"));
            Assert.That(html, Does.Not.Contain("<script").IgnoreCase);
            Assert.That(Regex.IsMatch(html, @"<[^>]+\son\w+\s*=", RegexOptions.IgnoreCase), Is.False, "no inline event handlers");
        });
        var rows = Regex.Matches(html, "<td class=\"pupil\">(.*?)</td>").Select(m => m.Groups[1].Value).ToList();
        Assert.That(rows, Is.EqualTo(SortedNames.Select(n => WebUtility.HtmlEncode(n))));
        // Daan's row: six granted cells (✔ ja); the nine items no form asks and nobody answered are left off the paper.
        var daanRow = Regex.Match(html, "<tr><td class=\"pupil\">Daan Visser</td>(.*?)</tr>").Groups[1].Value;
        Assert.That(Regex.Count(daanRow, "<td class=\"yes"), Is.EqualTo(6));
        Assert.That(Regex.Count(daanRow, "<td class="), Is.EqualTo(6));
    }

    [Test]
    public async Task An_unsupported_media_type_is_not_acceptable()
    {
        await AssertProblemAsync(await GetAsync("application/xml"), HttpStatusCode.NotAcceptable, "not-acceptable");
    }

    [Test]
    public async Task A_group_of_another_school_is_not_found()
    {
        await AssertProblemAsync(await GetAsync("application/json", OverviewPath(_tenant.SchoolId, _otherSchoolGroupId)),
            HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await GetAsync("application/json", OverviewPath(_tenant.SchoolIds[1], _groupId)),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_group_of_another_school_asked_as_csv_or_html_is_a_not_found_problem()
    {
        await AssertProblemAsync(await GetAsync("text/csv", OverviewPath(_tenant.SchoolId, _otherSchoolGroupId)),
            HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await GetAsync("text/html", OverviewPath(_tenant.SchoolId, _otherSchoolGroupId)),
            HttpStatusCode.NotFound, "not-found");
    }

    [Test]
    public async Task A_moment_in_the_future_is_a_validation_problem_on_at()
    {
        var problem = await AssertProblemAsync(await GetAsync("application/json", OverviewPath() + $"?at={Steps.Iso(Steps.Now.AddHours(1))}"),
            HttpStatusCode.BadRequest, "validation");

        Assert.That(Steps.ErrorKeys(problem), Is.EqualTo(new[] { "at" }), problem.ToJsonString());
    }

    [Test]
    public async Task The_sheet_at_a_past_moment_shows_what_held_then()
    {
        var sheet = await (await GetAsync("application/json", OverviewPath() + $"?at={Steps.Iso(Steps.Now.AddDays(-1))}")).ReadObjectAsync();

        // A day ago no form was published yet: nothing was asked. And the pupil who has left since was still in the group.
        Assert.That(sheet["pupils"]!.AsArray().SelectMany(p => p!["cells"]!.AsArray()).Select(c => (string?)c!["state"]).Distinct(),
            Is.EqualTo(new[] { "not-asked" }));
        Assert.That(sheet["pupils"]!.AsArray().Select(p => (string?)p!["displayName"]),
            Is.EqualTo(new[] { "=1+1 Jansen", "anna de Boer", "Daan Visser", "Lieke Vos", "Noor <b>Bakker</b>", "Vries, Sanne de" }));
    }
}
