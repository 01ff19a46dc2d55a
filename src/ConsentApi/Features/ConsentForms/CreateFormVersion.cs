using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.ConsentForms;

public sealed record CreateFormVersionCommand(Guid FormId, FormVersionRequest Version) : ICommand<FormVersionResponse>;

public sealed class CreateFormVersionHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateFormVersionCommand, FormVersionResponse>
{
    public async ValueTask<FormVersionResponse> Handle(CreateFormVersionCommand command, CancellationToken ct)
    {
        var form = await db.FindFormAsync(client, command.FormId, ct);
        form.EnsureMayChange(client);
        await FormVersionContent.ValidateAsync(db, client, command.Version, ct);

        var version = new ConsentFormVersion
        {
            FormId = form.Id,
            Number = form.Versions.Count == 0 ? 1 : form.Versions.Max(v => v.Number) + 1,
            TextNl = command.Version.TextNl,
            CreatedAt = clock.GetUtcNow(),
        };
        FormVersionContent.Apply(version, client.OrganisationId, command.Version);
        db.ConsentFormVersions.Add(version);
        audit.On("consent-form", form.Id);
        return version.ToResponse();
    }
}

public static class CreateFormVersionEndpoint
{
    public static RouteHandlerBuilder MapCreateFormVersion(this RouteGroupBuilder group) =>
        group.MapPost("/{formId:guid}/versions", CreateVersion)
            .WithName("CreateFormVersion")
            .AcceptsIdempotencyKey()
            .WithSummary("Draft a new version of a form")
            .WithDescription("""
                Adds a draft version with the next number: the consent text in Dutch (English optional), the items it
                asks (media type × channel) and how long consent lasts. Drafts can be edited until published.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Created<FormVersionResponse>> CreateVersion(
        Guid formId, FormVersionRequest version, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateFormVersionCommand(formId, version), ct);
        return TypedResults.Created($"/v1/consent-forms/{formId}/versions/{created.Number}", created);
    }
}
