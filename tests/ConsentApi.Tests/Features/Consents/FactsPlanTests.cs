using System.Net;
using System.Net.Http.Json;
using ConsentApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// The facts reader's statements are planned once per connection (generic plans), not afresh on every execution: at a
/// million pupils PostgreSQL re-planned every one-pupil read, and planning a matrix cost more than running it. The facts
/// leave the setting as the command had it: what a command does after them is planned as PostgreSQL chooses, except in
/// recording decisions, which plans its whole transaction generically. The fixture's
/// pool holds one connection, so the statements the app prepared are the ones the test lists afterwards (PostgreSQL
/// shows a session only its own).
/// </summary>
public sealed class FactsPlanTests : ApiTest
{
    private const string Item = "photo:website";

    /// <summary>The app prepares a statement on its second use and PostgreSQL tries five custom plans before a generic one.</summary>
    private const int Uses = 8;

    protected override Task<string> CreateDatabaseAsync() => TestDatabase.CreateWithOneConnectionAsync();

    private Tenant _tenant = null!;
    private HttpClient _full = null!;
    private Guid _versionId;

    [OneTimeSetUp]
    public async Task CreateFormAsync()
    {
        _tenant = await CreateTenantAsync();
        _full = _tenant.Full();
        _versionId = (Guid)(await PublishFormAsync(_tenant.Admin(), [Item]))["id"]!;
    }

    [Test]
    public async Task A_pupils_consent_matrix_is_read_on_generic_plans_only()
    {
        var (pupilId, guardianId) = await FamilyAsync(_full, _tenant.SchoolId);
        await DecideAsync(_full, pupilId, _versionId, guardianId, "granted", [Item]);

        for (var i = 0; i < Uses; i++)
        {
            (await _full.GetAsync($"/v1/pupils/{pupilId}/consents")).EnsureSuccessStatusCode();
        }

        var plans = await PlansAsync("%JOIN decisions t ON t.id = d.id%");
        Assert.That(plans, Is.Not.Empty, "the matrix's decisions statement is prepared");
        Assert.Multiple(() =>
        {
            Assert.That(plans.Sum(p => p.Custom), Is.Zero, "custom plans");
            Assert.That(plans.Sum(p => p.Generic), Is.GreaterThanOrEqualTo(Uses - 1), "generic plans");
        });
    }

    [Test]
    public async Task What_a_publication_writes_after_reading_the_facts_is_planned_as_usual()
    {
        for (var i = 0; i < Uses; i++)
        {
            var (pupilId, guardianId) = await FamilyAsync(_full, _tenant.SchoolId);
            await DecideAsync(_full, pupilId, _versionId, guardianId, "granted", [Item]);
            await RegisterAsync(_full, _tenant.SchoolId, "website", "photo", [pupilId]);
        }

        var plans = await PlansAsync("INSERT INTO publications %");
        Assert.That(plans, Is.Not.Empty, "the publication's insert is prepared");
        Assert.That(plans.Sum(p => p.Custom), Is.Positive, "custom plans: PostgreSQL's own choice, as for any statement");
    }

    [Test]
    public async Task Recording_decisions_plans_its_whole_transaction_generically_the_facts_included()
    {
        for (var i = 0; i < Uses; i++)
        {
            var (pupilId, guardianId) = await FamilyAsync(_full, _tenant.SchoolId);
            await DecideAsync(_full, pupilId, _versionId, guardianId, "granted", [Item]);
        }

        // The decisions are written after the state before was read: the facts leave the command's setting as they found it.
        var plans = await PlansAsync("INSERT INTO decisions %");
        Assert.That(plans, Is.Not.Empty, "the decisions' insert is prepared");
        Assert.Multiple(() =>
        {
            Assert.That(plans.Sum(p => p.Custom), Is.Zero, "custom plans");
            Assert.That(plans.Sum(p => p.Generic), Is.Positive, "generic plans");
        });
    }

    [Test]
    public async Task A_check_read_alone_leaves_its_connection_planning_as_before()
    {
        var (pupilId, guardianId) = await FamilyAsync(_full, _tenant.SchoolId);
        await DecideAsync(_full, pupilId, _versionId, guardianId, "granted", [Item]);

        for (var i = 0; i < Uses; i++)
        {
            var response = await _full.PostAsJsonAsync("/v1/publication-checks",
                new { pupilIds = new[] { pupilId }, mediaType = "photo", channel = "website" });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        }

        // The check's batch is its own transaction: its generic plans end with it, with no statement to restore them.
        var plans = await PlansAsync("%CROSS JOIN decision_heads h%");
        Assert.That(plans.Sum(p => p.Generic), Is.GreaterThanOrEqualTo(Uses - 1), "the check's decisions on generic plans");
        await using var connection = await Factory.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SHOW plan_cache_mode", connection);
        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo("auto"), "the pool's one connection, after the checks");
    }

    /// <summary>How the statements like <paramref name="pattern"/> the app's one connection prepared were planned.</summary>
    private async Task<List<(long Generic, long Custom)>> PlansAsync(string pattern)
    {
        await using var connection = await Factory.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE $1", connection)
        {
            Parameters = { new() { Value = pattern } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        var plans = new List<(long, long)>();
        while (await reader.ReadAsync())
        {
            plans.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }
        return plans;
    }
}
