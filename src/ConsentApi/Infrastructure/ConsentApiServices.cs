using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ConsentApi.Features.AccessExports;
using ConsentApi.Features.ApiClients;
using ConsentApi.Features.Audit;
using ConsentApi.Features.Campaigns;
using ConsentApi.Features.Channels;
using ConsentApi.Features.ConsentForms;
using ConsentApi.Features.Consents;
using ConsentApi.Features.GuardianAccess;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Health;
using ConsentApi.Features.Imports;
using ConsentApi.Features.Organisations;
using ConsentApi.Features.Pupils;
using ConsentApi.Features.Roster;
using ConsentApi.Features.Publications;
using ConsentApi.Features.Schools;
using ConsentApi.Features.Takedowns;
using ConsentApi.Features.Webhooks;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Observability;
using ConsentApi.Infrastructure.OpenApi;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;

namespace ConsentApi.Infrastructure;

/// <summary>The composition of the API, kept out of Program.cs so that Program reads as the list of what runs.</summary>
public static class ConsentApiServices
{
    public static WebApplicationBuilder AddConsentApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<TimeProvider, DatabaseTimeProvider>();
        services.AddConsentDb(builder.Configuration);
        services.AddApiKeyAuth(builder.Configuration);
        services.AddSafeRetries(builder.Configuration);
        services.AddConsentProblemDetails();
        services.AddValidation();
        services.AddConsentHealthChecks();
        services.AddApiRateLimiting(builder.Configuration);
        services.AddConcurrencyGates(builder.Configuration);
        services.AddConsentOpenApi(builder.Configuration);
        builder.AddConsentObservability();
        services.ConfigureHttpJsonOptions(options => Configure(options.SerializerOptions));
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(options => Configure(options.JsonSerializerOptions));
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddScoped<AuditScope>();
        services.AddScoped<AfterCommit>();
        services.AddScoped<CommandWrites>();
        services.AddScoped<EventOutbox>();
        services.AddScoped<ConsentFactsReader>();
        services.AddScoped<ConsentEvaluator>();
        services.AddScoped<AccessExportReader>();
        services.AddScoped<TakedownScanner>();
        services.AddScoped<IConsentConsequence>(provider => provider.GetRequiredService<TakedownScanner>());
        services.AddScoped<DecisionRecorder>();
        services.AddScoped<ConsentChanges>();
        services.AddScoped<ConsentAnnouncer>();
        services.Configure<TakedownOptions>(builder.Configuration.GetSection(TakedownOptions.Section));
        services.Configure<ProofFileOptions>(builder.Configuration.GetSection(ProofFileOptions.Section));
        services.AddSingleton<TakedownSweep>();
        services.AddHostedService(provider => provider.GetRequiredService<TakedownSweep>());
        services.Configure<Turning16Options>(builder.Configuration.GetSection(Turning16Options.Section));
        services.AddSingleton<Turning16Announcer>();
        services.AddHostedService(provider => provider.GetRequiredService<Turning16Announcer>());
        services.AddScoped<PupilEraser>();
        services.Configure<RetentionOptions>(builder.Configuration.GetSection(RetentionOptions.Section));
        services.AddSingleton<RetentionSweep>();
        services.AddHostedService(provider => provider.GetRequiredService<RetentionSweep>());
        services.Configure<WebhookOptions>(builder.Configuration.GetSection(WebhookOptions.Section));
        WebhookDispatcher.ConfigureHttp(services);
        services.AddSingleton<DispatcherWake>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService<CommitListener>();
        services.AddImports(builder.Configuration);
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.PipelineBehaviors = [typeof(CommandTransactionBehavior<,>)];
        });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestLimits.RosterBodyBytes);
        return builder;
    }

    /// <summary>The options the API reads and writes JSON with, for what is serialised outside a request (events, examples).</summary>
    public static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    /// <summary>
    /// Strict JSON: unknown properties are errors; numbers are not quoted; enums travel as kebab-case strings; moments
    /// are RFC 3339 with an offset; no control characters in text.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // A number is a JSON number: "7" in quotes is a string, and refused where a number is asked.
        options.NumberHandling = JsonNumberHandling.Strict;
        // Exactly the listed kebab-case strings: not the C# name, not another case, not the number.
        options.Converters.Add(new StrictEnumConverterFactory());
        options.Converters.Add(new UtcMomentConverter());
        options.Converters.Add(new PlainTextConverter());
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
            .WithAddedModifier(RosterRequest.LimitListsWhileReading)
            .WithAddedModifier(TextLimits.RefuseLongTextWhileReading);
    }

    public static WebApplication UseConsentApi(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The document and its UI describe the attack surface: served in Development, elsewhere only when asked for.
        if (app.Configuration.GetValue<bool?>("OpenApi:ServeUi") ?? app.Environment.IsDevelopment())
        {
            app.UseSwagger(options => options.OpenApiVersion = OpenApiSetup.SpecVersion);
            app.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint(OpenApiSetup.DocumentPath, "ConsentApi v1");
                options.DocumentTitle = "ConsentApi";
            });
        }
        app.UseRouting();
        app.UseAuthentication();
        app.UseApiRateLimiting();
        // The request checks come after the limiter, so that their 400, 413 and 415 count and carry its headers like
        // every other answer, and before anything reads a query value or the body.
        app.UseRequestRules();
        app.UseRequestBodyLimits();
        app.UseAuthorization();
        // After authorisation, so that only a caller allowed to sync takes a place; before the endpoint reads its body.
        app.UseConcurrencyGates();

        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        app.MapProblemPages();
        app.MapOrganisationEndpoints();
        app.MapSchoolEndpoints();
        app.MapGroupEndpoints();
        app.MapPupilEndpoints();
        app.MapGuardianEndpoints();
        app.MapRosterEndpoints();
        app.MapImportEndpoints();
        app.MapChannelEndpoints();
        app.MapConsentFormEndpoints();
        app.MapConsentEndpoints();
        app.MapCampaignEndpoints();
        app.MapGuardianAccessEndpoints();
        app.MapPublicationEndpoints();
        app.MapTakedownEndpoints();
        app.MapWebhookEndpoints();
        app.MapApiClientEndpoints();
        app.MapAuditEndpoints();
        app.MapAccessExportEndpoints();
        return app;
    }
}
