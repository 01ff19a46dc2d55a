using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Publications;

public sealed record GetPublicationQuery(Guid PublicationId) : IQuery<PublicationResponse>;

/// <summary>
/// One publication with the check it relied on as stored ("as known then") and the same check at <c>publishedAt</c> as the
/// record stands now, so that anything recorded later about the moment of publication shows as a difference.
/// </summary>
public sealed class GetPublicationHandler(ConsentDbContext db, CurrentClient client, ConsentEvaluator evaluator, TimeProvider clock)
    : IQueryHandler<GetPublicationQuery, PublicationResponse>
{
    public async ValueTask<PublicationResponse> Handle(GetPublicationQuery query, CancellationToken ct)
    {
        var publication = await db.Publications.AsNoTracking().VisibleTo(client).Include(p => p.Pupils)
                .Include(p => p.Check).ThenInclude(c => c!.Pupils).AsSplitQuery()
                .SingleOrDefaultAsync(p => p.Id == query.PublicationId, ct)
            ?? throw new NotFoundException("Publication", query.PublicationId);

        var now = Moments.Normalise(clock.GetUtcNow());
        var pupilIds = publication.Pupils.Select(p => p.PupilId).Order().ToList();
        var consent = await evaluator.EvaluateAsync(publication.OrganisationId,
            pupilIds.Select(id => (id, publication.MediaType, publication.ChannelKey)).ToList(), publication.PublishedAt, now, ct);
        // A pupil the facts no longer hold is left out and counts as not allowed.
        var pupils = consent.OrderBy(c => c.Key.PupilId)
            .Select(c => new PupilCheckResult(c.Key.PupilId, c.Value.State, c.Value.Reason, c.Value.Allowed)).ToList();
        // As in the stored check, a pupil shown unrecognisable needed no consent.
        var recognisable = publication.Pupils.Where(p => p.Recognisable).Select(p => p.PupilId).ToHashSet();
        var asKnownNow = new PublicationCheckResponse(
            pupils.Count == pupilIds.Count && pupils.All(p => p.Allowed || !recognisable.Contains(p.PupilId)),
            publication.PublishedAt, now, publication.MediaType, publication.ChannelKey, pupils);
        return publication.ToResponse(withCheck: true, asKnownNow);
    }
}

public static class GetPublicationEndpoint
{
    public static RouteHandlerBuilder MapGetPublication(this RouteGroupBuilder group) =>
        group.MapGet("/{publicationId:guid}", Get)
            .WithName("GetPublication")
            .WithETag<Domain.Publishing.Publication>("publicationId")
            .WithSummary("Get a publication")
            .WithDescription("""
                One registered publication with the pupils shown in it, and the proof that it was lawful when it was made:
                `asKnownThen` is the check its registration relied on, stored then and never changed (consent at
                `publishedAt` as the record stood at registration); `asKnownNow` is the same check at `publishedAt` as the
                record stands now. They differ when something about that moment was recorded later, such as a paper
                refusal dated before publication but keyed in afterwards, which also opens a takedown.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<PublicationResponse>> Get(Guid publicationId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetPublicationQuery(publicationId), ct));
}
