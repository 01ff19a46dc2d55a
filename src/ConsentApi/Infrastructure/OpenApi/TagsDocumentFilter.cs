using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ConsentApi.Infrastructure.OpenApi;

/// <summary>The document's tags in the order an integrator meets them, each with what it is for.</summary>
internal sealed class TagsDocumentFilter : IDocumentFilter
{
    private static readonly (string Name, string Description)[] Tags =
    [
        ("Organisations", "School boards: the tenants. Created by the platform operator, each with a first admin key."),
        ("Schools", "The schools of an organisation."),
        ("Roster", "Full sync of a school's groups, pupils and guardians from its admin system."),
        ("Imports", "Files the school's systems already export (EDEXML), uploaded and processed in the background as jobs."),
        ("Groups", "Classes of a school, per school year."),
        ("Pupils", "Pupils of a school and the guardians linked to them."),
        ("Guardians", "Parents and carers, shared by the schools of an organisation."),
        ("Channels", "Where material is published: the defaults and the organisation's own."),
        ("Consent forms", "The texts guardians consent to, in versions; published versions never change."),
        ("Consent", "Decisions, effective consent, publication checks and class sheets."),
        ("Campaigns", "Asking every family of a school each school year, with progress and the non-responders to remind."),
        ("Parents' app", "Acting for one guardian (scope guardian:act): their children, open requests, answers and withdrawals."),
        ("Publications", "What the school published and who is shown in it, checked against consent when registered."),
        ("Takedowns", "Publications that must come down because consent ended for a pupil shown in them."),
        ("Webhooks", "Signed events (Standard Webhooks) delivered at least once, in order, to the organisation's endpoints. " +
                     "Each event type, its body and its headers are in the document's `webhooks`. " +
                     "A pupil's consent.changed events carry `sequence` 1, 2, 3… without gaps: commands that change a pupil's " +
                     "consent are serialised, each item's `oldState` is its `newState` in the pupil's previous event that named it, " +
                     "and each event's `newState` is what a check returned when that command committed. What time alone changes (a " +
                     "school year ending, a 16th birthday), a policy change and a newly published form are not announced by themselves: the pupil's next " +
                     "event starts from the last announced state, so the chain stays unbroken."),
        ("API clients", "The calling systems of an organisation, their scopes, school limits and keys."),
        ("Audit", "Who changed what, when: one event per command."),
        ("Health", "Liveness and readiness probes; no key needed."),
    ];

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context) =>
        swaggerDoc.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
}
