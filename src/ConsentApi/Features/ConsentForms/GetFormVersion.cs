using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ConsentForms;

public sealed record GetFormVersionQuery(Guid FormId, int Number) : IQuery<FormVersionResponse>;

public sealed class GetFormVersionHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetFormVersionQuery, FormVersionResponse>
{
    public async ValueTask<FormVersionResponse> Handle(GetFormVersionQuery query, CancellationToken ct)
    {
        var visible = db.ConsentForms.VisibleTo(client).Where(f => f.Id == query.FormId).Select(f => f.Id);
        return (await db.ConsentFormVersions.AsNoTracking().Include(v => v.Items)
                   .SingleOrDefaultAsync(v => visible.Contains(v.FormId) && v.Number == query.Number, ct))?.ToResponse()
               ?? throw new NotFoundException("Form version", query.Number);
    }
}

public static class GetFormVersionEndpoint
{
    public static RouteHandlerBuilder MapGetFormVersion(this RouteGroupBuilder group) =>
        group.MapGet("/{formId:guid}/versions/{number:int}", GetVersion)
            .WithName("GetFormVersion")
            .WithETag<Domain.Consent.ConsentFormVersion>(ConsentFormAccess.VersionRowOf)
            .WithSummary("Get a form version")
            .WithDescription("A version's full content: texts, items, validity and, once published, its content hash.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<FormVersionResponse>> GetVersion(Guid formId, int number, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetFormVersionQuery(formId, number), ct));
}
