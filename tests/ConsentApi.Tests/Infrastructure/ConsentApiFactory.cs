using ConsentApi.Infrastructure.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>The real app, in process, over HTTP, on its own real PostgreSQL database.</summary>
public sealed class ConsentApiFactory(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    public const string BootstrapKey = "bootstrap-key-for-tests-0123456789abcdef";

    public string ConnectionString { get; } = connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:ConsentDb", ConnectionString);
        builder.UseSetting("Bootstrap:AdminApiKey", BootstrapKey);
        // Tests read the served document; a fixture that sets this to false sees what Production serves.
        builder.UseSetting("OpenApi:ServeUi", "true");
        // Fixtures make many calls with few keys; the rate-limit tests set their own, low limit.
        builder.UseSetting("RateLimiting:PermitsPerMinute", "100000");
        // Tests run the takedown sweep themselves, when they mean to.
        builder.UseSetting("Takedowns:SweepInterval", "00:00:00");
        builder.UseSetting("Webhooks:PollInterval", "00:00:00");
        builder.UseSetting("Turning16:Interval", "00:00:00");
        builder.UseSetting("Retention:Interval", "00:00:00");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Runs <paramref name="query"/> on a fresh DbContext, for asserting what the API wrote.</summary>
    public async Task<T> QueryAsync<T>(Func<ConsentDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ConsentDbContext>());
    }
}
