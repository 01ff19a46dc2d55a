using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.ApiClients;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Organisations;

/// <summary>A new school board.</summary>
/// <param name="Name">The board's name, unique in this installation.</param>
public sealed record CreateOrganisationCommand(
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 2)] string Name) : ICommand<CreatedOrganisationResponse>;

public sealed class CreateOrganisationHandler(ConsentDbContext db, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateOrganisationCommand, CreatedOrganisationResponse>
{
    public async ValueTask<CreatedOrganisationResponse> Handle(CreateOrganisationCommand command, CancellationToken ct)
    {
        var name = command.Name.Trim();
        if (await db.Organisations.AnyAsync(o => o.Name == name, ct))
        {
            throw new ConflictException($"An organisation named '{name}' already exists.");
        }

        var now = clock.GetUtcNow();
        var organisation = new Organisation { Name = name, CreatedAt = now };
        var (admin, key) = ApiClientFactory.Create(organisation.Id, "Initial admin", [Scopes.Admin], [], now);
        db.Organisations.Add(organisation);
        db.Channels.AddRange(Channel.Defaults(organisation.Id));
        db.ApiClients.Add(admin);
        await db.SaveChangesAsync(ct);
        audit.On("organisation", organisation.Id, organisation.Id);
        return new CreatedOrganisationResponse(organisation.ToResponse(), new CreatedApiClientResponse(admin.ToResponse(), key));
    }
}

public static class CreateOrganisationEndpoint
{
    public static RouteHandlerBuilder MapCreateOrganisation(this RouteGroupBuilder group) =>
        group.MapPost("/", Handle)
            .WithName("CreateOrganisation")
            .WithSummary("Create an organisation (school board) with its first admin client")
            .WithDescription("""
                Platform operators only (the configured bootstrap key). Creates the tenant, with the default channels
                (`school-guide`, `website`, `newsletter`, `social-media`, `parent-app`) and consent policy
                (`any-guardian`, school year ending 31 July), and an API client with the `admin` scope; its key is
                returned once, in this response, and never again. Use that key to add schools and the API clients of
                the board's systems. Takes no `Idempotency-Key`: a replay would need the key stored in plain text.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<CreatedOrganisationResponse>> Handle(
        CreateOrganisationCommand command, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(command, ct);
        return TypedResults.Created($"/v1/organisations/{created.Organisation.Id}", created);
    }
}
