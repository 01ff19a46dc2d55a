using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ConsentApi.Domain;
using ConsentApi.Features.ApiClients;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentApi.Tests.Features.Access;

/// <summary>
/// Five requests a minute per client. The limiter lives as long as the fixture's app, so every test uses keys and IP
/// addresses of its own; organisations and keys are written straight to the database so that making them costs no requests.
/// </summary>
public sealed class RateLimitTests : ApiTest
{
    private const int Limit = 5;
    private static int _ip;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RateLimiting:PermitsPerMinute"] = Limit.ToString(CultureInfo.InvariantCulture),
    };

    private static string NewIp() => $"198.51.100.{Interlocked.Increment(ref _ip)}";

    private async Task<(Guid OrganisationId, Guid SchoolId)> SeedOrganisationAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var organisation = new Organisation { Name = Unique("Stichting Rate"), CreatedAt = now };
        var school = new School { OrganisationId = organisation.Id, Name = "OBS Rate", BrinCode = "10AB", CreatedAt = now };
        await Factory.QueryAsync(db =>
        {
            db.Organisations.Add(organisation);
            db.Schools.Add(school);
            return db.SaveChangesAsync();
        });
        return (organisation.Id, school.Id);
    }

    private async Task<string> SeedKeyAsync(Guid organisationId, params string[] scopes)
    {
        var (client, key) = ApiClientFactory.Create(organisationId, "Rate test", scopes, [], DateTimeOffset.UtcNow);
        await Factory.QueryAsync(db =>
        {
            db.ApiClients.Add(client);
            return db.SaveChangesAsync();
        });
        return key;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "<missing>";

    private static string Header(HttpContext context, string name) =>
        context.Response.Headers.TryGetValue(name, out var values) ? values.ToString() : "<missing>";

    /// <summary>A GET as if from <paramref name="ip"/>, optionally with an API key.</summary>
    private Task<HttpContext> FromIpAsync(string ip, string path, string? apiKey = null) =>
        Factory.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
            if (apiKey is not null)
            {
                context.Request.Headers["X-Api-Key"] = apiKey;
            }
        });

    private static async Task SpendAsync(HttpClient client, string path = "/v1/schools")
    {
        for (var i = 0; i < Limit; i++)
        {
            var response = await client.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        }
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage response)
    {
        await AssertProblemAsync(response, (HttpStatusCode)429, "too-many-requests");
        var retryAfter = Header(response, "Retry-After");
        Assert.That(retryAfter, Does.Match("^[0-9]+$"));
        Assert.That(int.Parse(retryAfter, CultureInfo.InvariantCulture), Is.InRange(1, 60));
        Assert.That((Header(response, "X-RateLimit-Limit"), Header(response, "X-RateLimit-Remaining")), Is.EqualTo(("5", "0")));
    }

    [Test]
    public async Task Responses_carry_the_limit_and_a_decreasing_remaining_count()
    {
        var (organisationId, _) = await SeedOrganisationAsync();
        var client = Client(await SeedKeyAsync(organisationId, Scopes.RosterRead));

        var seen = new List<(HttpStatusCode, string, string)>();
        for (var i = 0; i < Limit; i++)
        {
            var response = await client.GetAsync("/v1/schools");
            seen.Add((response.StatusCode, Header(response, "X-RateLimit-Limit"), Header(response, "X-RateLimit-Remaining")));
        }

        Assert.That(seen, Is.EqualTo(new[]
        {
            (HttpStatusCode.OK, "5", "4"), (HttpStatusCode.OK, "5", "3"), (HttpStatusCode.OK, "5", "2"),
            (HttpStatusCode.OK, "5", "1"), (HttpStatusCode.OK, "5", "0"),
        }));
    }

    [Test]
    public async Task The_sixth_call_within_the_minute_is_429_with_Retry_After()
    {
        var (organisationId, schoolId) = await SeedOrganisationAsync();
        var client = Client(await SeedKeyAsync(organisationId, Scopes.RosterRead));
        await SpendAsync(client);

        await AssertTooManyAsync(await client.GetAsync("/v1/schools"));
        await AssertTooManyAsync(await client.GetAsync($"/v1/schools/{schoolId}"));
    }

    [Test]
    public async Task A_refused_call_does_not_reach_the_handler()
    {
        var (organisationId, _) = await SeedOrganisationAsync();
        var client = Client(await SeedKeyAsync(organisationId, Scopes.RosterRead, Scopes.RosterWrite));
        await SpendAsync(client, "/v1/guardians");

        await AssertTooManyAsync(await client.PostAsJsonAsync("/v1/guardians", new { externalId = "O1", displayName = "Te laat" }));

        Assert.That(await Factory.QueryAsync(db => db.Guardians.CountAsync(g => g.OrganisationId == organisationId)), Is.Zero);
        Assert.That(await Factory.QueryAsync(db => db.AuditEvents.CountAsync(e => e.OrganisationId == organisationId)), Is.Zero);
    }

    [Test]
    public async Task Another_client_of_the_same_organisation_is_unaffected()
    {
        var (organisationId, _) = await SeedOrganisationAsync();
        var spent = Client(await SeedKeyAsync(organisationId, Scopes.RosterRead));
        var other = Client(await SeedKeyAsync(organisationId, Scopes.RosterRead));
        await SpendAsync(spent);
        await AssertTooManyAsync(await spent.GetAsync("/v1/schools"));

        var response = await other.GetAsync("/v1/schools");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((Header(response, "X-RateLimit-Limit"), Header(response, "X-RateLimit-Remaining")), Is.EqualTo(("5", "4")));
    }

    [Test]
    public async Task The_platform_key_is_limited_too()
    {
        await SpendAsync(Platform(), "/v1/organisations");

        await AssertTooManyAsync(await Platform().GetAsync("/v1/organisations"));
    }

    [Test]
    public async Task Unauthenticated_calls_are_limited_per_ip_address()
    {
        var ip = NewIp();
        var otherIp = NewIp();

        var seen = new List<(int, string)>();
        for (var i = 0; i < Limit; i++)
        {
            var context = await FromIpAsync(ip, "/v1/schools");
            seen.Add((context.Response.StatusCode, Header(context, "X-RateLimit-Remaining")));
        }
        var refused = await FromIpAsync(ip, "/v1/schools");
        var elsewhere = await FromIpAsync(otherIp, "/v1/schools");

        Assert.That(seen, Is.EqualTo(new[] { "4", "3", "2", "1", "0" }.Select(r => (StatusCodes.Status401Unauthorized, r))));
        Assert.That(refused.Response.StatusCode, Is.EqualTo(StatusCodes.Status429TooManyRequests));
        Assert.That(Header(refused, "Retry-After"), Does.Match("^[1-9][0-9]*$"));
        Assert.That(elsewhere.Response.StatusCode, Is.EqualTo(StatusCodes.Status401Unauthorized));
        Assert.That(Header(elsewhere, "X-RateLimit-Remaining"), Is.EqualTo("4"));
    }

    [Test]
    public async Task A_client_calling_from_a_spent_ip_address_has_its_own_budget()
    {
        var (organisationId, _) = await SeedOrganisationAsync();
        var key = await SeedKeyAsync(organisationId, Scopes.RosterRead);
        // The instance has served the key before, so it knows the prefix is worth a lookup from a spent address too.
        Assert.That((await FromIpAsync(NewIp(), "/v1/schools", key)).Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK));
        var ip = NewIp();
        for (var i = 0; i < Limit; i++)
        {
            await FromIpAsync(ip, "/v1/schools");
        }
        Assert.That((await FromIpAsync(ip, "/v1/schools")).Response.StatusCode, Is.EqualTo(StatusCodes.Status429TooManyRequests));

        var authenticated = await FromIpAsync(ip, "/v1/schools", key);

        Assert.That(authenticated.Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK));
        Assert.That(Header(authenticated, "X-RateLimit-Remaining"), Is.EqualTo("3"));
    }

    [Test]
    public async Task Calls_with_unknown_keys_spend_the_ip_addresses_budget()
    {
        var ip = NewIp();
        var unknownKey = "cak_000000000000_" + new string('A', 43);

        var statuses = new List<int>();
        for (var i = 0; i < Limit; i++)
        {
            statuses.Add((await FromIpAsync(ip, "/v1/schools", unknownKey)).Response.StatusCode);
        }
        var guess = await FromIpAsync(ip, "/v1/schools", "cak_111111111111_" + new string('B', 43));
        var anonymous = await FromIpAsync(ip, "/v1/schools");

        Assert.That(statuses, Is.EqualTo(Enumerable.Repeat(StatusCodes.Status401Unauthorized, Limit)));
        Assert.That(guess.Response.StatusCode, Is.EqualTo(StatusCodes.Status429TooManyRequests));
        Assert.That(anonymous.Response.StatusCode, Is.EqualTo(StatusCodes.Status429TooManyRequests));
    }

    [Test]
    public async Task Health_checks_answer_from_an_address_that_spent_its_budget_on_bad_keys()
    {
        var ip = NewIp();
        for (var i = 0; i <= Limit; i++)
        {
            await FromIpAsync(ip, "/v1/schools", $"cak_{i:x12}_" + new string('C', 43));
        }
        Assert.That((await FromIpAsync(ip, "/v1/schools")).Response.StatusCode, Is.EqualTo(StatusCodes.Status429TooManyRequests));

        var live = await FromIpAsync(ip, "/health/live");
        var ready = await FromIpAsync(ip, "/health/ready");

        Assert.That((live.Response.StatusCode, ready.Response.StatusCode), Is.EqualTo((StatusCodes.Status200OK, StatusCodes.Status200OK)));
        Assert.That(Header(live, "X-RateLimit-Remaining"), Is.EqualTo("<missing>"));
    }

    [Test]
    public async Task Repeated_calls_with_one_unknown_key_look_it_up_in_the_database_once()
    {
        var log = new SqlCommandLog();
        await using var counting = Factory.WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.AddSingleton<IInterceptor>(log)));
        var unknownKey = "cak_222222222222_" + new string('D', 43);
        var ip = NewIp();

        var statuses = new List<int>();
        for (var i = 0; i < 2 * Limit; i++)
        {
            var context = await counting.Server.SendAsync(c =>
            {
                c.Request.Method = HttpMethods.Get;
                c.Request.Path = "/v1/schools";
                c.Connection.RemoteIpAddress = IPAddress.Parse(ip);
                c.Request.Headers["X-Api-Key"] = unknownKey;
            });
            statuses.Add(context.Response.StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(Enumerable.Repeat(StatusCodes.Status401Unauthorized, Limit)
            .Concat(Enumerable.Repeat(StatusCodes.Status429TooManyRequests, Limit))));
        Assert.That(log.Commands.Count(c => c.Contains("api_clients", StringComparison.Ordinal)), Is.EqualTo(1),
            string.Join("\n---\n", log.Commands));
    }

    [Test]
    public async Task Random_keys_from_one_address_cost_no_more_key_lookups_than_its_budget()
    {
        var (organisationId, _) = await SeedOrganisationAsync();
        var key = await SeedKeyAsync(organisationId, Scopes.RosterRead);
        var unseen = await SeedKeyAsync(organisationId, Scopes.RosterRead);
        var log = new SqlCommandLog();
        await using var counting = Factory.WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.AddSingleton<IInterceptor>(log)));
        var ip = NewIp();
        const int Guesses = 500;

        var statuses = new List<int>();
        for (var i = 0; i < Guesses; i++)
        {
            var guess = ApiKeys.Generate().Key;
            statuses.Add((await counting.Server.SendAsync(c =>
            {
                c.Request.Method = HttpMethods.Get;
                c.Request.Path = "/v1/schools";
                c.Connection.RemoteIpAddress = IPAddress.Parse(ip);
                c.Request.Headers["X-Api-Key"] = guess;
            })).Response.StatusCode);
        }
        var lookups = log.Commands.Count(c => c.Contains("api_clients", StringComparison.Ordinal));
        var elsewhere = await counting.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/v1/schools";
            c.Connection.RemoteIpAddress = IPAddress.Parse(NewIp());
            c.Request.Headers["X-Api-Key"] = key;
        });
        // A valid key this instance has never served waits out the address's window like a guess: nothing tells them apart
        // without the lookup the window is there to spare.
        var unseenFromSpentAddress = await counting.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/v1/schools";
            c.Connection.RemoteIpAddress = IPAddress.Parse(ip);
            c.Request.Headers["X-Api-Key"] = unseen;
        });

        TestContext.Out.WriteLine($"{Guesses} random keys from one address: {lookups} key lookups in the database (budget {Limit})");
        Assert.That(statuses, Is.EqualTo(Enumerable.Repeat(StatusCodes.Status401Unauthorized, Limit)
            .Concat(Enumerable.Repeat(StatusCodes.Status429TooManyRequests, Guesses - Limit))));
        Assert.That(lookups, Is.EqualTo(Limit), string.Join("\n---\n", log.Commands.Take(20)));
        Assert.That(elsewhere.Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK));
        Assert.That(unseenFromSpentAddress.Response.StatusCode, Is.EqualTo(StatusCodes.Status429TooManyRequests));
    }
}
