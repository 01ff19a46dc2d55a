using ConsentApi.Infrastructure.Auth;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/swagger/v1/swagger.json";

    public static IServiceCollection AddConsentOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "ConsentApi",
                Version = "1.0.0",
                Description = """
                    The system of record for parental consent to publish photo, film and audio recordings of pupils on a
                    school's channels. Authenticate with an API key in the `X-Api-Key` header; every operation names the
                    scope it needs. Errors are RFC 9457 Problem Details with a stable `type` per kind.
                    """,
                Contact = new OpenApiContact { Name = "ConsentApi", Email = "support@consent-api.nl" },
                License = new OpenApiLicense { Name = "Proprietary" },
            });
            options.AddServer(new OpenApiServer
            {
                Url = "/",
                Description = "The host serving this document (local, staging or production)",
                Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(false) },
            });
            options.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeys.HeaderName,
                Description = "An API key of the form `cak_…`, created with the API clients operations.",
            });
            options.SupportNonNullableReferenceTypes();
            options.NonNullableReferenceTypesAsRequired();
            options.CustomSchemaIds(type => SchemaIds.For(type));
            options.OperationFilter<StandardResponsesOperationFilter>();
            options.OperationFilter<TextRepresentationsOperationFilter>();
            options.OperationFilter<SafeRetriesOperationFilter>();
            options.SchemaFilter<ConstraintsSchemaFilter>();
            options.ParameterFilter<QueryParameterFilter>();
            options.SchemaFilter<ExamplesSchemaFilter>();
            options.DocumentFilter<TagsDocumentFilter>();
            options.DocumentFilter<EventSchemasDocumentFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, "ConsentApi.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }
        });
        return services;
    }
}

internal static class SchemaIds
{
    /// <summary>Generic types get readable ids: <c>Page&lt;SchoolResponse&gt;</c> becomes <c>SchoolResponsePage</c>.</summary>
    public static string For(Type type) =>
        type.IsGenericType
            ? string.Concat(type.GetGenericArguments().Select(For)) + type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]
            : type.Name;
}
