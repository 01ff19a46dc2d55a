using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ApiClients;

/// <summary>A new API client with its key. Store the key now: only its hash is kept.</summary>
/// <param name="ApiKey">Send it in the <c>X-Api-Key</c> header.</param>
public sealed record CreatedApiClientResponse(ApiClientResponse Client, [property: MaxLength(FieldLengths.ApiKey)] string ApiKey);

/// <summary>A new calling system of the organisation.</summary>
/// <param name="Name">What the client is, e.g. "ParnasSys koppeling".</param>
/// <param name="Scopes">What it may do, as <c>Scope</c> values.</param>
/// <param name="SchoolIds">Limit the client to these schools; leave empty for every school of the organisation.</param>
public sealed record CreateApiClientCommand(
    [property: Required, StringLength(FieldLengths.ClientName, MinimumLength = 2)] string Name,
    [property: Required, MinLength(1), MaxLength(6), OneOf(typeof(Scope))] IReadOnlyList<string> Scopes,
    [property: MaxLength(500)] IReadOnlyList<Guid>? SchoolIds) : ICommand<CreatedApiClientResponse>;

public sealed class CreateApiClientHandler(ConsentDbContext db, CurrentClient caller, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateApiClientCommand, CreatedApiClientResponse>
{
    public async ValueTask<CreatedApiClientResponse> Handle(CreateApiClientCommand command, CancellationToken ct)
    {
        var schoolIds = command.SchoolIds?.Distinct().ToList() ?? [];
        if (caller.IsLimitedToSchools && (schoolIds.Count == 0 || schoolIds.Any(id => !caller.MaySee(id))))
        {
            throw new ForbiddenException("A client limited to some schools can only create clients limited to those schools.");
        }

        var known = await db.Schools.Where(s => s.OrganisationId == caller.OrganisationId && schoolIds.Contains(s.Id))
            .Select(s => s.Id).ToListAsync(ct);
        if (known.Count != schoolIds.Count)
        {
            throw new RequestValidationException("schoolIds",
                $"Unknown school id(s): {string.Join(", ", schoolIds.Except(known))}.");
        }

        var (client, key) = ApiClientFactory.Create(caller.OrganisationId, command.Name.Trim(), command.Scopes, schoolIds,
            clock.GetUtcNow());
        db.ApiClients.Add(client);
        audit.On("api-client", client.Id);
        return new CreatedApiClientResponse(client.ToResponse(), key);
    }
}

public static class CreateApiClientEndpoint
{
    public static RouteHandlerBuilder MapCreateApiClient(this RouteGroupBuilder group) =>
        group.MapPost("/", Handle)
            .WithName("CreateApiClient")
            .WithSummary("Create an API client and its key")
            .WithDescription("""
                Creates a client of the caller's organisation with the given scopes, optionally limited to some
                schools. The key is returned once, in this response; only its SHA-256 hash is stored. A caller that
                is itself limited to some schools can only create clients limited to (a subset of) those schools.
                Takes no `Idempotency-Key`: a replay would need the key stored in plain text. After a lost answer, list
                the clients and revoke the one whose key never arrived.
                """)
            .ProducesValidationProblem();

    private static async Task<Created<CreatedApiClientResponse>> Handle(
        CreateApiClientCommand command, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(command, ct);
        return TypedResults.Created($"/v1/api-clients/{created.Client.Id}", created);
    }
}
