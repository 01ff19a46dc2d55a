using System.Net;
using System.Net.Http.Json;
using ConsentApi.Tests.Infrastructure;
using Npgsql;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>The class sheet reads its group, the group's pupils at the moment and their consent facts together.</summary>
public sealed class ClassSheetRoundTripTests : ApiTest
{
    private static readonly string[] SheetTables = ["groups", "pupil_enrolments", "decisions", "channel_changes"];

    [Test]
    public async Task The_class_sheet_reads_the_group_its_pupils_and_their_facts_in_one_round_trip()
    {
        var (tenant, path) = await GroupOfTwoAsync();
        var full = tenant.Full();

        using var roundTrips = new RoundTripLog(new NpgsqlConnectionStringBuilder(Factory.ConnectionString).Database!);
        var response = await full.GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var sheet = await response.ReadObjectAsync();
        // Other round trips (the key lookup, the webhook dispatcher's polls) touch none of these tables.
        var reads = roundTrips.RoundTrips.Where(sql => SheetTables.Any(table => sql.Contains(table, StringComparison.Ordinal))).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sheet["pupils"]!.AsArray().Select(p => (string?)p!["externalId"]), Is.EqualTo(new[] { "P1", "P2" }));
            Assert.That((string?)sheet["groupName"], Is.EqualTo("Groep 7"));
            Assert.That(reads, Has.Count.EqualTo(1), string.Join("\n----\n", reads));
            Assert.That(SheetTables.All(table => reads.FirstOrDefault()?.Contains(table, StringComparison.Ordinal) == true), Is.True,
                string.Join("\n----\n", reads));
        });
    }

    [Test]
    public async Task The_class_sheet_days_are_counted_in_the_time_zone_of_the_policy_at_the_moment()
    {
        var (tenant, path) = await GroupOfTwoAsync();
        var before = (string)(await (await tenant.Full().GetAsync(path)).ReadObjectAsync())["at"]!;
        var tokyo = await tenant.Admin().PutAsJsonAsync($"/v1/organisations/{tenant.OrganisationId}/consent-policy",
            new { grantRequires = "any-guardian", schoolYearEndMonth = 7, schoolYearEndDay = 31, timeZone = "Asia/Tokyo" });
        Assert.That(tokyo.StatusCode, Is.EqualTo(HttpStatusCode.OK), await tokyo.Content.ReadAsStringAsync());

        var now = await (await tenant.Full().GetAsync(path)).ReadObjectAsync();
        var then = await (await tenant.Full().GetAsync($"{path}?at={Uri.EscapeDataString(before)}")).ReadObjectAsync();
        Assert.That(((string?)now["timeZone"], (string?)then["timeZone"]), Is.EqualTo(("Asia/Tokyo", "Europe/Amsterdam")),
            "the time zone of the policy at each moment, not the organisation's latest");
    }

    /// <summary>A school with one group of two pupils (synced); the path of the group's class sheet.</summary>
    private async Task<(Tenant Tenant, string Path)> GroupOfTwoAsync()
    {
        var tenant = await CreateTenantAsync(schools: 1);
        var full = tenant.Full();
        var synced = await full.PutAsJsonAsync($"/v1/schools/{tenant.SchoolId}/roster", new
        {
            groups = new[] { new { externalId = "G7", name = "Groep 7", schoolYear = "2026-2027" } },
            pupils = new[] { "P1", "P2" }.Select((id, i) => new
            {
                externalId = id,
                displayName = $"Leerling {id}",
                dateOfBirth = new DateOnly(2015, 3, 1).AddDays(i),
                groupExternalId = "G7",
                guardians = new[] { new { externalId = $"O{id}", hasParentalAuthority = true } },
            }).ToArray(),
            guardians = new[] { "P1", "P2" }.Select(id => new { externalId = $"O{id}", displayName = $"Ouder {id}" }).ToArray(),
        });
        Assert.That(synced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await synced.Content.ReadAsStringAsync());
        var groups = await (await full.GetAsync($"/v1/schools/{tenant.SchoolId}/groups")).ReadObjectAsync();
        var groupId = (Guid)groups["items"]![0]!["id"]!;
        return (tenant, $"/v1/schools/{tenant.SchoolId}/groups/{groupId}/consent-overview");
    }
}
