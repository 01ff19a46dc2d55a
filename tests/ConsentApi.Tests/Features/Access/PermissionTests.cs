using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ConsentApi.Domain;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Pupils;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentApi.Tests.Features.Access;

/// <summary>
/// Every operation against every way in which a caller may lack the right: no key, an unknown key, a revoked key, a key
/// without the scope, a key of another organisation, and a key limited to another school. None of them may change data.
/// </summary>
public sealed partial class PermissionTests : ApiTest
{
    /// <summary>What a client of the same organisation limited to the other school gets.</summary>
    public enum OtherSchool { NotApplicable, NotFound, Forbidden }

    public sealed record Operation(string Method, string Path, string Scope, Func<Ids, object?>? Body, bool OtherOrganisationNotFound, OtherSchool OtherSchool)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    public sealed record Ids(
        Guid OrganisationId, Guid SchoolId, Guid GroupId, Guid PupilId, Guid GuardianId, Guid ClientId, Guid FormId, Guid PublishedVersionId,
        Guid PublicationId, Guid TakedownId, Guid WebhookId, Guid DeliveryId, Guid ReceiptId, Guid CampaignId);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    /// <summary>A channel only the first organisation has, so that another organisation's key cannot find it.</summary>
    private const string OwnChannel = "regional-press";

    /// <summary>The form's draft version, the one the version operations name.</summary>
    private const int DraftNumber = 2;

    private static object SchoolBody(Ids _) => new { name = "OBS De Regenboog", brinCode = "99ZZ" };
    private static object GroupBody(Ids _) => new { externalId = "G-NEW", name = "Groep 6a", schoolYear = "2026-2027" };
    private static object PupilBody(Ids _) => new { externalId = "P-NEW", displayName = "Sanne de Vries", dateOfBirth = "2017-03-14" };
    private static object GuardianBody(Ids _) => new { externalId = "O-NEW", displayName = "Marieke de Vries" };
    private static object ChannelBody(Ids _) => new { nameNl = "Regionale pers", nameEn = "Regional press", audience = "public" };
    private static object FormVersionBody(Ids _) => new
    {
        textNl = "Wij vragen uw toestemming voor het publiceren van foto's van uw kind.",
        validity = "until-withdrawn",
        items = new[] { new { mediaType = "photo", channel = "social-media" } },
    };
    private static object DecisionsBody(Ids ids) => new
    {
        formVersionId = ids.PublishedVersionId, decidedBy = "guardian", guardianId = ids.GuardianId, method = "parent-app",
        items = new[] { new { mediaType = "photo", channel = "social-media", outcome = "granted" } },
    };
    private static object CheckBody(Ids ids) => new { pupilIds = new[] { ids.PupilId }, mediaType = "photo", channel = "social-media" };
    private static object PublicationBody(Ids ids) => new
    {
        schoolId = ids.SchoolId, channel = "social-media", mediaType = "photo", title = "Schoolreisje groep 5b",
        url = "https://www.obsderegenboog.nl/nieuws/schoolreisje", pupilIds = new[] { ids.PupilId }, publishedWithoutCheck = true,
    };
    private static object WebhookBody(Ids ids) => new
    {
        url = "http://127.0.0.1:9/consent-events", eventTypes = new[] { "publication.registered" }, schoolId = ids.SchoolId,
    };
    private static object CampaignBody(Ids ids) => new
    {
        schoolYear = "2026-2027", formVersionId = ids.PublishedVersionId,
        opensOn = LocalDay.Today.ToString("yyyy-MM-dd"),
        closesOn = LocalDay.Today.AddDays(30).ToString("yyyy-MM-dd"),
    };
    private static object RosterBody(Ids _) => new { groups = Array.Empty<object>(), pupils = Array.Empty<object>(), guardians = Array.Empty<object>() };

    public static readonly Operation[] Operations =
    [
        new("POST", "/v1/organisations", Scopes.Platform, _ => new { name = "Stichting Nieuw" }, false, OtherSchool.NotApplicable),
        new("GET", "/v1/organisations", Scopes.Platform, null, false, OtherSchool.NotApplicable),
        new("GET", "/v1/organisations/{organisationId}", Scopes.Admin, null, true, OtherSchool.NotApplicable),
        new("PUT", "/v1/organisations/{organisationId}/consent-policy", Scopes.Admin,
            _ => new { grantRequires = "all-guardians", schoolYearEndMonth = 7, schoolYearEndDay = 31 }, true, OtherSchool.Forbidden),
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
        new("GET", "/v1/pupils/{pupilId}", Scopes.RosterRead, null, true, OtherSchool.NotFound),
        new("PUT", "/v1/pupils/{pupilId}", Scopes.RosterWrite, PupilBody, true, OtherSchool.NotFound),
        new("PUT", "/v1/pupils/{pupilId}/guardians/{guardianId}", Scopes.RosterWrite, _ => new { hasParentalAuthority = true }, true, OtherSchool.NotFound),
        new("DELETE", "/v1/pupils/{pupilId}/guardians/{guardianId}", Scopes.RosterWrite, null, true, OtherSchool.NotFound),
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
        new("POST", "/v1/pupils/{pupilId}/decisions", Scopes.ConsentWrite, DecisionsBody, true, OtherSchool.NotFound),
        new("GET", "/v1/pupils/{pupilId}/consents", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("GET", "/v1/pupils/{pupilId}/consents/history", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/publication-checks", Scopes.ConsentRead, CheckBody, true, OtherSchool.NotFound),
        new("GET", "/v1/schools/{schoolId}/groups/{groupId}/consent-overview", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/publications", Scopes.ConsentWrite, PublicationBody, true, OtherSchool.NotFound),
        new("GET", "/v1/publications", Scopes.ConsentRead, null, false, OtherSchool.NotApplicable),
        new("GET", "/v1/publications/{publicationId}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/publications/{publicationId}/remove", Scopes.ConsentWrite, _ => new { note = "Van de website gehaald" }, true, OtherSchool.NotFound),
        new("GET", "/v1/takedowns", Scopes.ConsentRead, null, false, OtherSchool.NotApplicable),
        new("GET", "/v1/takedowns/{takedownId}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
        new("POST", "/v1/takedowns/{takedownId}/complete", Scopes.ConsentWrite, _ => new { completedBy = "Webbeheer" }, true, OtherSchool.NotFound),
        new("GET", "/v1/receipts/{receiptId}", Scopes.ConsentRead, null, true, OtherSchool.NotFound),
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

    public static IEnumerable<Operation> OperationsOnOrganisationData => Operations.Where(o => o.OtherOrganisationNotFound);

    public static IEnumerable<Operation> OperationsOnSchools => Operations.Where(o => o.OtherSchool != OtherSchool.NotApplicable);

    private Tenant _tenant = null!;
    private Tenant _otherTenant = null!;
    private Ids _ids = null!;

    [OneTimeSetUp]
    public async Task CreateDataAsync()
    {
        _tenant = await CreateTenantAsync();
        _otherTenant = await CreateTenantAsync();
        var full = _tenant.Full();
        var group = await (await full.PostAsJsonAsync($"/v1/schools/{_tenant.SchoolId}/groups", GroupBody(null!))).ReadAsync<GroupResponse>();
        var pupil = await (await full.PostAsJsonAsync($"/v1/schools/{_tenant.SchoolId}/pupils",
            new { externalId = "P-1", displayName = "Daan Jansen", dateOfBirth = "2016-05-01", groupId = group.Id })).ReadAsync<PupilResponse>();
        var guardian = await (await full.PostAsJsonAsync("/v1/guardians", new { externalId = "O-1", displayName = "Els Jansen" }))
            .ReadAsync<GuardianResponse>();
        (await full.PutAsJsonAsync($"/v1/pupils/{pupil.Id}/guardians/{guardian.Id}", new { hasParentalAuthority = true }))
            .EnsureSuccessStatusCode();
        var target = await _tenant.CreateKeyAsync([Scopes.RosterRead]);
        var clientId = await Factory.QueryAsync(db => db.ApiClients.Where(c => c.KeyPrefix == target.Substring(0, 16)).Select(c => c.Id).SingleAsync());

        var admin = _tenant.Admin();
        (await admin.PostAsJsonAsync("/v1/channels", new { key = OwnChannel, nameNl = "Regionale pers", audience = "public" })).EnsureSuccessStatusCode();
        var form = await (await admin.PostAsJsonAsync("/v1/consent-forms", new { name = "Beeldmateriaal", schoolId = _tenant.SchoolId }))
            .ReadObjectAsync();
        var formId = (Guid)form["id"]!;
        var published = await (await admin.PostAsJsonAsync($"/v1/consent-forms/{formId}/versions", FormVersionBody(null!))).ReadObjectAsync();
        (await admin.PostAsync($"/v1/consent-forms/{formId}/versions/1/publish", null)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/v1/consent-forms/{formId}/versions", FormVersionBody(null!))).EnsureSuccessStatusCode();
        var ids = new Ids(_tenant.OrganisationId, _tenant.SchoolId, group.Id, pupil.Id, guardian.Id, clientId, formId,
            (Guid)published["id"]!, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty);
        var webhook = await (await admin.PostAsJsonAsync("/v1/webhooks", WebhookBody(ids))).ReadObjectAsync();
        var webhookId = (Guid)webhook["webhook"]!["id"]!;
        var publication = await (await full.PostAsJsonAsync("/v1/publications", PublicationBody(ids))).ReadObjectAsync();
        var publicationId = (Guid)publication["id"]!;
        var takedownId = await Factory.QueryAsync(db => db.Takedowns.Where(t => t.PublicationId == publicationId).Select(t => t.Id).SingleAsync());
        // Recorded after the publication, which must have had no consent so that a takedown opened.
        var recorded = await (await full.PostAsJsonAsync($"/v1/pupils/{pupil.Id}/decisions", DecisionsBody(ids))).ReadObjectAsync();
        var deliveryId = await Factory.QueryAsync(db => db.WebhookDeliveries.Where(d => d.SubscriptionId == webhookId).Select(d => d.Id).SingleAsync());
        _ids = ids with
        {
            PublicationId = publicationId, TakedownId = takedownId, WebhookId = webhookId, DeliveryId = deliveryId,
            ReceiptId = (Guid)recorded["batchId"]!,
            CampaignId = (Guid)(await (await admin.PostAsJsonAsync($"/v1/schools/{_tenant.SchoolId}/campaigns", CampaignBody(ids))).ReadObjectAsync())["id"]!,
        };
    }

    private static string PathOf(Operation operation, Ids ids) => PlaceholderPattern().Replace(operation.Path, m => m.Groups[1].Value switch
    {
        "organisationId" => ids.OrganisationId.ToString(),
        "schoolId" => ids.SchoolId.ToString(),
        "groupId" => ids.GroupId.ToString(),
        "pupilId" => ids.PupilId.ToString(),
        "guardianId" => ids.GuardianId.ToString(),
        "clientId" => ids.ClientId.ToString(),
        "channelKey" => OwnChannel,
        "formId" => ids.FormId.ToString(),
        "number" => DraftNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "publicationId" => ids.PublicationId.ToString(),
        "takedownId" => ids.TakedownId.ToString(),
        "webhookId" => ids.WebhookId.ToString(),
        "deliveryId" => ids.DeliveryId.ToString(),
        "receiptId" => ids.ReceiptId.ToString(),
        "campaignId" => ids.CampaignId.ToString(),
        "guardianExternalId" => "O-1",
        var other => throw new InvalidOperationException($"No id for {{{other}}}."),
    });

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, Operation operation)
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), PathOf(operation, _ids));
        if (operation.Body is not null)
        {
            request.Content = JsonContent.Create(operation.Body(_ids));
        }
        return await client.SendAsync(request);
    }

    /// <summary>Sends the call and checks the refusal changed nothing: no audit event, so no command ran.</summary>
    private async Task AssertRefusedAsync(HttpClient client, Operation operation, HttpStatusCode status, string type)
    {
        var before = await Factory.QueryAsync(db => db.AuditEvents.CountAsync());
        var response = await SendAsync(client, operation);
        await AssertProblemAsync(response, status, type);
        Assert.That(await Factory.QueryAsync(db => db.AuditEvents.CountAsync()), Is.EqualTo(before), "a refused call wrote an audit event");
    }

    [TestCaseSource(nameof(Operations))]
    public async Task Without_a_key_is_401(Operation operation)
    {
        var response = await SendAsync(Client(), operation);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("X-Api-Key"));
    }

    [TestCaseSource(nameof(Operations))]
    public Task With_an_unknown_key_is_401(Operation operation) =>
        AssertRefusedAsync(Client("cak_000000000000_" + new string('A', 43)), operation, HttpStatusCode.Unauthorized, "unauthorized");

    [TestCaseSource(nameof(Operations))]
    public Task With_a_malformed_key_is_401(Operation operation) =>
        AssertRefusedAsync(Client("not-a-key"), operation, HttpStatusCode.Unauthorized, "unauthorized");

    [TestCaseSource(nameof(Operations))]
    public async Task Without_the_scope_is_403(Operation operation)
    {
        // A platform operation refuses even a key with every organisation scope; others refuse a key with every other scope.
        var scopes = Scopes.Assignable.Where(s => s != operation.Scope).ToArray();
        await AssertRefusedAsync(await _tenant.ClientWithAsync(scopes), operation, HttpStatusCode.Forbidden, "forbidden");
    }

    [TestCaseSource(nameof(OperationsOnOrganisationData))]
    public async Task For_another_organisations_data_is_404(Operation operation) =>
        await AssertRefusedAsync(await _otherTenant.ClientWithAsync([.. Scopes.Assignable]), operation, HttpStatusCode.NotFound, "not-found");

    [TestCaseSource(nameof(OperationsOnSchools))]
    public async Task For_a_school_the_client_is_not_limited_to_is_refused(Operation operation)
    {
        var client = await _tenant.ClientWithAsync([.. Scopes.Assignable], [_tenant.SchoolIds[1]]);
        if (operation.OtherSchool == OtherSchool.NotFound)
        {
            await AssertRefusedAsync(client, operation, HttpStatusCode.NotFound, "not-found");
        }
        else
        {
            await AssertRefusedAsync(client, operation, HttpStatusCode.Forbidden, "forbidden");
        }
    }

    [Test]
    public async Task A_revoked_key_is_401_from_the_next_request_on()
    {
        var key = await _tenant.CreateKeyAsync([Scopes.RosterRead]);
        var client = Client(key);
        Assert.That((await client.GetAsync("/v1/schools")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var id = await Factory.QueryAsync(db => db.ApiClients.Where(c => c.KeyPrefix == key.Substring(0, 16)).Select(c => c.Id).SingleAsync());
        Assert.That((await _tenant.Admin().DeleteAsync($"/v1/api-clients/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await AssertProblemAsync(await client.GetAsync("/v1/schools"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Test]
    public void Every_v1_endpoint_is_in_the_table()
    {
        var mapped = Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(m => $"{m} {ConstraintPattern().Replace(e.RoutePattern.RawText!, "").TrimEnd('/')}"))
            .ToHashSet();
        Assert.That(Operations.Select(o => o.ToString()), Is.EquivalentTo(mapped));
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@":\w+(\([^)]*\))?")]
    private static partial Regex ConstraintPattern();
}
