using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Takedowns;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Publications;

/// <summary>
/// A pupil shown unrecognisable (blurred, from behind) needs no consent: registering is allowed, declared with the proof,
/// and the pupil's consent ending takes nothing down. The check can answer for a photo as a whole: allowed or blur.
/// </summary>
public sealed class RecognisabilityTests : ApiTest
{
    private static readonly string[] Items = ["photo:website"];

    /// <summary>A tenant with a form asking <see cref="Items"/>; the first pupil's guardian granted it, the second was never asked.</summary>
    private async Task<(Tenant Tenant, Guid VersionId, Guid Granted, Guid GrantedGuardian, Guid NotAsked)> ClassAsync()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(tenant.Admin(), Items))["id"]!;
        var granted = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var guardian = await CreateGuardianAsync(full, "Ouder de Vries");
        await LinkAsync(full, granted, guardian);
        await DecideAsync(full, granted, versionId, guardian, "granted", Items);
        var notAsked = await CreatePupilAsync(full, tenant.SchoolId, "Daan Bakker");
        return (tenant, versionId, granted, guardian, notAsked);
    }

    [Test]
    public async Task A_blurred_pupil_without_consent_can_be_published_and_is_recorded_as_declared_in_the_proof()
    {
        var c = await ClassAsync();
        var full = c.Tenant.Full();

        var response = await SendRegisterAsync(full, c.Tenant.SchoolId, "website", "photo", [c.Granted, c.NotAsked],
            unrecognisablePupilIds: [c.NotAsked], declaredBy: "M. Jansen, communicatie");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var id = (Guid)(await response.ReadObjectAsync())["id"]!;
        var publication = await GetAsync(full, $"/v1/publications/{id}");
        var proof = publication["asKnownThen"]!;
        var registeredBy = await Factory.QueryAsync(db => db.Publications.Where(p => p.Id == id).Select(p => p.RegisteredByClientId).SingleAsync());
        Assert.Multiple(() =>
        {
            Assert.That(publication["unrecognisablePupilIds"]!.AsArray().Select(p => (Guid)p!), Is.EqualTo(new[] { c.NotAsked }));
            Assert.That((bool?)publication["allowedAsKnownThen"], Is.True, "a blurred pupil needs no consent");
            Assert.That((bool?)publication["asKnownNow"]!["allowed"], Is.True);
            Assert.That(proof["unrecognisablePupilIds"]!.AsArray().Select(p => (Guid)p!), Is.EqualTo(new[] { c.NotAsked }));
            Assert.That((string?)proof["declaredBy"], Is.EqualTo("M. Jansen, communicatie"));
            Assert.That((Guid?)proof["declaredByClientId"], Is.EqualTo(registeredBy).And.Not.Null);
            Assert.That((string?)proof["pupils"]!.AsArray().Single(p => (Guid)p!["pupilId"]! == c.NotAsked)!["state"], Is.EqualTo("pending"),
                "the proof still says what consent was");
        });
        var stored = await Factory.QueryAsync(db => db.Set<PublicationCheck>().Where(k => k.PublicationId == id)
            .SelectMany(k => k.Pupils).Where(p => !p.Recognisable).Select(p => p.PupilId).ToListAsync());
        Assert.That(stored, Is.EqualTo(new[] { c.NotAsked }));
    }

    [Test]
    public async Task A_recognisable_pupil_without_consent_is_still_refused_with_409()
    {
        var c = await ClassAsync();
        var full = c.Tenant.Full();

        var response = await SendRegisterAsync(full, c.Tenant.SchoolId, "website", "photo", [c.Granted, c.NotAsked],
            unrecognisablePupilIds: [c.Granted]);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await response.Content.ReadAsStringAsync());
        var problem = await response.ReadObjectAsync();
        Assert.That(problem["pupils"]!.AsArray().Select(p => (Guid)p!["pupilId"]!), Is.EqualTo(new[] { c.NotAsked }));
        Assert.That(await Factory.QueryAsync(db => db.Publications.CountAsync(p => p.OrganisationId == c.Tenant.OrganisationId)), Is.Zero);
    }

    [Test]
    public async Task Declaring_a_pupil_unrecognisable_who_is_not_shown_is_a_400_and_registers_nothing()
    {
        var c = await ClassAsync();
        var full = c.Tenant.Full();

        var notShown = await SendRegisterAsync(full, c.Tenant.SchoolId, "website", "photo", [c.Granted], unrecognisablePupilIds: [c.NotAsked]);
        var nobodyDeclared = await SendRegisterAsync(full, c.Tenant.SchoolId, "website", "photo", [c.Granted], declaredBy: "M. Jansen");

        Assert.That(notShown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await notShown.Content.ReadAsStringAsync());
        Assert.That(ErrorKeys(await notShown.ReadObjectAsync()), Does.Contain("unrecognisablePupilIds"));
        Assert.That(nobodyDeclared.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await nobodyDeclared.Content.ReadAsStringAsync());
        Assert.That(ErrorKeys(await nobodyDeclared.ReadObjectAsync()), Does.Contain("declaredBy"));
        Assert.That(await Factory.QueryAsync(db => db.Publications.CountAsync(p => p.OrganisationId == c.Tenant.OrganisationId)), Is.Zero);
    }

    [Test]
    public async Task The_check_for_a_photo_as_a_whole_answers_allowed_or_blur_per_pupil()
    {
        var c = await ClassAsync();
        var full = c.Tenant.Full();
        var pupilIds = new[] { c.Granted, c.NotAsked };

        var blur = await full.PostAsJsonAsync("/v1/publication-checks",
            new { pupilIds, mediaType = "photo", channel = "website", answer = "per-pupil-blur" });
        var plain = await full.PostAsJsonAsync("/v1/publication-checks", new { pupilIds, mediaType = "photo", channel = "website" });

        Assert.That(blur.StatusCode, Is.EqualTo(HttpStatusCode.OK), await blur.Content.ReadAsStringAsync());
        var answer = await blur.ReadObjectAsync();
        var perPupil = answer["pupils"]!.AsArray().ToDictionary(p => (Guid)p!["pupilId"]!, p => (string?)p!["answer"]);
        Assert.Multiple(() =>
        {
            Assert.That((bool?)answer["allowed"], Is.True, "every pupil is allowed or blurred");
            Assert.That(perPupil[c.Granted], Is.EqualTo("allowed"));
            Assert.That(perPupil[c.NotAsked], Is.EqualTo("blur"));
        });
        var old = await plain.ReadObjectAsync();
        Assert.Multiple(() =>
        {
            Assert.That((bool?)old["allowed"], Is.False, "the default answer is unchanged");
            Assert.That(old["pupils"]!.AsArray().Select(p => p!["answer"]), Is.All.Null);
        });
    }

    [Test]
    public async Task A_withdrawal_opens_no_takedown_for_a_pupil_shown_blurred_and_the_sweep_ignores_them_too()
    {
        var c = await ClassAsync();
        var full = c.Tenant.Full();
        var blurred = await RegisterWith(full, c, unrecognisable: [c.Granted]);
        var recognisable = await RegisterWith(full, c, unrecognisable: []);

        await DecideAsync(full, c.Granted, c.VersionId, c.GrantedGuardian, "refused", Items);
        await Factory.Services.GetRequiredService<TakedownSweep>().SweepOnceAsync(CancellationToken.None);

        var open = await OpenTakedownsAsync(full);
        Assert.That(open.Select(t => (Guid)t!["publicationId"]!), Is.EqualTo(new[] { recognisable }), open.ToJsonString());
        Assert.That((string?)(await GetAsync(full, $"/v1/publications/{blurred}"))["status"], Is.EqualTo("online"));
    }

    private static async Task<Guid> RegisterWith(HttpClient client, (Tenant Tenant, Guid, Guid Granted, Guid, Guid) c, Guid[] unrecognisable)
    {
        var response = await SendRegisterAsync(client, c.Tenant.SchoolId, "website", "photo", [c.Granted],
            unrecognisablePupilIds: unrecognisable);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (Guid)(await response.ReadObjectAsync())["id"]!;
    }
}
