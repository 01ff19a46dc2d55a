using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ConsentApi.Domain;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Pupils;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Tests.Features.Access;

/// <summary>
/// The operations that name an organisation's data, each with a valid body and what a caller of another organisation or
/// of another school of the same organisation gets, and a world of real objects to name in their paths. Shared by the
/// hand-written permission table tests and the contract-driven hostile access suite.
/// </summary>
public static partial class AccessWorld
{
    /// <summary>What a client of the same organisation limited to the other school gets.</summary>
    public enum OtherSchool { NotApplicable, NotFound, Forbidden }

    /// <param name="TakesFile">The body is a file (bytes), not JSON: malformed JSON says nothing about it.</param>
    /// <param name="FileType">The Content-Type a file body is sent with.</param>
    /// <param name="OrScopes">Further scopes the operation accepts instead of <paramref name="Scope"/>.</param>
    public sealed record Operation(string Method, string Path, string Scope, Func<Ids, object?>? Body, bool OtherOrganisationNotFound, OtherSchool OtherSchool,
        bool TakesFile = false, string FileType = "application/pdf", string[]? OrScopes = null)
    {
        /// <summary>Every scope the operation accepts, any one of them.</summary>
        public IReadOnlyList<string> Scopes => [Scope, .. OrScopes ?? []];

        public override string ToString() => $"{Method} {Path}";
    }

    public sealed record Ids(
        Guid OrganisationId, Guid SchoolId, Guid GroupId, Guid PupilId, Guid GuardianId, Guid ClientId, Guid FormId, Guid PublishedVersionId,
        Guid PublicationId, Guid TakedownId, Guid WebhookId, Guid DeliveryId, Guid ReceiptId, Guid CampaignId,
        string ChannelKey, string GuardianExternalId, Guid PaperReceiptId = default, Guid ProofFileId = default, Guid ImportId = default);

    /// <summary>A scanned paper form, as far as the proof-file check reads it (the PDF signature).</summary>
    public static readonly byte[] ScannedForm = "%PDF-1.7\n% Toestemmingsformulier\n"u8.ToArray();

    /// <summary>
    /// An EDEXML file for a BRIN code no test school has: an upload of it answers 202 and its job fails, changing nothing
    /// in the world the other operations name.
    /// </summary>
    public static readonly byte[] EdexmlFile = """
        <?xml version="1.0" encoding="UTF-8"?>
        <EDEX><school><schooljaar>2026-2027</schooljaar><brincode>00XX</brincode></school>
        <groepen><groep key="G-NEW"><naam>Groep 6a</naam><jaargroep>6</jaargroep></groep></groepen>
        <leerlingen><leerling key="P-1"><achternaam>Jansen</achternaam><roepnaam>Daan</roepnaam><geboortedatum>2016-05-01</geboortedatum><groep key="G-NEW"/></leerling></leerlingen>
        </EDEX>
        """u8.ToArray();

    /// <summary>A channel only this organisation has (unless another's world was made with the same label).</summary>
    private const string OwnChannel = "regional-press";

    /// <summary>The form's draft version, the one the version operations name.</summary>
    public const int DraftNumber = 2;

    public static object SchoolBody(Ids _) => new { name = "OBS De Regenboog", brinCode = "99ZZ" };
    public static object GroupBody(Ids _) => new { externalId = "G-NEW", name = "Groep 6a", schoolYear = "2026-2027" };
    public static object PupilBody(Ids _) => new { externalId = "P-NEW", displayName = "Sanne de Vries", dateOfBirth = "2017-03-14" };
    public static object GuardianBody(Ids _) => new { externalId = "O-NEW", displayName = "Marieke de Vries" };
    public static object ChannelBody(Ids _) => new { nameNl = "Regionale pers", nameEn = "Regional press", audience = "public" };
    public static object FormVersionBody(Ids _) => new
    {
        textNl = "Wij vragen uw toestemming voor het publiceren van foto's van uw kind.",
        validity = "until-withdrawn",
        items = new[] { new { mediaType = "photo", channel = "social-media" } },
    };
    public static object DecisionsBody(Ids ids) => new
    {
        formVersionId = ids.PublishedVersionId, decidedBy = "guardian", guardianId = ids.GuardianId, method = "parent-app",
        items = new[] { new { mediaType = "photo", channel = "social-media", outcome = "granted" } },
    };
    public static object CheckBody(Ids ids) => new { pupilIds = new[] { ids.PupilId }, mediaType = "photo", channel = "social-media" };
    public static object PublicationBody(Ids ids) => new
    {
        schoolId = ids.SchoolId, channel = "social-media", mediaType = "photo", title = "Schoolreisje groep 5b",
        url = "https://www.obsderegenboog.nl/nieuws/schoolreisje", pupilIds = new[] { ids.PupilId }, publishedWithoutCheck = true,
    };
    public static object WebhookBody(Ids ids) => new
    {
        url = "http://127.0.0.1:9/consent-events", eventTypes = new[] { "publication.registered" }, schoolId = ids.SchoolId,
    };
    public static object CampaignBody(Ids ids) => new
    {
        schoolYear = "2026-2027", formVersionId = ids.PublishedVersionId,
        opensOn = LocalDay.Today.ToString("yyyy-MM-dd"),
        closesOn = LocalDay.Today.AddDays(30).ToString("yyyy-MM-dd"),
    };
    public static byte[] GuardiansCsvBody(Ids ids) =>
        System.Text.Encoding.UTF8.GetBytes($"pupilExternalId;guardianExternalId;guardianDisplayName;hasParentalAuthority\r\nP-1;{ids.GuardianExternalId};Els Jansen;ja\r\n");
    public static byte[] ConsentFormsCsvBody(Ids ids) =>
        System.Text.Encoding.UTF8.GetBytes($"pupilExternalId;guardianExternalId;mediaType;channel;outcome;dateGiven\r\nP-1;{ids.GuardianExternalId};photo;social-media;nee;{LocalDay.Today:d-M-yyyy}\r\n");
    public static object RosterBody(Ids _) => new { groups = Array.Empty<object>(), pupils = Array.Empty<object>(), guardians = Array.Empty<object>() };

    public static readonly Operation[] Operations =
    [
        new("POST", "/v1/organisations", Scopes.Platform, _ => new { name = "Stichting Nieuw" }, false, OtherSchool.NotApplicable),
        new("GET", "/v1/organisations", Scopes.Platform, null, false, OtherSchool.NotApplicable),
        new("GET", "/v1/organisations/{organisationId}", Scopes.Admin, null, true, OtherSchool.NotApplicable),
        new("PUT", "/v1/organisations/{organisationId}/consent-policy", Scopes.Admin,
            _ => new { grantRequires = "all-guardians", schoolYearEndMonth = 7, schoolYearEndDay = 31 }, true, OtherSchool.Forbidden),
        new("PUT", "/v1/organisations/{organisationId}/retention-policy", Scopes.Admin,
            _ => new { keepMonthsAfterLeaving = 36 }, true, OtherSchool.Forbidden),
        new("POST", "/v1/schools", Scopes.Admin, SchoolBody, false, OtherSchool.Forbidden),
        new("GET", "/v1/schools", Scopes.RosterRead, null, false, OtherSchool.NotApplicable),
        new("GET", "/v1/schools/{schoolId}", Scopes.RosterRead, null, true, OtherSchool.NotFound),
        new("PUT", "/v1/schools/{schoolId}", Scopes.Admin, SchoolBody, true, OtherSchool.NotFound),
        new("GET", "/v1/schools/{schoolId}/groups", Scopes.RosterRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/schools/{schoolId}/groups", Scopes.RosterWrite, GroupBody, true, OtherSchool.NotFound),
        new("GET", "/v1/schools/{schoolId}/groups/{groupId}", Scopes.RosterRead, null, true, OtherSchool.NotFound),
        new("PUT", "/v1/schools/{schoolId}/groups/{groupId}", Scopes.RosterWrite, GroupBody, true, OtherSchool.NotFound),
        new("GET", "/v1/schools/{schoolId}/pupils", Scopes.RosterRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/schools/{schoolId}/pupils", Scopes.RosterWrite, PupilBody, true, OtherSchool.NotFound),
        new("PUT", "/v1/schools/{schoolId}/roster", Scopes.RosterWrite, RosterBody, true, OtherSchool.NotFound),
        new("POST", "/v1/schools/{schoolId}/imports/guardians-csv", Scopes.RosterWrite, GuardiansCsvBody, true, OtherSchool.NotFound,
            TakesFile: true, FileType: "text/csv"),
        new("POST", "/v1/schools/{schoolId}/imports/consent-forms-csv", Scopes.ConsentWrite, ConsentFormsCsvBody, true, OtherSchool.NotFound,
            TakesFile: true, FileType: "text/csv"),
        new("POST", "/v1/schools/{schoolId}/imports/edexml", Scopes.RosterWrite, _ => EdexmlFile, true, OtherSchool.NotFound, TakesFile: true,
            FileType: "application/xml"),
        // A kind without a route of its own: not an operation of the contract, answered 404 for every kind.
        new("POST", "/v1/schools/{schoolId}/imports/{kind}", Scopes.RosterRead, _ => EdexmlFile, true, OtherSchool.NotFound, TakesFile: true,
            FileType: "application/xml"),
        // Read with roster:read, or with the scope that uploads the job's kind (the world's job is an EDEXML upload).
        new("GET", "/v1/schools/{schoolId}/imports", Scopes.RosterRead, null, true, OtherSchool.NotFound,
            OrScopes: [Scopes.RosterWrite, Scopes.ConsentWrite]),
        new("GET", "/v1/imports/{importId}", Scopes.RosterRead, null, true, OtherSchool.NotFound, OrScopes: [Scopes.RosterWrite, Scopes.ConsentWrite]),
        new("GET", "/v1/pupils/{pupilId}", Scopes.RosterRead, null, true, OtherSchool.NotFound),
        new("PUT", "/v1/pupils/{pupilId}", Scopes.RosterWrite, PupilBody, true, OtherSchool.NotFound),
        new("GET", "/v1/pupils/{pupilId}/guardians/{guardianId}", Scopes.RosterRead, null, true, OtherSchool.NotFound),
        new("PUT", "/v1/pupils/{pupilId}/guardians/{guardianId}", Scopes.RosterWrite, _ => new { hasParentalAuthority = true }, true, OtherSchool.NotFound),
        new("DELETE", "/v1/pupils/{pupilId}/guardians/{guardianId}", Scopes.RosterWrite, null, true, OtherSchool.NotFound),
        new("POST", "/v1/pupils/{pupilId}/erasure", Scopes.RosterWrite, null, true, OtherSchool.NotFound),
        new("GET", "/v1/guardians", Scopes.RosterRead, null, false, OtherSchool.NotApplicable),
        new("POST", "/v1/guardians", Scopes.RosterWrite, GuardianBody, false, OtherSchool.NotApplicable),
        new("GET", "/v1/guardians/{guardianId}", Scopes.RosterRead, null, true, OtherSchool.NotFound),
        new("PUT", "/v1/guardians/{guardianId}", Scopes.RosterWrite, GuardianBody, true, OtherSchool.NotFound),
        new("POST", "/v1/api-clients", Scopes.Admin, _ => new { name = "Nieuwe koppeling", scopes = new[] { "roster:read" } }, false, OtherSchool.Forbidden),
        new("GET", "/v1/api-clients", Scopes.Admin, null, false, OtherSchool.NotApplicable),
        new("GET", "/v1/api-clients/{clientId}", Scopes.Admin, null, true, OtherSchool.NotFound),
        new("DELETE", "/v1/api-clients/{clientId}", Scopes.Admin, null, true, OtherSchool.NotFound),
        new("GET", "/v1/audit-events", Scopes.Admin, null, false, OtherSchool.Forbidden),
        new("GET", "/v1/channels", Scopes.ConsentRead, null, false, OtherSchool.NotApplicable),
        new("POST", "/v1/channels", Scopes.Admin, _ => new { key = "school-radio", nameNl = "Schoolradio", audience = "closed" }, false, OtherSchool.Forbidden),
        new("GET", "/v1/channels/{channelKey}", Scopes.ConsentRead, null, true, OtherSchool.NotApplicable),
        new("PUT", "/v1/channels/{channelKey}", Scopes.Admin, ChannelBody, true, OtherSchool.Forbidden),
        new("POST", "/v1/channels/{channelKey}/retire", Scopes.Admin, null, true, OtherSchool.Forbidden),
        new("GET", "/v1/consent-forms", Scopes.ConsentRead, null, false, OtherSchool.NotApplicable),
        new("POST", "/v1/consent-forms", Scopes.Admin, _ => new { name = "Toestemming beeldmateriaal" }, false, OtherSchool.Forbidden),
        new("GET", "/v1/consent-forms/{formId}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/consent-forms/{formId}/versions", Scopes.Admin, FormVersionBody, true, OtherSchool.NotFound),
        new("GET", "/v1/consent-forms/{formId}/versions/{number}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("PUT", "/v1/consent-forms/{formId}/versions/{number}", Scopes.Admin, FormVersionBody, true, OtherSchool.NotFound),
        new("POST", "/v1/consent-forms/{formId}/versions/{number}/publish", Scopes.Admin, null, true, OtherSchool.NotFound),
        new("POST", "/v1/consent-forms/{formId}/versions/{number}/withdraw", Scopes.Admin, null, true, OtherSchool.NotFound),
        new("POST", "/v1/pupils/{pupilId}/decisions", Scopes.ConsentWrite, DecisionsBody, true, OtherSchool.NotFound),
        new("GET", "/v1/pupils/{pupilId}/consents", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("GET", "/v1/pupils/{pupilId}/consents/history", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("GET", "/v1/pupils/{pupilId}/access-export", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/publication-checks", Scopes.ConsentRead, CheckBody, true, OtherSchool.NotFound),
        new("GET", "/v1/schools/{schoolId}/groups/{groupId}/consent-overview", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/publications", Scopes.ConsentWrite, PublicationBody, true, OtherSchool.NotFound),
        new("GET", "/v1/publications", Scopes.ConsentRead, null, false, OtherSchool.NotApplicable),
        new("GET", "/v1/publications/{publicationId}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("GET", "/v1/publications/{publicationId}/dossier", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/publications/{publicationId}/remove", Scopes.ConsentWrite, _ => new { note = "Van de website gehaald" }, true, OtherSchool.NotFound),
        new("GET", "/v1/takedowns", Scopes.ConsentRead, null, false, OtherSchool.NotApplicable),
        new("GET", "/v1/takedowns/{takedownId}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/takedowns/{takedownId}/complete", Scopes.ConsentWrite, _ => new { completedBy = "Webbeheer" }, true, OtherSchool.NotFound),
        new("GET", "/v1/receipts/{receiptId}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/receipts/{receiptId}/proof-files", Scopes.ConsentWrite, _ => ScannedForm, true, OtherSchool.NotFound, TakesFile: true),
        new("GET", "/v1/receipts/{receiptId}/proof-files/{proofFileId}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/schools/{schoolId}/campaigns", Scopes.Admin, CampaignBody, true, OtherSchool.NotFound),
        // A school-limited client acting for a guardian sees none of the children of other schools (an empty list).
        new("GET", "/v1/parent-app/guardians/{guardianExternalId}/children", Scopes.GuardianAct, null, true, OtherSchool.NotApplicable),
        new("GET", "/v1/parent-app/guardians/{guardianExternalId}/consent-requests", Scopes.GuardianAct, null, true, OtherSchool.NotApplicable),
        new("POST", "/v1/parent-app/guardians/{guardianExternalId}/decisions", Scopes.GuardianAct, ids => new
        {
            children = new[] { new { pupilId = ids.PupilId, formVersionId = ids.PublishedVersionId,
                items = new[] { new { mediaType = "photo", channel = "social-media", outcome = "granted" } } } },
        }, true, OtherSchool.NotFound),
        new("POST", "/v1/parent-app/guardians/{guardianExternalId}/withdrawals", Scopes.GuardianAct,
            ids => new { pupilId = ids.PupilId, mediaType = "photo", channel = "social-media" }, true, OtherSchool.NotFound),
        new("GET", "/v1/parent-app/guardians/{guardianExternalId}/receipts/{receiptId}", Scopes.GuardianAct, null, true, OtherSchool.NotFound),
        new("GET", "/v1/parent-app/guardians/{guardianExternalId}/children/{pupilId}/access-export", Scopes.GuardianAct, null, true, OtherSchool.NotFound),
        // The world's pupil is under 16: the caller who may see them gets 403; one who may not, 404.
        new("GET", "/v1/parent-app/pupils/{pupilId}/access-export", Scopes.GuardianAct, null, true, OtherSchool.NotFound),
        new("GET", "/v1/schools/{schoolId}/campaigns", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("GET", "/v1/campaigns/{campaignId}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("GET", "/v1/campaigns/{campaignId}/non-responders", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/campaigns/{campaignId}/close", Scopes.Admin, null, true, OtherSchool.NotFound),
        new("POST", "/v1/webhooks", Scopes.Admin, WebhookBody, true, OtherSchool.NotFound),
        new("GET", "/v1/webhooks", Scopes.Admin, null, false, OtherSchool.NotApplicable),
        new("GET", "/v1/webhooks/{webhookId}", Scopes.Admin, null, true, OtherSchool.NotFound),
        new("DELETE", "/v1/webhooks/{webhookId}", Scopes.Admin, null, true, OtherSchool.NotFound),
        new("GET", "/v1/webhooks/{webhookId}/deliveries", Scopes.Admin, null, true, OtherSchool.NotFound),
        new("POST", "/v1/webhooks/{webhookId}/deliveries/{deliveryId}/resend", Scopes.Admin, null, true, OtherSchool.NotFound),
    ];

    /// <summary>
    /// One object of every kind in the tenant's first school (or <paramref name="inSchool"/>), made through the API: a group, a pupil with a guardian, a
    /// client, a channel, a form with a published and a draft version, a webhook with a delivery, a publication with its
    /// takedown, a decision batch and a campaign.
    /// </summary>
    /// <remarks>
    /// The channel key and the guardian's external id are names, not ids: worlds of two organisations that must not find
    /// each other's by name get different <paramref name="label"/>s.
    /// </remarks>
    public static async Task<Ids> CreateAsync(ApiTest.Tenant tenant, ConsentApiFactory factory, string label = "", Guid? inSchool = null)
    {
        var schoolId = inSchool ?? tenant.SchoolId;
        var channelKey = OwnChannel + label;
        var guardianExternalId = "O-1" + label;
        var full = tenant.Full();
        var group = await (await full.PostAsJsonAsync($"/v1/schools/{schoolId}/groups", GroupBody(null!))).ReadAsync<GroupResponse>();
        var pupil = await (await full.PostAsJsonAsync($"/v1/schools/{schoolId}/pupils",
            new { externalId = "P-1", displayName = "Daan Jansen", dateOfBirth = "2016-05-01", groupId = group.Id })).ReadAsync<PupilResponse>();
        var guardian = await (await full.PostAsJsonAsync("/v1/guardians", new { externalId = guardianExternalId, displayName = "Els Jansen" }))
            .ReadAsync<GuardianResponse>();
        (await full.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}", new { hasParentalAuthority = true }))
            .EnsureSuccessStatusCode();
        var target = await tenant.CreateKeyAsync([Scopes.RosterRead]);
        var clientId = await factory.QueryAsync(db => db.ApiClients.Where(c => c.KeyPrefix == target.Substring(0, 16)).Select(c => c.Id).SingleAsync());

        var admin = tenant.Admin();
        (await admin.PostAsJsonAsync("/v1/channels", new { key = channelKey, nameNl = "Regionale pers", audience = "public" })).EnsureSuccessStatusCode();
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Beeldmateriaal", schoolId = schoolId }))
            .ReadObjectAsync();
        var formId = (Guid)form["id"]!;
        var published = await (await admin.PostAsJsonAsync($"/v1/consent-forms/{formId}/versions", FormVersionBody(null!))).ReadObjectAsync();
        (await admin.PostAsync($"/v1/consent-forms/{formId}/versions/1/publish", null)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{formId}/versions", FormVersionBody(null!))).EnsureSuccessStatusCode();
        var ids = new Ids(tenant.OrganisationId, schoolId, group.Id, pupil.Id, guardian.Id, clientId, formId,
            (Guid)published["id"]!, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, channelKey, guardianExternalId);
        var webhook = await (await admin.PostAsJsonAsync("/v1/webhooks", WebhookBody(ids))).ReadObjectAsync();
        var webhookId = (Guid)webhook["webhook"]!["id"]!;
        var publication = await (await full.PostAsJsonAsync("/v1/publications", PublicationBody(ids))).ReadObjectAsync();
        var publicationId = (Guid)publication["id"]!;
        var takedownId = await factory.QueryAsync(db => db.Takedowns.Where(t => t.PublicationId == publicationId).Select(t => t.Id).SingleAsync());
        // Recorded after the publication, which must have had no consent so that a takedown opened.
        var recorded = await (await full.PostAsJsonAsync($"/v1/pupils/{pupil.Id}/decisions", DecisionsBody(ids))).ReadObjectAsync();
        var deliveryId = await factory.QueryAsync(db => db.WebhookDeliveries.Where(d => d.SubscriptionId == webhookId).Select(d => d.Id).SingleAsync());
        // The same answer on a paper form keyed in, with its scan: what the proof-file operations name.
        var paper = await (await full.PostAsJsonAsync($"/v1/pupils/{pupil.Id}/decisions", new
        {
            formVersionId = ids.PublishedVersionId, decidedBy = "guardian", guardianId = guardian.Id, method = "paper",
            items = new[] { new { mediaType = "photo", channel = "social-media", outcome = "granted" } },
        })).ReadObjectAsync();
        var paperReceiptId = (Guid)paper["batchId"]!;
        var proofFile = await (await full.PostAsync($"/v1/receipts/{paperReceiptId}/proof-files?fileName=formulier.pdf",
            new ByteArrayContent(ScannedForm) { Headers = { ContentType = new("application/pdf") } })).ReadObjectAsync();
        var import = await (await full.PostAsync($"/v1/schools/{schoolId}/imports/edexml?dryRun=true",
            new ByteArrayContent(EdexmlFile) { Headers = { ContentType = new("application/xml") } })).ReadObjectAsync();
        return ids with
        {
            PublicationId = publicationId, TakedownId = takedownId, WebhookId = webhookId, DeliveryId = deliveryId,
            ReceiptId = (Guid)recorded["batchId"]!, PaperReceiptId = paperReceiptId, ProofFileId = (Guid)proofFile["id"]!,
            ImportId = (Guid)import["id"]!,
            CampaignId = (Guid)(await (await admin.PostAsJsonAsync($"/v1/schools/{schoolId}/campaigns", CampaignBody(ids))).ReadObjectAsync())["id"]!,
        };
    }

    public static string PathOf(string path, Ids ids) => PlaceholderPattern().Replace(path, m => m.Groups[1].Value switch
    {
        // Only a receipt of a paper, e-mail or in-person decision takes proof files.
        "receiptId" when path.Contains("/proof-files", StringComparison.Ordinal) => ids.PaperReceiptId.ToString(),
        "proofFileId" => ids.ProofFileId.ToString(),
        "organisationId" => ids.OrganisationId.ToString(),
        "schoolId" => ids.SchoolId.ToString(),
        "groupId" => ids.GroupId.ToString(),
        "pupilId" => ids.PupilId.ToString(),
        "guardianId" => ids.GuardianId.ToString(),
        "clientId" => ids.ClientId.ToString(),
        "channelKey" => ids.ChannelKey,
        "formId" => ids.FormId.ToString(),
        "number" => DraftNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "publicationId" => ids.PublicationId.ToString(),
        "takedownId" => ids.TakedownId.ToString(),
        "webhookId" => ids.WebhookId.ToString(),
        "deliveryId" => ids.DeliveryId.ToString(),
        "receiptId" => ids.ReceiptId.ToString(),
        "campaignId" => ids.CampaignId.ToString(),
        "guardianExternalId" => ids.GuardianExternalId,
        "importId" => ids.ImportId.ToString(),
        "kind" => "spreadsheet",
        var other => throw new InvalidOperationException($"No id for {{{other}}}."),
    });

    /// <summary>The operation's request against the objects of <paramref name="ids"/>, with its valid body if it takes one.</summary>
    public static HttpRequestMessage Request(Operation operation, Ids ids)
    {
        var request = new HttpRequestMessage(new HttpMethod(operation.Method), PathOf(operation.Path, ids));
        if (operation.Body is not null)
        {
            request.Content = operation.Body(ids) is byte[] file
                ? new ByteArrayContent(file) { Headers = { ContentType = new(operation.FileType) } }
                : JsonContent.Create(operation.Body(ids));
        }
        return request;
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex PlaceholderPattern();
}
