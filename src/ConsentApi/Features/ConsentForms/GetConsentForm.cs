using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ConsentForms;

public sealed record GetConsentFormQuery(Guid FormId) : IQuery<ConsentFormResponse>;

public sealed class GetConsentFormHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetConsentFormQuery, ConsentFormResponse>
{
    public async ValueTask<ConsentFormResponse> Handle(GetConsentFormQuery query, CancellationToken ct) =>
        (await db.ConsentForms.AsNoTracking().VisibleTo(client).Include(f => f.Versions)
            .SingleOrDefaultAsync(f => f.Id == query.FormId, ct))?.ToResponse()
        ?? throw new NotFoundException("Consent form", query.FormId);
}

public static class GetConsentFormEndpoint
{
    public static RouteHandlerBuilder MapGetConsentForm(this RouteGroupBuilder group) =>
        group.MapGet("/{formId:guid}", Get)
            .WithName("GetConsentForm")
            .WithSummary("Get a consent form")
            .WithDescription("A form with a summary of each version.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ConsentFormResponse>> Get(Guid formId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetConsentFormQuery(formId), ct));
}
