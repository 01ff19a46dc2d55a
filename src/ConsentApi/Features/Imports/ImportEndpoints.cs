using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Imports;

public static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        var schools = app.MapGroup("/v1/schools").WithTags("Imports");
        schools.MapUploadEdexml().RequireScope(Scopes.RosterWrite);
        schools.MapUnknownImportKind().RequireScope(Scopes.RosterRead);
        schools.MapListImports().RequireScope(Scopes.RosterRead);
        schools.MapUploadGuardiansCsv().RequireScope(Scopes.RosterWrite);
        schools.MapUploadConsentFormsCsv().RequireScope(Scopes.ConsentWrite);

        var imports = app.MapGroup("/v1/imports").WithTags("Imports");
        imports.MapGetImport().RequireScope(Scopes.RosterRead);
        return app;
    }
}

public static class ImportServices
{
    /// <summary>The job machinery; each kind's processor is added with its upload route.</summary>
    public static IServiceCollection AddImports(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ImportOptions>(configuration.GetSection(ImportOptions.Section));
        services.AddSingleton<ImportWake>();
        services.AddSingleton<ImportWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<ImportWorker>());
        services.AddScoped<IImportProcessor, EdexmlImportProcessor>();
        services.AddScoped<IImportProcessor, GuardiansCsvProcessor>();
        services.AddScoped<IImportProcessor, ConsentFormsCsvProcessor>();
        return services;
    }
}
