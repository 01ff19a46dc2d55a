namespace ConsentApi.Infrastructure.Idempotency;

public static class SafeRetries
{
    /// <summary>Idempotency keys, entity tags and their refusals. Before the Problem Details setup, so that its handler comes second.</summary>
    public static IServiceCollection AddSafeRetries(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<IdempotencyOptions>(configuration.GetSection(IdempotencyOptions.Section));
        services.AddSingleton<IdempotencyKeyPurge>();
        services.AddHostedService(provider => provider.GetRequiredService<IdempotencyKeyPurge>());
        services.AddScoped<IdempotentRequest>();
        services.AddScoped<IdempotencyLedger>();
        services.AddScoped<Preconditions.ResourceVersion>();
        services.AddExceptionHandler<SafeRetryExceptionHandler>();
        return services;
    }
}
