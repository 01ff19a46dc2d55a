using System.Net;
using System.Net.Http.Json;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.SafeRetries;

/// <summary>
/// A pupil's guardian link as a resource of its own: read with its <c>ETag</c>, changed and removed with <c>If-Match</c>.
/// Its tag is the link's version alone, apart from the pupil's and the guardian's, and a roster sync that changes the
/// link changes it.
/// </summary>
public sealed class GuardianLinkTagTests : ApiTest
{
    private static string LinkPath(Guid pupilId, Guid guardianId) => $"/v1/pupils/{pupilId}/guardians/{guardianId}";

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body, string? ifMatch)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    private static async Task<string> TagOfAsync(HttpResponseMessage response)
    {
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.ETag, Is.Not.Null, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} carries an ETag");
        Assert.That(response.Headers.ETag!.IsWeak, Is.False);
        return response.Headers.ETag.ToString();
    }

    private async Task<(Tenant Tenant, Guid PupilId, Guid GuardianId)> LinkedAsync()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var client = tenant.Full();
        var pupilId = await CreatePupilAsync(client, tenant.SchoolId, "Sem de Vries");
        var guardianId = await CreateGuardianAsync(client, "Anna de Vries");
        await LinkAsync(client, pupilId, guardianId);
        return (tenant, pupilId, guardianId);
    }

    private Task<bool?> AuthorityAsync(Guid pupilId, Guid guardianId) => Factory.QueryAsync(db => db.GuardianLinks
        .Where(l => l.PupilId == pupilId && l.GuardianId == guardianId).Select(l => (bool?)l.HasParentalAuthority).SingleOrDefaultAsync());

    [Test]
    public async Task A_link_reads_with_its_etag_and_a_change_answers_with_the_new_one()
    {
        var (tenant, pupilId, guardianId) = await LinkedAsync();
        var client = tenant.Full();
        var path = LinkPath(pupilId, guardianId);

        var read = await client.GetAsync(path);
        var first = await TagOfAsync(read);
        var body = await read.ReadObjectAsync();
        Assert.That((Guid?)body["guardianId"], Is.EqualTo(guardianId));
        Assert.That((string?)body["displayName"], Is.EqualTo("Anna de Vries"));
        Assert.That((bool?)body["hasParentalAuthority"], Is.True);
        Assert.That(await TagOfAsync(await client.GetAsync(path)), Is.EqualTo(first), "unchanged, the same tag");

        var unchanged = await SendAsync(client, HttpMethod.Put, path, new { hasParentalAuthority = true }, ifMatch: first);
        Assert.That(await TagOfAsync(unchanged), Is.EqualTo(first), "a link set to what it is keeps its tag");

        var changed = await SendAsync(client, HttpMethod.Put, path, new { hasParentalAuthority = false }, ifMatch: first);
        var second = await TagOfAsync(changed);
        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That(await TagOfAsync(await client.GetAsync(path)), Is.EqualTo(second));
        Assert.That(await AuthorityAsync(pupilId, guardianId), Is.False);
    }

    [Test]
    public async Task A_stale_if_match_on_a_link_is_a_412_with_the_current_etag_and_retrying_with_it_succeeds()
    {
        var (tenant, pupilId, guardianId) = await LinkedAsync();
        var client = tenant.Full();
        var path = LinkPath(pupilId, guardianId);
        var stale = await TagOfAsync(await client.GetAsync(path));
        await LinkAsync(client, pupilId, guardianId, hasParentalAuthority: false);

        var refused = await SendAsync(client, HttpMethod.Put, path, new { hasParentalAuthority = true }, ifMatch: stale);

        var problem = await AssertProblemAsync(refused, HttpStatusCode.PreconditionFailed, "precondition-failed");
        var current = refused.Headers.ETag?.ToString();
        Assert.That(current, Is.EqualTo(await TagOfAsync(await client.GetAsync(path))), "the 412 names the version a GET returns now");
        Assert.That((string?)problem["currentETag"], Is.EqualTo(current));
        Assert.That(await AuthorityAsync(pupilId, guardianId), Is.False, "nothing was changed");

        var retried = await SendAsync(client, HttpMethod.Put, path, new { hasParentalAuthority = true }, ifMatch: current);
        Assert.That(await TagOfAsync(retried), Is.Not.EqualTo(current));
        Assert.That(await AuthorityAsync(pupilId, guardianId), Is.True);
    }

    [Test]
    public async Task Removing_a_link_with_a_stale_if_match_is_a_412_that_keeps_it_and_with_the_current_one_removes_it()
    {
        var (tenant, pupilId, guardianId) = await LinkedAsync();
        var client = tenant.Full();
        var path = LinkPath(pupilId, guardianId);
        var stale = await TagOfAsync(await client.GetAsync(path));
        var current = await TagOfAsync(await SendAsync(client, HttpMethod.Put, path, new { hasParentalAuthority = false }, ifMatch: null));

        var refused = await SendAsync(client, HttpMethod.Delete, path, null, ifMatch: stale);

        await AssertProblemAsync(refused, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.That(refused.Headers.ETag?.ToString(), Is.EqualTo(current));
        Assert.That(await AuthorityAsync(pupilId, guardianId), Is.False, "the link is kept");

        var removed = await SendAsync(client, HttpMethod.Delete, path, null, ifMatch: current);
        Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await removed.Content.ReadAsStringAsync());
        Assert.That(removed.Headers.ETag, Is.Null, "a removed link has no version");
        await AssertProblemAsync(await client.GetAsync(path), HttpStatusCode.NotFound, "not-found");
        Assert.That(await AuthorityAsync(pupilId, guardianId), Is.Null);
    }

    [Test]
    public async Task A_links_tag_is_its_own_apart_from_the_pupils_and_the_guardians()
    {
        var (tenant, pupilId, guardianId) = await LinkedAsync();
        var client = tenant.Full();
        var path = LinkPath(pupilId, guardianId);
        var linkTag = await TagOfAsync(await client.GetAsync(path));
        var pupilTag = await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}"));
        var guardianTag = await TagOfAsync(await client.GetAsync($"/v1/guardians/{guardianId}"));

        await LinkAsync(client, pupilId, guardianId, hasParentalAuthority: false);
        Assert.That(await TagOfAsync(await client.GetAsync($"/v1/pupils/{pupilId}")), Is.EqualTo(pupilTag), "the pupil's tag versions its own fields");
        Assert.That(await TagOfAsync(await client.GetAsync($"/v1/guardians/{guardianId}")), Is.EqualTo(guardianTag));
        var changedLink = await TagOfAsync(await client.GetAsync(path));
        Assert.That(changedLink, Is.Not.EqualTo(linkTag));

        var renamed = await SendAsync(client, HttpMethod.Put, $"/v1/guardians/{guardianId}",
            new { externalId = (string?)(await (await client.GetAsync($"/v1/guardians/{guardianId}")).ReadObjectAsync())["externalId"], displayName = "Anna Jansen" },
            ifMatch: guardianTag);
        await TagOfAsync(renamed);
        var afterRename = await client.GetAsync(path);
        Assert.That(await TagOfAsync(afterRename), Is.EqualTo(changedLink), "renaming the guardian leaves the link's version");
        Assert.That((string?)(await afterRename.ReadObjectAsync())["displayName"], Is.EqualTo("Anna Jansen"));
    }

    [Test]
    public async Task A_roster_sync_that_changes_a_link_gives_it_a_new_etag_and_an_unchanged_one_keeps_it()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var client = tenant.Full();
        object Roster(bool authority) => new
        {
            groups = new[] { new { externalId = "G1", name = "Groep 5b", schoolYear = "2026-2027" } },
            pupils = new[] { new { externalId = "P1", displayName = "Sem de Vries", dateOfBirth = "2016-03-01", groupExternalId = "G1",
                guardians = new[] { new { externalId = "A", hasParentalAuthority = authority } } } },
            guardians = new[] { new { externalId = "A", displayName = "Anna de Vries" } },
        };
        Assert.That((await client.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster(true))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var (pupilId, guardianId) = await Factory.QueryAsync(async db =>
        {
            var link = await db.GuardianLinks.Join(db.Pupils.Where(p => p.SchoolId == tenant.SchoolId), l => l.PupilId, p => p.Id, (l, _) => l).SingleAsync();
            return (link.PupilId, link.GuardianId);
        });
        var path = LinkPath(pupilId, guardianId);
        var before = await TagOfAsync(await client.GetAsync(path));

        Assert.That((await client.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster(true))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await TagOfAsync(await client.GetAsync(path)), Is.EqualTo(before), "an unchanged re-sync keeps the link's tag");

        Assert.That((await client.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster(false))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var refused = await SendAsync(client, HttpMethod.Put, path, new { hasParentalAuthority = true }, ifMatch: before);
        await AssertProblemAsync(refused, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.That(refused.Headers.ETag?.ToString(), Is.EqualTo(await TagOfAsync(await client.GetAsync(path))).And.Not.EqualTo(before),
            "the sync's change is the version the 412 names");
        Assert.That(await AuthorityAsync(pupilId, guardianId), Is.False);
    }

    [Test]
    public async Task Another_tenants_if_match_on_a_link_is_a_404_not_a_412()
    {
        var (tenant, pupilId, guardianId) = await LinkedAsync();
        var path = LinkPath(pupilId, guardianId);
        var tag = await TagOfAsync(await tenant.Full().GetAsync(path));
        var other = await CreateTenantAsync(schools: 1);

        var read = await other.Full().GetAsync(path);
        await AssertProblemAsync(read, HttpStatusCode.NotFound, "not-found");
        Assert.That(read.Headers.ETag, Is.Null);
        foreach (var (method, body) in new (HttpMethod, object?)[] { (HttpMethod.Put, new { hasParentalAuthority = false }), (HttpMethod.Delete, null) })
        {
            var response = await SendAsync(other.Full(), method, path, body, ifMatch: "\"1\"");
            await AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
            Assert.That(response.Headers.ETag, Is.Null, $"{method}: nothing about the link shows through");
        }
        Assert.That(await AuthorityAsync(pupilId, guardianId), Is.True);
        Assert.That(await TagOfAsync(await tenant.Full().GetAsync(path)), Is.EqualTo(tag));
    }
}
