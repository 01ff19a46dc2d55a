using ConsentApi.Infrastructure.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConsentApi.Tests.Features.ApiClients;

/// <summary>
/// The interleaving behind a revocation that HTTP cannot time on purpose: a lookup reads the unrevoked row, the revocation
/// commits and forgets the key, and only then does the lookup come back.
/// </summary>
public sealed class ApiClientCacheTests
{
    private static readonly CachedApiClient Unrevoked = new(Guid.NewGuid(), Guid.NewGuid(), new byte[32], ["roster:read"], []);

    private static ApiClientCache NewCache() => new(
        new ServiceCollection().Configure<ApiKeyOptions>(o => o.CacheDuration = TimeSpan.FromMinutes(1)).BuildServiceProvider()
            .GetRequiredService<IOptionsMonitor<ApiKeyOptions>>(),
        TimeProvider.System);

    [Test]
    public async Task A_lookup_that_read_the_row_before_the_key_was_forgotten_is_not_kept()
    {
        var cache = NewCache();
        var oldRow = new TaskCompletionSource<CachedApiClient?>();
        var inFlight = cache.GetAsync("cak_0123456789ab", () => oldRow.Task);

        cache.Forget("cak_0123456789ab");
        oldRow.SetResult(Unrevoked);
        Assert.That(await inFlight, Is.SameAs(Unrevoked), "the request that started before the revocation may still pass");

        var next = await cache.GetAsync("cak_0123456789ab", () => Task.FromResult<CachedApiClient?>(null));
        Assert.That(next, Is.Null, "the next request must look the revoked key up again");
    }

    [Test]
    public async Task A_lookup_is_kept_while_nothing_is_forgotten()
    {
        var cache = NewCache();
        await cache.GetAsync("cak_0123456789ab", () => Task.FromResult<CachedApiClient?>(Unrevoked));

        var next = await cache.GetAsync("cak_0123456789ab", () => Task.FromResult<CachedApiClient?>(null));

        Assert.That(next, Is.SameAs(Unrevoked));
    }

    [Test]
    public async Task A_prefix_never_found_is_not_looked_up_while_lookups_are_refused()
    {
        var cache = NewCache();
        var lookups = 0;

        var client = await cache.GetAsync("cak_0123456789ab", () =>
        {
            lookups++;
            return Task.FromResult<CachedApiClient?>(Unrevoked);
        }, () => false);

        Assert.That((client, lookups), Is.EqualTo(((CachedApiClient?)null, 0)));
    }

    [Test]
    public async Task A_prefix_found_before_is_looked_up_again_while_lookups_are_refused()
    {
        var clock = new SteppedClock();
        var cache = new ApiClientCache(
            new ServiceCollection().Configure<ApiKeyOptions>(o => o.CacheDuration = TimeSpan.FromSeconds(1)).BuildServiceProvider()
                .GetRequiredService<IOptionsMonitor<ApiKeyOptions>>(),
            clock);
        await cache.GetAsync("cak_0123456789ab", () => Task.FromResult<CachedApiClient?>(Unrevoked));
        clock.Now += TimeSpan.FromSeconds(2);
        var lookups = 0;

        var client = await cache.GetAsync("cak_0123456789ab", () =>
        {
            lookups++;
            return Task.FromResult<CachedApiClient?>(Unrevoked);
        }, () => false);

        Assert.That((client, lookups), Is.EqualTo((Unrevoked, 1)), "the expired entry is looked up again, not refused");
    }

    private sealed class SteppedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
