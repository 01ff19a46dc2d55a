using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConsentApi.Features.ConsentForms;

/// <summary>A new consent form.</summary>
/// <param name="Name">e.g. "Toestemming beeldmateriaal".</param>
/// <param name="SchoolId">Make it a form of one school; leave out for the whole organisation.</param>
public sealed record CreateConsentFormRequest(
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 2)] string Name,
    Guid? SchoolId);

public sealed record CreateConsentFormCommand(CreateConsentFormRequest Form) : ICommand<ConsentFormResponse>;

public sealed class CreateConsentFormHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateConsentFormCommand, ConsentFormResponse>
{
    public async ValueTask<ConsentFormResponse> Handle(CreateConsentFormCommand command, CancellationToken ct)
    {
        if (command.Form.SchoolId is { } schoolId)
        {
            await db.EnsureSchoolVisibleAsync(schoolId, client, ct);
        }
        var form = new ConsentForm
        {
            OrganisationId = client.OrganisationId,
            SchoolId = command.Form.SchoolId,
            Name = command.Form.Name.Trim(),
            CreatedAt = clock.GetUtcNow(),
        };
        form.EnsureMayChange(client);
        db.ConsentForms.Add(form);
        audit.On("consent-form", form.Id);
        return form.ToResponse();
    }
}

public static class CreateConsentFormEndpoint
{
    public static RouteHandlerBuilder MapCreateConsentForm(this RouteGroupBuilder group) =>
        group.MapPost("/", Create)
            .WithName("CreateConsentForm")
            .AcceptsIdempotencyKey()
            .WithSummary("Create a consent form")
            .WithDescription("A form of the organisation, or of one school. Its content lives in versions.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Created<ConsentFormResponse>> Create(CreateConsentFormRequest form, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateConsentFormCommand(form), ct);
        return TypedResults.Created($"/v1/consent-forms/{created.Id}", created);
    }
}
