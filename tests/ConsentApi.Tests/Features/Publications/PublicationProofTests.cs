using System.Net;
using System.Text.Json.Nodes;
using ConsentApi.Domain.Publishing;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Publications;

/// <summary>
/// A publication keeps the check it relied on (GDPR art. 7(1), 5(2); design rule 9): registration stores consent at
/// <c>publishedAt</c> as the record stood at registration, the database refuses to change it, and GET shows it beside the
/// same check as known now, so a refusal keyed in later but dated before publication shows as a difference.
/// </summary>
public sealed class PublicationProofTests : ApiTest
{
    private static readonly string[] AskedItems = ["photo:website", "photo:social-media"];

    /// <summary>A tenant with a form published 30 days ago and two pupils, each with one guardian who granted on paper 20 days ago.</summary>
    private sealed record Class(Tenant Tenant, Guid VersionId, Guid[] Pupils, Guid[] Guardians)
    {
        public HttpClient Full() => Tenant.Full();
    }

    private async Task<Class> ClassAsync()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var versionId = (Guid)(await PublishFormAsync(tenant.Admin(), AskedItems))["id"]!;
        await BackdateFormAsync(Factory, versionId, Now.AddDays(-30));
        var pupils = new Guid[2];
        var guardians = new Guid[2];
        for (var i = 0; i < 2; i++)
        {
            pupils[i] = await CreatePupilAsync(full, tenant.SchoolId, $"Leerling {i}");
            guardians[i] = await CreateGuardianAsync(full, $"Ouder {i}");
            await LinkAsync(full, pupils[i], guardians[i]);
            await DecideAsync(full, pupils[i], versionId, guardians[i], "granted", AskedItems, Now.AddDays(-20));
        }
        return new Class(tenant, versionId, pupils, guardians);
    }

    private static string[] PupilStates(JsonNode? check) =>
        [.. check!["pupils"]!.AsArray().Select(p => $"{p!["pupilId"]} {p["state"]} {p["reason"]} {p["allowed"]}")];

    private static string State(Guid pupilId, string state, string reason, bool allowed) =>
        $"{pupilId} {state} {reason} {(allowed ? "true" : "false")}";

    private Task<PublicationCheck?> StoredCheckAsync(Guid publicationId) =>
        Factory.QueryAsync(db => db.Set<PublicationCheck>().AsNoTracking().Include(c => c.Pupils)
            .SingleOrDefaultAsync(c => c.PublicationId == publicationId));

    [Test]
    public async Task Registering_a_publication_stores_the_check_it_relied_on_with_its_moments_and_each_pupils_state()
    {
        var c = await ClassAsync();
        var full = c.Full();
        var publishedAt = Now.AddDays(-2);
        var before = Now;

        var publication = await RegisterAsync(full, c.Tenant.SchoolId, "website", "photo", c.Pupils, publishedAt);

        var id = (Guid)publication["id"]!;
        var check = publication["asKnownThen"];
        Assert.That(check, Is.Not.Null, publication.ToJsonString());
        var checkId = (Guid)check!["checkId"]!;
        var granted = c.Pupils.Order().Select(p => State(p, "granted", "granted-by-guardian", true)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)publication["checkId"], Is.EqualTo(checkId));
            Assert.That((bool?)publication["allowedAsKnownThen"], Is.True);
            Assert.That((bool?)check["allowed"], Is.True);
            Assert.That(Moment(check["at"]), Is.EqualTo(Moment(publication["publishedAt"])), "checked at the moment of publication");
            Assert.That(Moment(check["at"]), Is.EqualTo(publishedAt).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(Moment(check["asKnownAt"]), Is.EqualTo(Moment(publication["registeredAt"])), "as the record stood at registration");
            Assert.That(Moment(check["asKnownAt"]), Is.GreaterThanOrEqualTo(before.AddMilliseconds(-1)));
            Assert.That((string?)check["mediaType"], Is.EqualTo("photo"));
            Assert.That((string?)check["channel"], Is.EqualTo("website"));
            Assert.That((bool?)check["publishedWithoutCheck"], Is.False);
            Assert.That(PupilStates(check), Is.EqualTo(granted));
        });

        var stored = await StoredCheckAsync(id);
        Assert.That(stored, Is.Not.Null, "the check is written with the publication");
        Assert.Multiple(() =>
        {
            Assert.That(stored!.Id, Is.EqualTo(checkId));
            Assert.That(stored.OrganisationId, Is.EqualTo(c.Tenant.OrganisationId));
            Assert.That(stored.At, Is.EqualTo(Moment(check["at"])));
            Assert.That(stored.AsKnownAt, Is.EqualTo(Moment(check["asKnownAt"])));
            Assert.That(stored.Allowed, Is.True);
            Assert.That(stored.Pupils.OrderBy(p => p.PupilId).Select(p => State(p.PupilId, "granted", p.Reason, p.Allowed)), Is.EqualTo(granted));
            Assert.That(stored.Pupils.Select(p => p.State.ToString()), Is.All.EqualTo("Granted"));
        });

        var read = await GetAsync(full, $"/v1/publications/{id}");
        Assert.Multiple(() =>
        {
            Assert.That(read["asKnownThen"]!.ToJsonString(), Is.EqualTo(check.ToJsonString()), "GET shows the stored check unchanged");
            Assert.That((bool?)read["asKnownNow"]!["allowed"], Is.True);
            Assert.That(PupilStates(read["asKnownNow"]), Is.EqualTo(granted));
        });

        var listed = (await ItemsAsync(full, "/v1/publications")).Single(p => (Guid)p!["id"]! == id)!;
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)listed["checkId"], Is.EqualTo(checkId), "lists carry the stored check's id");
            Assert.That((bool?)listed["allowedAsKnownThen"], Is.True);
            Assert.That(listed["asKnownThen"], Is.Null, "lists carry only the summary");
            Assert.That(listed["asKnownNow"], Is.Null, "lists do not evaluate consent");
        });
    }

    [Test]
    public async Task A_late_keyed_refusal_dated_before_publication_shows_as_known_now_not_as_known_then_and_opens_a_takedown()
    {
        var c = await ClassAsync();
        var full = c.Full();
        var publishedAt = Now.AddDays(-2);
        var publication = await RegisterAsync(full, c.Tenant.SchoolId, "website", "photo", c.Pupils, publishedAt);
        var id = (Guid)publication["id"]!;
        Assert.That(await OpenTakedownsAsync(full), Is.Empty);

        // A paper refusal signed three days ago, before the item went online, keyed in only now.
        var refusal = await DecideAsync(full, c.Pupils[1], c.VersionId, c.Guardians[1], "refused", ["photo:website"], Now.AddDays(-3));

        var open = await OpenTakedownsAsync(full);
        Assert.That(open, Has.Count.EqualTo(1), open.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((Guid?)open[0]!["publicationId"], Is.EqualTo(id));
            Assert.That(PupilsOf(open[0]!), Is.EqualTo(new[] { Pupil(c.Pupils[1], "refused", "refused-by-guardian") }));
        });

        var read = await GetAsync(full, $"/v1/publications/{id}");
        var then = read["asKnownThen"];
        var now = read["asKnownNow"];
        Assert.That(then, Is.Not.Null, read.ToJsonString());
        Assert.That(now, Is.Not.Null, read.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((bool?)then!["allowed"], Is.True, "lawful as known when it was published");
            Assert.That(PupilStates(then), Does.Contain(State(c.Pupils[1], "granted", "granted-by-guardian", true)));
            Assert.That((bool?)now!["allowed"], Is.False, "not allowed as known now");
            Assert.That(PupilStates(now), Is.EquivalentTo(new[]
            {
                State(c.Pupils[0], "granted", "granted-by-guardian", true),
                State(c.Pupils[1], "refused", "refused-by-guardian", false),
            }));
            Assert.That(Moment(now["at"]), Is.EqualTo(Moment(read["publishedAt"])), "both answer for the moment of publication");
            Assert.That(Moment(then["at"]), Is.EqualTo(Moment(read["publishedAt"])));
            Assert.That(Moment(now["asKnownAt"]), Is.GreaterThanOrEqualTo(Moment(refusal["decisions"]![0]!["recordedAt"])));
            Assert.That(Moment(then["asKnownAt"]), Is.LessThan(Moment(refusal["decisions"]![0]!["recordedAt"])));
            Assert.That((bool?)read["allowedAsKnownThen"], Is.True);
        });

        var stored = await StoredCheckAsync(id);
        Assert.That(stored!.Pupils.Single(p => p.PupilId == c.Pupils[1]).Allowed, Is.True, "the stored check is not rewritten");
    }

    [Test]
    public async Task A_publication_registered_without_check_keeps_the_refusing_check_it_went_ahead_against()
    {
        var c = await ClassAsync();
        var full = c.Full();
        var noAnswer = await CreatePupilAsync(full, c.Tenant.SchoolId, "Zonder Antwoord");
        await LinkAsync(full, noAnswer, await CreateGuardianAsync(full, "Ouder Zonder Antwoord"));

        var publication = await RegisterAsync(full, c.Tenant.SchoolId, "social-media", "photo", [c.Pupils[0], noAnswer],
            publishedWithoutCheck: true);

        var check = publication["asKnownThen"];
        Assert.That(check, Is.Not.Null, publication.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That((bool?)check!["allowed"], Is.False);
            Assert.That((bool?)check["publishedWithoutCheck"], Is.True);
            Assert.That((bool?)publication["allowedAsKnownThen"], Is.False);
            Assert.That(PupilStates(check), Is.EquivalentTo(new[]
            {
                State(c.Pupils[0], "granted", "granted-by-guardian", true),
                State(noAnswer, "pending", "no-answer", false),
            }));
        });
        var stored = await StoredCheckAsync((Guid)publication["id"]!);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.Allowed, Is.False);
            Assert.That(stored.PublishedWithoutCheck, Is.True);
        });
    }

    [Test]
    public async Task A_refused_registration_stores_no_check()
    {
        var c = await ClassAsync();
        var full = c.Full();
        var noAnswer = await CreatePupilAsync(full, c.Tenant.SchoolId, "Zonder Antwoord");

        await AssertProblemAsync(await SendRegisterAsync(full, c.Tenant.SchoolId, "website", "photo", [c.Pupils[0], noAnswer]),
            HttpStatusCode.Conflict, "conflict");

        Assert.That(await Factory.QueryAsync(db => db.Set<PublicationCheck>().CountAsync(x => x.OrganisationId == c.Tenant.OrganisationId)),
            Is.Zero);
    }

    private async Task AsOwnerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionStringOf(Factory.ConnectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [TestCase("UPDATE publication_checks SET allowed = NOT allowed WHERE publication_id = '{0}'")]
    [TestCase("DELETE FROM publication_checks WHERE publication_id = '{0}'")]
    [TestCase("UPDATE publication_check_pupils SET state = 'Refused' WHERE check_id IN (SELECT id FROM publication_checks WHERE publication_id = '{0}')")]
    [TestCase("DELETE FROM publication_check_pupils WHERE check_id IN (SELECT id FROM publication_checks WHERE publication_id = '{0}')")]
    [TestCase("TRUNCATE publication_check_pupils, publication_checks")]
    public async Task The_database_refuses_to_change_or_delete_a_stored_publication_check(string statement)
    {
        var c = await ClassAsync();
        var publication = await RegisterAsync(c.Full(), c.Tenant.SchoolId, "website", "photo", c.Pupils);
        var id = (Guid)publication["id"]!;
        var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, id);

        var asApi = Assert.ThrowsAsync<PostgresException>(() => Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(sql)));
        var asOwner = Assert.ThrowsAsync<PostgresException>(() => AsOwnerAsync(sql));

        Assert.Multiple(() =>
        {
            Assert.That(asApi!.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), "the API's role may only insert and read");
            Assert.That(asOwner!.SqlState, Is.EqualTo(PostgresErrorCodes.RestrictViolation), asOwner.Message);
            Assert.That(asOwner.MessageText, Does.Contain("append-only"));
        });
        var stored = await StoredCheckAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.Not.Null);
            Assert.That(stored!.Allowed, Is.True);
            Assert.That(stored.Pupils.Select(p => p.State.ToString()), Is.EqualTo(new[] { "Granted", "Granted" }));
        });
    }
}
