using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Organisations;

public sealed record GetOrganisationQuery(Guid OrganisationId) : IQuery<OrganisationResponse>;

public sealed class GetOrganisationHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<GetOrganisationQuery, OrganisationResponse>
{
    public async ValueTask<OrganisationResponse> Handle(GetOrganisationQuery query, CancellationToken ct)
    {
        if (!client.IsPlatform && client.OrganisationId != query.OrganisationId)
        {
            throw new NotFoundException("Organisation", query.OrganisationId);
        }
        return await db.Organisations.AsNoTracking()
                   .Where(o => o.Id == query.OrganisationId)
                   .ProjectToResponse()
                   .SingleOrDefaultAsync(ct)
               ?? throw new NotFoundException("Organisation", query.OrganisationId);
    }
}

public static class GetOrganisationEndpoint
{
    public static RouteHandlerBuilder MapGetOrganisation(this RouteGroupBuilder group) =>
        group.MapGet("/{organisationId:guid}", Handle)
            .WithName("GetOrganisation")
            .WithETag<Domain.Organisation>("organisationId")
            .WithSummary("Get an organisation")
            .WithDescription("An organisation's admin clients see their own organisation; platform operators see any.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<OrganisationResponse>> Handle(Guid organisationId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetOrganisationQuery(organisationId), ct));
}
