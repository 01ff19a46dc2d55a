using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Takedowns;

public sealed record GetTakedownQuery(Guid TakedownId) : IQuery<TakedownResponse>;

public sealed class GetTakedownHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetTakedownQuery, TakedownResponse>
{
    public async ValueTask<TakedownResponse> Handle(GetTakedownQuery query, CancellationToken ct) =>
        (await db.Takedowns.AsNoTracking().VisibleTo(client).Include(t => t.Pupils).SingleOrDefaultAsync(t => t.Id == query.TakedownId, ct))
        ?.ToResponse()
        ?? throw new NotFoundException("Takedown", query.TakedownId);
}

public static class GetTakedownEndpoint
{
    public static RouteHandlerBuilder MapGetTakedown(this RouteGroupBuilder group) =>
        group.MapGet("/{takedownId:guid}", Get)
            .WithName("GetTakedown")
            .WithETag<Domain.Publishing.Takedown>("takedownId")
            .WithSummary("Get a takedown task")
            .WithDescription("One task with the pupils concerned, each with the consent state and reason found.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<TakedownResponse>> Get(Guid takedownId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetTakedownQuery(takedownId), ct));
}
