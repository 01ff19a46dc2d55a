using ConsentApi.Domain;
using ConsentApi.Domain.Imports;
using ConsentApi.Infrastructure.Auth;

namespace ConsentApi.Features.Imports;

public static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        var schools = app.MapGroup("/v1/schools").WithTags("Imports");
        schools.MapUploadEdexml().RequireScope(ImportAccess.UploadScope(ImportKind.Edexml));
        schools.MapUnknownImportKind().RequireScope(Scopes.RosterRead);
        schools.MapListImports().RequireAnyScope(ImportAccess.ReadScopes);
        schools.MapUploadGuardiansCsv().RequireScope(ImportAccess.UploadScope(ImportKind.GuardiansCsv));
        schools.MapUploadConsentFormsCsv().RequireScope(ImportAccess.UploadScope(ImportKind.ConsentFormsCsv));

        var imports = app.MapGroup("/v1/imports").WithTags("Imports");
        imports.MapGetImport().RequireAnyScope(ImportAccess.ReadScopes);
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
