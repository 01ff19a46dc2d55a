using System.Net;
using System.Net.Http.Json;
using ConsentApi.Features.Schools;
using ConsentApi.Tests.Infrastructure;

namespace ConsentApi.Tests.Features;

public sealed class SmokeTests : ApiTest
{
    [Test]
    public async Task Tenant_can_be_created_and_reads_its_schools()
    {
        var tenant = await CreateTenantAsync();
        var page = await (await tenant.Full().GetAsync("/v1/schools")).ReadAsync<ConsentApi.Infrastructure.Http.Page<SchoolResponse>>();
        Assert.That(page.Items.Select(s => s.Id), Is.EquivalentTo(tenant.SchoolIds));
        var live = await Client().GetAsync("/health/ready");
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), await live.Content.ReadAsStringAsync());
    }
}
