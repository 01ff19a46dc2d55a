using System.Net.Http.Json;
using ConsentApi.Features.Pupils;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features.Pupils;

/// <summary>The school asks pupils who turn 16 soon for their own consent: it can list them.</summary>
public sealed class Turning16Tests : ApiTest
{
    [Test]
    public async Task Pupils_turning_16_by_a_day_are_listed_and_those_already_16_or_later_are_not()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var today = LocalDay.Today;
        var born = new Dictionary<string, DateOnly>
        {
            ["already-16"] = today.AddYears(-16),
            ["tomorrow"] = today.AddYears(-16).AddDays(1),
            ["in-30-days"] = today.AddYears(-16).AddDays(30),
            ["in-31-days"] = today.AddYears(-16).AddDays(31),
            ["young"] = today.AddYears(-8),
        };
        foreach (var (externalId, dateOfBirth) in born)
        {
            (await full.PostAsJsonAsync($"/v1/schools/{tenant.SchoolId}/pupils",
                new { externalId, displayName = externalId, dateOfBirth = dateOfBirth.ToString("yyyy-MM-dd") })).EnsureSuccessStatusCode();
        }

        var page = await (await full.GetAsync(
            $"/v1/schools/{tenant.SchoolId}/pupils?turning16Before={today.AddDays(30):yyyy-MM-dd}")).ReadAsync<Page<PupilResponse>>();

        Assert.That(page.Items.Select(p => p.ExternalId), Is.EquivalentTo(new[] { "tomorrow", "in-30-days" }));
    }
}

/// <summary>Edge dates are the caller's mistake, never a 500.</summary>
public sealed class Turning16EdgeTests : ApiTest
{
    [TestCase("0001-01-01")]
    [TestCase("2000-01-01")]
    public async Task A_day_in_the_past_is_a_validation_problem(string day)
    {
        var tenant = await CreateTenantAsync();
        var problem = await AssertProblemAsync(await tenant.Full().GetAsync($"/v1/schools/{tenant.SchoolId}/pupils?turning16Before={day}"),
            System.Net.HttpStatusCode.BadRequest, "validation");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "turning16Before" }));
    }
}
