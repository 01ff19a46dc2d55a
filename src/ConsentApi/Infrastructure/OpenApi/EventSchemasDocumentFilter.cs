using ConsentApi.Infrastructure.Events;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>
/// Puts the <c>data</c> of every webhook event in the document's schemas, so that receivers can generate types for what
/// they parse: the events are not responses of any operation, so nothing else would describe them.
/// </summary>
internal sealed class EventSchemasDocumentFilter : IDocumentFilter
{
    private static readonly Type[] Events =
    [
        typeof(ConsentChangedEvent), typeof(TakedownEvent), typeof(TakedownCompletedEvent), typeof(PublicationRegisteredEvent),
        typeof(RosterSyncedEvent),
    ];

    public void Apply(Microsoft.OpenApi.OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        foreach (var type in Events)
        {
            context.SchemaGenerator.GenerateSchema(type, context.SchemaRepository);
        }
    }
}
