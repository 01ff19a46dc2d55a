using System.Net;
using System.Net.Http.Json;
using ConsentApi.Features.Pupils;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;
using static ConsentApi.Tests.Features.Pupils.ErasureSteps;

namespace ConsentApi.Tests.Features.Pupils;

/// <summary>
/// The organisation's retention period and the job that erases pupils past it: a pupil who left longer ago than the period
/// is erased, one who left more recently is not, and two instances running the job at once erase each pupil once.
/// </summary>
public sealed class RetentionErasureTests : ApiTest
{
    private Task<int> SweepAsync() => Factory.Services.GetRequiredService<RetentionSweep>().SweepOnceAsync(CancellationToken.None);

    private static DateOnly Today => LocalDay.Today;

    private static async Task<Guid> LeftPupilAsync(Tenant tenant, string name, DateOnly leftOn)
    {
        var pupil = await CreatePupilAsync(tenant.Full(), tenant.SchoolId, name);
        await LeaveAsync(tenant.Full(), pupil, leftOn);
        return pupil;
    }

    private Task<List<OutboxEvent>> ErasedEventsAsync() =>
        Factory.QueryAsync(db => db.OutboxEvents.AsNoTracking().Where(e => e.Type == EventTypes.PupilErased).ToListAsync());

    [Test]
    public async Task The_retention_policy_is_24_months_by_default_and_can_be_set_from_1_to_120()
    {
        var tenant = await CreateTenantAsync();
        var path = $"/v1/organisations/{tenant.OrganisationId}";

        Assert.That((int?)(await GetAsync(tenant.Admin(), path))["retentionPolicy"]!["keepMonthsAfterLeaving"], Is.EqualTo(24));
        var set = await tenant.Admin().PutAsJsonAsync($"{path}/retention-policy", new { keepMonthsAfterLeaving = 36 });
        Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.OK), await set.Content.ReadAsStringAsync());
        Assert.That((int?)(await set.ReadObjectAsync())["retentionPolicy"]!["keepMonthsAfterLeaving"], Is.EqualTo(36));
        Assert.That((int?)(await GetAsync(tenant.Admin(), path))["retentionPolicy"]!["keepMonthsAfterLeaving"], Is.EqualTo(36));

        foreach (var months in new int?[] { 0, 121, null })
        {
            var problem = await AssertProblemAsync(await tenant.Admin().PutAsJsonAsync($"{path}/retention-policy", new { keepMonthsAfterLeaving = months }),
                HttpStatusCode.BadRequest, "validation");
            Assert.That(ErrorKeys(problem), Is.EqualTo(new[] { "keepMonthsAfterLeaving" }));
        }
        Assert.That((int?)(await GetAsync(tenant.Admin(), path))["retentionPolicy"]!["keepMonthsAfterLeaving"], Is.EqualTo(36));
    }

    [Test]
    public async Task A_pupil_who_left_longer_ago_than_the_period_is_erased_and_one_who_left_since_is_not()
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var longAgo = await LeftPupilAsync(tenant, "Lang Geleden", Today.AddMonths(-24).AddDays(-1));
        var onTheDay = await LeftPupilAsync(tenant, "Precies Twee Jaar", Today.AddMonths(-24));
        var recently = await LeftPupilAsync(tenant, "Pas Vertrokken", Today.AddMonths(-23));
        var active = await CreatePupilAsync(full, tenant.SchoolId, "Nog Op School");

        await SweepAsync();

        var erased = await Factory.QueryAsync(db => db.PupilErasures.AsNoTracking()
            .Where(e => e.OrganisationId == tenant.OrganisationId).ToListAsync());
        Assert.That(erased.Select(e => e.PupilId), Is.EqualTo(new[] { longAgo }));
        Assert.That(erased.Single().Reason.ToString(), Is.EqualTo("Retention"));
        foreach (var kept in new[] { onTheDay, recently, active })
        {
            Assert.That((await GetAsync(full, $"/v1/pupils/{kept}"))["erasedAt"], Is.Null);
        }
        Assert.That((await GetAsync(full, $"/v1/pupils/{longAgo}"))["erasedAt"], Is.Not.Null);
        Assert.That(await FindAsync(Factory, ["Lang Geleden"]), Is.Empty);
        var audit = await Factory.QueryAsync(db => db.AuditEvents.AsNoTracking()
            .Where(a => a.ResourceId == longAgo && a.Action == "ErasePupil").ToListAsync());
        Assert.That(audit.Select(a => $"{a.Action} {a.RequestId} {a.ClientId}"), Is.EqualTo(new[] { $"ErasePupil {RetentionSweep.RequestId} " }));
        var events = (await ErasedEventsAsync()).Where(e => e.OrganisationId == tenant.OrganisationId).Select(PayloadOf).ToList();
        Assert.That(events.Select(e => $"{e["data"]!["pupilId"]} {e["data"]!["reason"]}"), Is.EqualTo(new[] { $"{longAgo} retention" }));

        // A shorter period applies from the next run; the sweep after that finds nothing new.
        (await tenant.Admin().PutAsJsonAsync($"/v1/organisations/{tenant.OrganisationId}/retention-policy",
            new { keepMonthsAfterLeaving = 12 })).EnsureSuccessStatusCode();
        await SweepAsync();
        await SweepAsync();
        Assert.That(await Factory.QueryAsync(db => db.PupilErasures.CountAsync(e => e.OrganisationId == tenant.OrganisationId)), Is.EqualTo(3));
        Assert.That((await GetAsync(full, $"/v1/pupils/{active}"))["erasedAt"], Is.Null);
    }

    [Test]
    public async Task Two_sweeps_at_once_erase_audit_and_announce_each_pupil_once()
    {
        await SweepAsync();   // what other tests left due, so that the count below is this test's pupils
        var tenant = await CreateTenantAsync();
        var pupils = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            pupils.Add(await LeftPupilAsync(tenant, $"Oud Leerling {i}", Today.AddYears(-3).AddDays(-i)));
        }

        var erased = await Task.WhenAll(SweepAsync(), SweepAsync());

        Assert.That(erased.Sum(), Is.EqualTo(pupils.Count), "between them the two sweeps erased every pupil, none twice");
        var events = (await ErasedEventsAsync()).Where(e => e.OrganisationId == tenant.OrganisationId).Select(e => (Guid)PayloadOf(e)["data"]!["pupilId"]!);
        Assert.That(events, Is.EquivalentTo(pupils));
        var audited = await Factory.QueryAsync(db => db.AuditEvents.Where(a => a.Action == "ErasePupil" && pupils.Contains(a.ResourceId!.Value))
            .Select(a => a.ResourceId!.Value).ToListAsync());
        Assert.That(audited, Is.EquivalentTo(pupils));
    }
}
