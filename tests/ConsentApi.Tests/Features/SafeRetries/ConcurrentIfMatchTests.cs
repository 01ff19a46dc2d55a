using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.SafeRetries;

/// <summary>
/// Changes sent at the same moment by 2 and by 20 writers holding the same <c>If-Match</c>, through one API instance and
/// through two on the same database: exactly one wins, and every loser's 412 names the winner's version, so that it can
/// decide and retry with one request. Guardian links alike, also while writers without <c>If-Match</c> change the same
/// link; and roster syncs, which take no precondition, each apply whole.
/// </summary>
public sealed class ConcurrentIfMatchTests : TwoInstanceTest
{
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
        Assert.That(response.Headers.ETag, Is.Not.Null);
        return response.Headers.ETag!.ToString();
    }

    private static long VersionOf(string? tag) => long.Parse(tag!.Trim('"'), CultureInfo.InvariantCulture);

    private static string Statuses(IEnumerable<HttpResponseMessage> responses) => string.Join(", ", responses.Select(r => (int)r.StatusCode));

    /// <summary>
    /// Exactly one of <paramref name="responses"/> succeeded; every other is a 412 whose ETag header and body name the
    /// winner's version or a later one (no other writer here, so the winner's), which is also what a GET returns now.
    /// </summary>
    private static async Task<HttpResponseMessage> AssertOneWinsAndLosersLearnItsVersionAsync(
        HttpResponseMessage[] responses, HttpClient reader, string read)
    {
        Assert.That(responses.Count(r => r.IsSuccessStatusCode), Is.EqualTo(1), Statuses(responses));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed), Is.EqualTo(responses.Length - 1), Statuses(responses));
        var winner = responses.Single(r => r.IsSuccessStatusCode);
        var won = await TagOfAsync(winner);
        foreach (var loser in responses.Where(r => r.StatusCode == HttpStatusCode.PreconditionFailed))
        {
            var problem = await AssertProblemAsync(loser, HttpStatusCode.PreconditionFailed, "precondition-failed");
            Assert.That(loser.Headers.ETag, Is.Not.Null, "a loser's 412 carries the current version");
            Assert.That(VersionOf(loser.Headers.ETag!.ToString()), Is.GreaterThanOrEqualTo(VersionOf(won)), "the winner's version or a later one");
            Assert.That(loser.Headers.ETag.ToString(), Is.EqualTo(won), "nobody else wrote: the winner's");
            Assert.That((string?)problem["currentETag"], Is.EqualTo(loser.Headers.ETag.ToString()));
        }
        Assert.That(await TagOfAsync(await reader.GetAsync(read)), Is.EqualTo(won));
        return winner;
    }

    [TestCase(2, 1)]
    [TestCase(20, 1)]
    [TestCase(2, 2)]
    [TestCase(20, 2)]
    public async Task Guardian_renames_with_the_same_if_match_at_once_one_wins_and_every_loser_gets_its_etag(int writers, int instances)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var guardianId = await CreateGuardianAsync(tenant.Full(), "Anna de Vries", "O-anna");
        var path = $"/v1/guardians/{guardianId}";
        var tag = await TagOfAsync(await tenant.Full().GetAsync(path));

        var responses = await AllAtOnceAsync(writers, i => SendAsync(Writer(tenant.FullKey, i, instances), HttpMethod.Put, path,
            new { externalId = "O-anna", displayName = $"Anna {i}" }, tag));

        var winner = await AssertOneWinsAndLosersLearnItsVersionAsync(responses, tenant.Full(), path);
        var name = (string?)(await winner.ReadObjectAsync())["displayName"];
        Assert.That(await Factory.QueryAsync(db => db.Guardians.Where(g => g.Id == guardianId).Select(g => g.DisplayName).SingleAsync()), Is.EqualTo(name));

        // A loser retries with the tag its 412 gave it, in one request.
        var loser = responses.First(r => r.StatusCode == HttpStatusCode.PreconditionFailed);
        var retried = await SendAsync(tenant.Full(), HttpMethod.Put, path, new { externalId = "O-anna", displayName = "Anna Jansen" },
            loser.Headers.ETag!.ToString());
        Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.OK), await retried.Content.ReadAsStringAsync());
    }

    [TestCase(2, 1)]
    [TestCase(20, 1)]
    [TestCase(2, 2)]
    [TestCase(20, 2)]
    public async Task Link_changes_with_the_same_if_match_at_once_one_wins_and_every_loser_gets_its_etag(int writers, int instances)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var pupilId = await CreatePupilAsync(tenant.Full(), tenant.SchoolId, "Sem de Vries");
        var guardianId = await CreateGuardianAsync(tenant.Full(), "Anna de Vries");
        await LinkAsync(tenant.Full(), pupilId, guardianId, hasParentalAuthority: true);
        var path = $"/v1/pupils/{pupilId}/guardians/{guardianId}";
        var tag = await TagOfAsync(await tenant.Full().GetAsync(path));

        // Every writer changes the link (authority true to false): the first to commit makes the others' tag stale.
        var responses = await AllAtOnceAsync(writers, i => SendAsync(Writer(tenant.FullKey, i, instances), HttpMethod.Put, path,
            new { hasParentalAuthority = false }, tag));

        await AssertOneWinsAndLosersLearnItsVersionAsync(responses, tenant.Full(), path);
        Assert.That(await Factory.QueryAsync(db => db.GuardianLinks.Where(l => l.PupilId == pupilId).Select(l => l.HasParentalAuthority).SingleAsync()),
            Is.False);
    }

    [TestCase(2, 1)]
    [TestCase(20, 1)]
    [TestCase(20, 2)]
    public async Task Link_removals_with_the_same_if_match_at_once_remove_it_once_and_the_others_find_it_gone(int writers, int instances)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var pupilId = await CreatePupilAsync(tenant.Full(), tenant.SchoolId, "Sem de Vries");
        var guardianId = await CreateGuardianAsync(tenant.Full(), "Anna de Vries");
        await LinkAsync(tenant.Full(), pupilId, guardianId);
        var path = $"/v1/pupils/{pupilId}/guardians/{guardianId}";
        var tag = await TagOfAsync(await tenant.Full().GetAsync(path));

        var responses = await AllAtOnceAsync(writers, i => SendAsync(Writer(tenant.FullKey, i, instances), HttpMethod.Delete, path, null, tag));

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.NoContent), Is.EqualTo(1), Statuses(responses));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.NotFound), Is.EqualTo(writers - 1), Statuses(responses));
        Assert.That(await Factory.QueryAsync(db => db.GuardianLinks.AnyAsync(l => l.PupilId == pupilId)), Is.False);
    }

    [TestCase(2, 1)]
    [TestCase(20, 1)]
    [TestCase(20, 2)]
    public async Task Link_changes_with_and_without_if_match_at_once_are_refused_only_by_a_stale_tag(int writers, int instances)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var pupilId = await CreatePupilAsync(tenant.Full(), tenant.SchoolId, "Sem de Vries");
        var guardianId = await CreateGuardianAsync(tenant.Full(), "Anna de Vries");
        await LinkAsync(tenant.Full(), pupilId, guardianId, hasParentalAuthority: true);
        var path = $"/v1/pupils/{pupilId}/guardians/{guardianId}";
        var tag = await TagOfAsync(await tenant.Full().GetAsync(path));

        // Even writers hold the tag, odd ones send none; each sets the authority its turn gives, so most of them change it.
        var responses = await AllAtOnceAsync(writers, i => SendAsync(Writer(tenant.FullKey, i, instances), HttpMethod.Put, path,
            new { hasParentalAuthority = i % 4 >= 2 }, i % 2 == 0 ? tag : null));

        var plain = responses.Where((_, i) => i % 2 == 1).ToList();
        var conditional = responses.Where((_, i) => i % 2 == 0).ToList();
        // A change with If-Match waits for the pupil as every link change does, never for the link while holding what
        // another waits for: a deadlock PostgreSQL broke would answer one of these 503.
        Assert.That(plain.Select(r => (int)r.StatusCode), Is.All.EqualTo(200), Statuses(plain));
        Assert.That(conditional.Select(r => (int)r.StatusCode), Is.All.AnyOf(200, 412), Statuses(conditional));
        foreach (var loser in conditional.Where(r => r.StatusCode == HttpStatusCode.PreconditionFailed))
        {
            Assert.That(loser.Headers.ETag, Is.Not.Null);
            Assert.That(VersionOf(loser.Headers.ETag!.ToString()), Is.GreaterThan(VersionOf(tag)), "a version after the one the writer held");
        }
    }

    [TestCase(2, 1)]
    [TestCase(20, 1)]
    [TestCase(2, 2)]
    [TestCase(20, 2)]
    public async Task Full_roster_syncs_of_one_school_at_once_all_succeed_and_the_school_ends_as_one_of_them(int writers, int instances)
    {
        var tenant = await CreateTenantAsync(schools: 1);
        // Roster i: every pupil named after it, in group i % 2, linked to guardian A or B as i says.
        object Roster(int i) => new
        {
            groups = new[] { new { externalId = "G0", name = "Groep 5a", schoolYear = "2026-2027" }, new { externalId = "G1", name = "Groep 5b", schoolYear = "2026-2027" } },
            pupils = Enumerable.Range(1, 5).Select(p => new
            {
                externalId = $"P{p}", displayName = $"Leerling {p} uit rooster {i}", dateOfBirth = "2016-03-01", groupExternalId = $"G{i % 2}",
                guardians = new[] { new { externalId = i % 3 == 0 ? "A" : "B", hasParentalAuthority = i % 2 == 0 } },
            }).ToArray(),
            guardians = new[] { new { externalId = "A", displayName = "Ouder A" }, new { externalId = "B", displayName = "Ouder B" } },
        };

        var responses = await AllAtOnceAsync(writers, i =>
            Writer(tenant.FullKey, i, instances).PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", Roster(i)));

        Assert.That(responses.Select(r => (int)r.StatusCode), Is.All.EqualTo(200), Statuses(responses));
        var pupils = await Factory.QueryAsync(db => db.Pupils.Where(p => p.SchoolId == tenant.SchoolId)
            .Select(p => new
            {
                p.DisplayName,
                Group = db.Groups.Where(g => g.Id == p.GroupId).Select(g => g.ExternalId).Single(),
                Links = db.GuardianLinks.Where(l => l.PupilId == p.Id)
                    .Join(db.Guardians, l => l.GuardianId, g => g.Id, (l, g) => new { g.ExternalId, l.HasParentalAuthority }).ToList(),
            }).ToListAsync());
        Assert.That(pupils, Has.Count.EqualTo(5));
        var last = int.Parse(pupils[0].DisplayName.Split(' ')[^1], CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            foreach (var pupil in pupils)
            {
                Assert.That(pupil.DisplayName, Does.EndWith($"rooster {last}"), "every pupil as one roster has them");
                Assert.That(pupil.Group, Is.EqualTo($"G{last % 2}"));
                Assert.That(pupil.Links.Select(l => (l.ExternalId, l.HasParentalAuthority)),
                    Is.EqualTo(new[] { (last % 3 == 0 ? "A" : "B", last % 2 == 0) }), "exactly that roster's links");
            }
        });
    }
}
