using ConsentApi.Infrastructure.Auth;
using System.Xml.XPath;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/swagger/v1/swagger.json";

    /// <summary>3.1 for its <c>webhooks</c> (see <see cref="WebhooksDocumentFilter"/>); scripts/generate-openapi.sh asks the same.</summary>
    public const OpenApiSpecVersion SpecVersion = OpenApiSpecVersion.OpenApi3_1;

    /// <summary>The API's public base URL in the document, so that generated clients and tools know where to call.</summary>
    public const string ServerUrlKey = "OpenApi:ServerUrl";
    public const string DefaultServerUrl = "https://api.consent-api.nl";

    public static IServiceCollection AddConsentOpenApi(this IServiceCollection services, IConfiguration configuration)
    {
        var serverUrl = configuration[ServerUrlKey] is { Length: > 0 } configured ? configured.TrimEnd('/') : DefaultServerUrl;
        if (!Uri.TryCreate(serverUrl, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException($"{ServerUrlKey} must be an absolute http(s) URL.");
        }
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
                // Absolute, as generated clients and OWASP rules expect; configured per installation (see the README).
                Url = serverUrl,
                Description = "Production, or the installation configured in OpenApi:ServerUrl (staging, local)",
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
            options.OperationFilter<FileBodyOperationFilter>();
            options.OperationFilter<StandardResponsesOperationFilter>();
            options.OperationFilter<TextRepresentationsOperationFilter>();
            options.OperationFilter<SafeRetriesOperationFilter>();
            options.SchemaFilter<ConstraintsSchemaFilter>();
            options.ParameterFilter<QueryParameterFilter>();
            options.SchemaFilter<ExamplesSchemaFilter>();
            options.DocumentFilter<TagsDocumentFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, "ConsentApi.xml");
            XPathDocument? comments = null;
            if (File.Exists(xml))
            {
                using var reader = System.Xml.XmlReader.Create(xml, new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Prohibit, XmlResolver = null });
                comments = new XPathDocument(reader);
                options.IncludeXmlComments(() => comments);
            }
            // After the XML comments, which set an enum's summary that this extends with its values.
            options.SchemaFilter<EnumSchemaFilter>(comments);
            options.DocumentFilter<WebhooksDocumentFilter>(comments);
            options.DocumentFilter<PlainReferencesDocumentFilter>();
            options.DocumentFilter<NamedMapsDocumentFilter>();
            options.DocumentFilter<TidyDescriptionsDocumentFilter>();
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
