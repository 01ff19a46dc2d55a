using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ConsentApi.Domain;
using ConsentApi.Features.ApiClients;
using ConsentApi.Tests.Infrastructure;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Publications;

/// <summary>
/// The dossier of one publication, the proof an inquiry of the Autoriteit Persoonsgegevens asks for: what was published
/// where and when, who is shown and whether recognisably, the check relied on as stored then beside the same check as known
/// now, the decisions behind each pupil's state with the form text's hash and the proof files' SHA-256, later withdrawals
/// and the takedowns with who completed them and how.
/// </summary>
public sealed class PublicationDossierTests : ApiTest
{
    private static readonly string[] Items = ["photo:website"];
    private static readonly byte[] ScannedForm = "%PDF-1.7\n% Toestemmingsformulier Sanne de Vries, getekend\n"u8.ToArray();

    /// <summary>
    /// A tenant whose form (published 30 days ago) asks <see cref="Items"/>, and a group with two pupils: Sanne, whose mother
    /// granted on paper 20 days ago, and Daan, whose father never answered.
    /// </summary>
    private sealed record Class(Tenant Tenant, JsonObject Version, Guid GroupId, Guid Sanne, Guid Mother, Guid Daan, Guid Father, JsonObject Grant)
    {
        public Guid VersionId => (Guid)Version["id"]!;

        public HttpClient Full() => Tenant.Full();
    }

    private async Task<Class> ClassAsync(string[]? items = null)
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = await PublishFormAsync(tenant.Admin(), items ?? Items);
        await BackdateFormAsync(Factory, (Guid)version["id"]!, Now.AddDays(-30));
        var group = await (await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/groups",
            new { externalId = "G-5B", name = "Groep 5b", schoolYear = "2026-2027" })).ReadObjectAsync();
        var groupId = (Guid)group["id"]!;
        var sanne = await PupilInGroupAsync(full, tenant.SchoolId, groupId, "LL1001", "Sanne de Vries");
        var daan = await PupilInGroupAsync(full, tenant.SchoolId, groupId, "LL1002", "Daan Bakker");
        var mother = await CreateGuardianAsync(full, "Marieke de Vries", "O-1001");
        var father = await CreateGuardianAsync(full, "Peter Bakker", "O-1002");
        await LinkAsync(full, sanne, mother);
        await LinkAsync(full, daan, father);
        var grant = await DecideAsync(full, sanne, (Guid)version["id"]!, mother, "granted", items ?? Items, Now.AddDays(-20));
        return new Class(tenant, version, groupId, sanne, mother, daan, father, grant);
    }

    private static async Task<Guid> PupilInGroupAsync(HttpClient client, Guid schoolId, Guid groupId, string externalId, string name)
    {
        var response = await client.PostAsJsonAsync($"/v1/schools/{schoolId}/pupils",
            new { externalId, displayName = name, dateOfBirth = new DateOnly(2016, 3, 1), groupId });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }

    /// <summary>A client of the tenant named <paramref name="name"/> with every scope; its id and a caller using it.</summary>
    private async Task<(Guid Id, HttpClient Caller)> NamedClientAsync(Tenant tenant, string name)
    {
        var response = await tenant.Admin().PostAsJsonAsync("/v1/api-clients",
            new { name, scopes = Scopes.Assignable.ToArray(), schoolIds = Array.Empty<Guid>() });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var created = await response.ReadAsync<CreatedApiClientResponse>();
        return (created.Client.Id, Client(created.ApiKey));
    }

    private static async Task<JsonObject> DossierAsync(HttpClient client, Guid publicationId) =>
        await GetAsync(client, $"/v1/publications/{publicationId}/dossier");

    private static JsonObject PupilOf(JsonNode? list, Guid pupilId) =>
        list!.AsArray().Single(p => (Guid)p!["pupilId"]! == pupilId)!.AsObject();

    private static JsonArray DecisionsOf(JsonObject dossier, Guid pupilId) => PupilOf(dossier["decisions"], pupilId)["decisions"]!.AsArray();

    private static string Sha256Of(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Test]
    public async Task The_dossier_shows_who_is_shown_the_check_relied_on_and_the_decisions_behind_each_state_with_the_form_and_proof_hashes()
    {
        var c = await ClassAsync();
        var (registrarId, registrar) = await NamedClientAsync(c.Tenant, "Website OBS De Regenboog");
        var receiptId = (Guid)c.Grant["batchId"]!;
        var upload = await c.Full().PostAsync($"/v1/receipts/{receiptId}/proof-files?fileName=toestemming-sanne.pdf",
            new ByteArrayContent(ScannedForm) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } });
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created), await upload.Content.ReadAsStringAsync());
        var publishedAt = Now.AddDays(-2);

        // Daan is shown blurred: he needs no consent, and who declared it is kept.
        var registered = await SendRegisterAsync(registrar, c.Tenant.SchoolId, "website", "photo", [c.Sanne, c.Daan], publishedAt,
            unrecognisablePupilIds: [c.Daan], declaredBy: "M. Jansen, communicatie");
        Assert.That(registered.StatusCode, Is.EqualTo(HttpStatusCode.Created), await registered.Content.ReadAsStringAsync());
        var publicationId = (Guid)(await registered.ReadObjectAsync())["id"]!;

        var response = await c.Full().GetAsync($"/v1/publications/{publicationId}/dossier");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var dossier = await response.ReadObjectAsync();
        var publication = dossier["publication"]!;
        var channel = dossier["channel"]!;
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)dossier["publicationId"], Is.EqualTo(publicationId));
            Assert.That((string?)dossier["timeZone"], Is.EqualTo("Europe/Amsterdam"));
            Assert.That((string?)publication["title"], Is.EqualTo("Foto's projectweek groep 5b"));
            Assert.That((string?)publication["url"], Is.EqualTo("https://www.obsderegenboog.nl/nieuws/projectweek"));
            Assert.That((string?)publication["mediaType"], Is.EqualTo("photo"));
            Assert.That(Moment(publication["publishedAt"]), Is.EqualTo(publishedAt).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That((Guid?)publication["registeredByClientId"], Is.EqualTo(registrarId));
            Assert.That((string?)publication["registeredByClientName"], Is.EqualTo("Website OBS De Regenboog"));
            Assert.That((string?)channel["key"], Is.EqualTo("website"));
            Assert.That((string?)channel["audience"], Is.EqualTo("public"));
            Assert.That((string?)channel["recall"], Is.EqualTo("removable"));
        });

        var sanne = PupilOf(dossier["pupils"], c.Sanne);
        var daan = PupilOf(dossier["pupils"], c.Daan);
        Assert.Multiple(() =>
        {
            Assert.That(dossier["pupils"]!.AsArray().Select(p => (string?)p!["displayName"]), Is.EqualTo(new[] { "Daan Bakker", "Sanne de Vries" }),
                "by name");
            Assert.That((string?)sanne["externalId"], Is.EqualTo("LL1001"));
            Assert.That((string?)sanne["groupName"], Is.EqualTo("Groep 5b"));
            Assert.That((Guid?)sanne["groupId"], Is.EqualTo(c.GroupId));
            Assert.That((bool?)sanne["recognisable"], Is.True);
            Assert.That((string?)sanne["declaredBy"], Is.Null);
            Assert.That((bool?)daan["recognisable"], Is.False);
            Assert.That((string?)daan["declaredBy"], Is.EqualTo("M. Jansen, communicatie"));
            Assert.That((Guid?)daan["declaredByClientId"], Is.EqualTo(registrarId));
        });

        var check = dossier["checkReliedOn"]!;
        Assert.Multiple(() =>
        {
            Assert.That((bool?)check["allowed"], Is.True, "Daan was blurred");
            Assert.That((string?)PupilOf(check["pupils"], c.Sanne)["state"], Is.EqualTo("granted"));
            Assert.That((string?)PupilOf(check["pupils"], c.Daan)["state"], Is.EqualTo("pending"), "the proof says what consent was");
            Assert.That((bool?)dossier["asKnownNow"]!["differsFromCheckReliedOn"], Is.False);
            Assert.That((bool?)dossier["asKnownNow"]!["allowed"], Is.True);
        });

        var version = await GetAsync(c.Full(), $"/v1/consent-forms/{c.Version["formId"]}/versions/1");
        var decisions = DecisionsOf(dossier, c.Sanne);
        Assert.That(decisions, Has.Count.EqualTo(1), decisions.ToJsonString());
        var decision = decisions[0]!;
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)decision["id"], Is.EqualTo((Guid)c.Grant["decisions"]![0]!["id"]!));
            Assert.That((string?)decision["decidedBy"], Is.EqualTo("guardian"));
            Assert.That((string?)decision["guardianExternalId"], Is.EqualTo("O-1001"));
            Assert.That((string?)decision["guardianName"], Is.EqualTo("Marieke de Vries"));
            Assert.That((string?)decision["outcome"], Is.EqualTo("granted"));
            Assert.That((string?)decision["method"], Is.EqualTo("paper"));
            Assert.That((int?)decision["formVersionNumber"], Is.EqualTo(1));
            Assert.That((string?)decision["formContentHash"], Is.EqualTo((string?)version["contentHash"]).And.StartsWith("sha256:"));
            Assert.That(decision["proofFiles"]!.AsArray().Select(f => (string?)f!["sha256"]), Is.EqualTo(new[] { Sha256Of(ScannedForm) }));
            Assert.That((bool?)decision["countedAsKnownThen"], Is.True);
            Assert.That((bool?)decision["countedAsKnownNow"], Is.True);
            Assert.That(DecisionsOf(dossier, c.Daan), Is.Empty, "Daan's father never answered");
            Assert.That(dossier["laterWithdrawals"]!.AsArray(), Is.Empty);
            Assert.That(dossier["takedowns"]!.AsArray(), Is.Empty);
        });
    }

    [Test]
    public async Task A_later_withdrawal_appears_with_the_takedown_it_opened_and_after_completion_who_completed_it_and_how()
    {
        var c = await ClassAsync();
        var publicationId = (Guid)(await RegisterAsync(c.Full(), c.Tenant.SchoolId, "website", "photo", [c.Sanne], Now.AddDays(-2)))["id"]!;
        var withdrawal = await DecideAsync(c.Full(), c.Sanne, c.VersionId, c.Mother, "refused", Items);

        var open = await DossierAsync(c.Full(), publicationId);

        var later = open["laterWithdrawals"]!.AsArray();
        Assert.That(later, Has.Count.EqualTo(1), open.ToJsonString());
        var takedowns = open["takedowns"]!.AsArray();
        Assert.That(takedowns, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)later[0]!["id"], Is.EqualTo((Guid)withdrawal["decisions"]![0]!["id"]!));
            Assert.That((Guid?)later[0]!["pupilId"], Is.EqualTo(c.Sanne));
            Assert.That((string?)later[0]!["outcome"], Is.EqualTo("refused"));
            Assert.That((string?)later[0]!["guardianName"], Is.EqualTo("Marieke de Vries"));
            Assert.That((string?)takedowns[0]!["kind"], Is.EqualTo("removal"));
            Assert.That((string?)takedowns[0]!["status"], Is.EqualTo("open"));
            Assert.That((string?)takedowns[0]!["pupils"]![0]!["reason"], Is.EqualTo("refused-by-guardian"));
            Assert.That(takedowns[0]!["completedAt"], Is.Null);
            Assert.That(DecisionsOf(open, c.Sanne).Select(d => (string?)d!["outcome"]), Is.EqualTo(new[] { "granted" }),
                "the state at publication rested on the grant; the withdrawal came later");
        });

        var (webmasterId, webmaster) = await NamedClientAsync(c.Tenant, "Websitebeheer");
        var completed = await webmaster.PostAsJsonAsync($"/v1/takedowns/{takedowns[0]!["id"]}/complete",
            new { completedBy = "M. Jansen, websitebeheer", note = "Foto verwijderd uit het album op de website." });
        Assert.That(completed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await completed.Content.ReadAsStringAsync());

        var done = (await DossierAsync(c.Full(), publicationId))["takedowns"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)done["status"], Is.EqualTo("done"));
            Assert.That(done["completedAt"], Is.Not.Null);
            Assert.That((string?)done["completedBy"], Is.EqualTo("M. Jansen, websitebeheer"));
            Assert.That((string?)done["completionNote"], Is.EqualTo("Foto verwijderd uit het album op de website."));
            Assert.That((Guid?)done["completedByClientId"], Is.EqualTo(webmasterId));
            Assert.That((string?)done["completedByClientName"], Is.EqualTo("Websitebeheer"));
        });
    }

    [Test]
    public async Task A_takedown_done_by_removing_the_publication_names_the_client_that_removed_it()
    {
        var c = await ClassAsync();
        var publicationId = (Guid)(await RegisterAsync(c.Full(), c.Tenant.SchoolId, "website", "photo", [c.Sanne], Now.AddDays(-2)))["id"]!;
        await DecideAsync(c.Full(), c.Sanne, c.VersionId, c.Mother, "refused", Items);
        var (editorId, editor) = await NamedClientAsync(c.Tenant, "Redactie nieuwsbrief");

        var removed = await editor.PostAsJsonAsync($"/v1/publications/{publicationId}/remove", new { note = "Album offline gehaald." });

        Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await removed.Content.ReadAsStringAsync());
        var dossier = await DossierAsync(c.Full(), publicationId);
        var takedown = dossier["takedowns"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)takedown["status"], Is.EqualTo("done"));
            Assert.That((string?)takedown["completionNote"], Is.EqualTo("Album offline gehaald."));
            Assert.That((Guid?)takedown["completedByClientId"], Is.EqualTo(editorId));
            Assert.That((string?)takedown["completedByClientName"], Is.EqualTo("Redactie nieuwsbrief"));
            Assert.That((string?)dossier["publication"]!["status"], Is.EqualTo("removed"));
            Assert.That((string?)dossier["publication"]!["removalNote"], Is.EqualTo("Album offline gehaald."));
        });
    }

    [Test]
    public async Task A_late_paper_form_makes_the_check_as_known_now_differ_and_is_flagged_while_the_check_relied_on_stays_as_it_was()
    {
        var c = await ClassAsync();
        var full = c.Full();
        await DecideAsync(full, c.Daan, c.VersionId, c.Father, "granted", Items, Now.AddDays(-20));
        var publicationId = (Guid)(await RegisterAsync(full, c.Tenant.SchoolId, "website", "photo", [c.Sanne, c.Daan], Now.AddDays(-2)))["id"]!;
        var before = await DossierAsync(full, publicationId);

        // Signed on paper three days ago, before the photo went online, keyed in only now.
        var late = await DecideAsync(full, c.Daan, c.VersionId, c.Father, "refused", Items, Now.AddDays(-3));

        var dossier = await DossierAsync(full, publicationId);
        var now = dossier["asKnownNow"]!;
        Assert.Multiple(() =>
        {
            Assert.That((bool?)before["asKnownNow"]!["differsFromCheckReliedOn"], Is.False);
            Assert.That(dossier["checkReliedOn"]!.ToJsonString(), Is.EqualTo(before["checkReliedOn"]!.ToJsonString()), "the proof never changes");
            Assert.That((bool?)dossier["checkReliedOn"]!["allowed"], Is.True);
            Assert.That((string?)PupilOf(dossier["checkReliedOn"]!["pupils"], c.Daan)["state"], Is.EqualTo("granted"));
            Assert.That((bool?)now["allowed"], Is.False);
            Assert.That((bool?)now["differsFromCheckReliedOn"], Is.True);
            Assert.That((string?)PupilOf(now["pupils"], c.Daan)["state"], Is.EqualTo("refused"));
            Assert.That((bool?)PupilOf(now["pupils"], c.Daan)["differsFromCheckReliedOn"], Is.True);
            Assert.That((bool?)PupilOf(now["pupils"], c.Sanne)["differsFromCheckReliedOn"], Is.False);
            Assert.That(Moment(now["at"]), Is.EqualTo(Moment(dossier["publication"]!["publishedAt"])));
            Assert.That(dossier["laterWithdrawals"]!.AsArray(), Is.Empty, "given before publication: not a later withdrawal");
        });

        var decisions = DecisionsOf(dossier, c.Daan);
        Assert.That(decisions.Select(d => $"{d!["outcome"]} then={d["countedAsKnownThen"]} now={d["countedAsKnownNow"]}"),
            Is.EqualTo(new[] { "granted then=true now=false", "refused then=false now=true" }), decisions.ToJsonString());
        Assert.That((Guid?)decisions[1]!["id"], Is.EqualTo((Guid)late["decisions"]![0]!["id"]!));
    }

    [Test]
    public async Task A_publication_on_a_printed_channel_shows_it_could_not_be_recalled_then_and_its_do_not_reprint_takedown()
    {
        var tenant = await CreateTenantAsync();
        var created = await tenant.Admin().PostAsJsonAsync("/v1/channels",
            new { key = "printed-guide", nameNl = "Gedrukte schoolgids", nameEn = "Printed school guide", audience = "public", recall = "not-recallable" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        string[] items = ["photo:printed-guide"];
        var full = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(tenant.Admin(), items))["id"]!;
        var pupil = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var guardian = await CreateGuardianAsync(full, "Marieke de Vries");
        await LinkAsync(full, pupil, guardian);
        await DecideAsync(full, pupil, versionId, guardian, "granted", items);
        var registered = await SendRegisterAsync(full, tenant.SchoolId, "printed-guide", "photo", [pupil], url: null,
            location: "Schoolgids 2026-2027, p. 12");
        Assert.That(registered.StatusCode, Is.EqualTo(HttpStatusCode.Created), await registered.Content.ReadAsStringAsync());
        var publicationId = (Guid)(await registered.ReadObjectAsync())["id"]!;
        await DecideAsync(full, pupil, versionId, guardian, "refused", items);
        // Reprinted later as a removable item: the dossier keeps what the channel was when the guide was printed.
        var changed = await tenant.Admin().PutAsJsonAsync("/v1/channels/printed-guide",
            new { nameNl = "Gedrukte schoolgids", nameEn = "Printed school guide", audience = "public", recall = "removable" });
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await changed.Content.ReadAsStringAsync());

        var dossier = await DossierAsync(full, publicationId);

        var takedowns = dossier["takedowns"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That((string?)dossier["channel"]!["recall"], Is.EqualTo("not-recallable"), "as it was at publication");
            Assert.That((string?)dossier["channel"]!["nameEn"], Is.EqualTo("Printed school guide"));
            Assert.That((string?)dossier["publication"]!["location"], Is.EqualTo("Schoolgids 2026-2027, p. 12"));
            Assert.That(takedowns.Select(t => $"{t!["kind"]} {t["status"]}"), Is.EqualTo(new[] { "do-not-reprint open" }), dossier.ToJsonString());
        });
        var completed = await full.PostAsJsonAsync($"/v1/takedowns/{takedowns[0]!["id"]}/complete",
            new { completedBy = "Directie", note = "Restvoorraad vernietigd; geen herdruk." });
        Assert.That(completed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await completed.Content.ReadAsStringAsync());
        var acknowledged = (await DossierAsync(full, publicationId))["takedowns"]![0]!;
        Assert.That($"{acknowledged["kind"]} {acknowledged["status"]} {acknowledged["completionNote"]}",
            Is.EqualTo("do-not-reprint acknowledged Restvoorraad vernietigd; geen herdruk."));
    }

    [Test]
    public async Task Another_organisations_or_another_schools_publication_is_not_found()
    {
        var c = await ClassAsync();
        var publicationId = (Guid)(await RegisterAsync(c.Full(), c.Tenant.SchoolId, "website", "photo", [c.Sanne], Now.AddDays(-2)))["id"]!;
        var other = await CreateTenantAsync();
        var otherSchool = await c.Tenant.ClientWithAsync([Scopes.ConsentRead], [c.Tenant.SchoolIds[1]]);
        var ownSchool = await c.Tenant.ClientWithAsync([Scopes.ConsentRead], [c.Tenant.SchoolId]);

        var fromOtherTenant = await other.Full().GetAsync($"/v1/publications/{publicationId}/dossier");
        var fromOtherSchool = await otherSchool.GetAsync($"/v1/publications/{publicationId}/dossier");
        var unknown = await c.Full().GetAsync($"/v1/publications/{Guid.CreateVersion7()}/dossier");

        await AssertProblemAsync(fromOtherTenant, HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(fromOtherSchool, HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not-found");
        Assert.That((await ownSchool.GetAsync($"/v1/publications/{publicationId}/dossier")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_dossier_in_a_form_not_offered_is_406_and_an_unknown_language_is_400()
    {
        var c = await ClassAsync();
        var publicationId = (Guid)(await RegisterAsync(c.Full(), c.Tenant.SchoolId, "website", "photo", [c.Sanne], Now.AddDays(-2)))["id"]!;
        using var csv = new HttpRequestMessage(HttpMethod.Get, $"/v1/publications/{publicationId}/dossier");
        csv.Headers.Accept.ParseAdd("text/csv");

        var notAcceptable = await c.Full().SendAsync(csv);
        var language = await c.Full().GetAsync($"/v1/publications/{publicationId}/dossier?language=de");

        Assert.That(notAcceptable.StatusCode, Is.EqualTo(HttpStatusCode.NotAcceptable), await notAcceptable.Content.ReadAsStringAsync());
        Assert.That(language.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await language.Content.ReadAsStringAsync());
        Assert.That(ErrorKeys(await language.ReadObjectAsync()), Does.Contain("language"));
    }

    private static readonly string[] DutchSections =
    [
        "De publicatie", "Wie er te zien is", "De controle waarop de publicatie steunde", "Besluiten per leerling",
        "Latere intrekkingen", "Verwijderverzoeken",
    ];

    private static readonly string[] EnglishSections =
    [
        "The publication", "Who is shown", "The check the publication relied on", "Decisions per pupil", "Later withdrawals",
        "Takedowns",
    ];

    private static async Task<HttpResponseMessage> AskAsync(HttpClient client, Guid publicationId, string accept, string? language = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/v1/publications/{publicationId}/dossier{(language is null ? "" : $"?language={language}")}");
        request.Headers.Accept.ParseAdd(accept);
        return await client.SendAsync(request);
    }

    [TestCase(null, "Dossier van een publicatie", "Gepubliceerd op", TestName = "The printable dossier is in Dutch by default, a section per part")]
    [TestCase("nl", "Dossier van een publicatie", "Gepubliceerd op", TestName = "The printable dossier in Dutch has a section per part")]
    [TestCase("en", "Publication dossier", "Published at", TestName = "The printable dossier in English has a section per part")]
    public async Task Printable_dossier(string? language, string title, string publishedLabel)
    {
        var c = await ClassAsync();
        // 23:30 UTC on a summer day is 01:30 the next day in Amsterdam: days and times are the organisation's.
        var publishedAt = new DateTimeOffset(Now.Year - 1, 6, 14, 23, 30, 0, TimeSpan.Zero);
        await BackdateFormAsync(Factory, c.VersionId, publishedAt.AddDays(-60));
        await DecideAsync(c.Full(), c.Sanne, c.VersionId, c.Mother, "granted", Items, publishedAt.AddDays(-30));
        var publicationId = (Guid)(await RegisterAsync(c.Full(), c.Tenant.SchoolId, "website", "photo", [c.Sanne], publishedAt))["id"]!;
        await DecideAsync(c.Full(), c.Sanne, c.VersionId, c.Mother, "refused", Items);

        var response = await AskAsync(c.Full(), publicationId, "text/html", language);

        var html = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        var sections = language == "en" ? EnglishSections : DutchSections;
        var headings = System.Text.RegularExpressions.Regex.Matches(html, "<h2>(.*?)</h2>").Select(m => m.Groups[1].Value).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(response.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("inline"));
            Assert.That(response.Headers.Vary, Does.Contain("Accept"));
            Assert.That(html, Does.Contain($"<h1>{title}</h1>"));
            Assert.That(headings, Is.EqualTo(sections));
            Assert.That(html, Does.Contain(publishedLabel));
            Assert.That(html, Does.Contain($"15-06-{publishedAt.Year} 01:30"), "dd-MM-yyyy, Amsterdam time");
            Assert.That(html, Does.Contain((string)c.Version["contentHash"]!), "the form text's hash");
            Assert.That(html, Does.Contain("Sanne de Vries").And.Contain("Marieke de Vries"));
            Assert.That(html, Does.Not.Contain("<script"));
        });
    }

    [Test]
    public async Task The_dossier_as_pdf_is_an_attachment_a_reader_opens_with_a_page_per_part()
    {
        var c = await ClassAsync();
        var publicationId = (Guid)(await RegisterAsync(c.Full(), c.Tenant.SchoolId, "website", "photo", [c.Sanne], Now.AddDays(-2)))["id"]!;
        await DecideAsync(c.Full(), c.Sanne, c.VersionId, c.Mother, "refused", Items);

        var response = await AskAsync(c.Full(), publicationId, "application/pdf", "en");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var pdf = await response.Content.ReadAsByteArrayAsync();
        Assert.Multiple(() =>
        {
            Assert.That(System.Text.Encoding.ASCII.GetString(pdf, 0, 5), Is.EqualTo("%PDF-"));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
            Assert.That(response.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
            Assert.That(response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Does.StartWith("publication-dossier-foto-s-projectweek-groep-5b-").And.EndWith(".pdf"));
        });
        var pages = await PdfReader.PagesAsync(pdf);
        Assert.That(pages, Has.Count.GreaterThanOrEqualTo(EnglishSections.Length));
        Assert.That(EnglishSections.Select(title => pages.Any(page => page.Contains(title, StringComparison.Ordinal))), Is.All.True,
            string.Join("\n---\n", pages));
    }

    [Test]
    public async Task A_browser_prints_each_part_of_the_dossier_from_the_top_of_an_a4_page()
    {
        var c = await ClassAsync();
        var publicationId = (Guid)(await RegisterAsync(c.Full(), c.Tenant.SchoolId, "website", "photo", [c.Sanne, c.Daan], Now.AddDays(-2),
            publishedWithoutCheck: true))["id"]!;
        await DecideAsync(c.Full(), c.Sanne, c.VersionId, c.Mother, "refused", Items);
        var html = await (await AskAsync(c.Full(), publicationId, "text/html")).Content.ReadAsStringAsync();
        var directory = Directory.CreateTempSubdirectory("dossier-").FullName;
        try
        {
            var file = Path.Combine(directory, "dossier.html");
            await File.WriteAllTextAsync(file, html, new System.Text.UTF8Encoding(false));
            var pdf = Path.Combine(directory, "dossier.pdf");
            var png = Path.Combine(directory, "dossier.png");

            await HeadlessChromium.RenderAsync(file, pdf, Path.Combine(directory, "profile"));
            await HeadlessChromium.RenderAsync(file, png, Path.Combine(directory, "profile-png"), "794,1123");

            var pages = await PdfReader.PagesAsync(await File.ReadAllBytesAsync(pdf));
            var starts = DutchSections.Select(title => pages.ToList().FindIndex(page => page.Contains(title, StringComparison.Ordinal))).ToList();
            Assert.That(starts, Is.All.GreaterThanOrEqualTo(0), string.Join("\n---\n", pages));
            Assert.That(starts, Is.Ordered.Ascending.And.Unique, "each part on a page of its own, in order");
            Assert.That(new FileInfo(png).Length, Is.GreaterThan(20 * 1024), "the PNG looks blank");
            if (Environment.GetEnvironmentVariable("DOSSIER_EXAMPLE_DIR") is { Length: > 0 } example)
            {
                // For documentation (scripts/render-printed-examples.sh): keep the rendered example.
                Directory.CreateDirectory(example);
                File.Copy(png, Path.Combine(example, "publication-dossier-example.png"), overwrite: true);
                File.Copy(pdf, Path.Combine(example, "publication-dossier-example.pdf"), overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
