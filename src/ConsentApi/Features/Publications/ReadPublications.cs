using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Publications;

/// <param name="SchoolId">Only publications of this school.</param>
/// <param name="Channel">Only publications on this channel.</param>
/// <param name="PupilId">Only publications showing this pupil.</param>
/// <param name="Status">`online` or `removed`.</param>
/// <param name="From">Only publications published at or after this moment.</param>
/// <param name="To">Only publications published before this moment.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListPublicationsQuery(
    Guid? SchoolId,
    [property: StringLength(FieldLengths.ChannelKey)] string? Channel,
    Guid? PupilId,
    [property: AllowedValues(null, "online", "removed")] string? Status,
    DateTimeOffset? From,
    DateTimeOffset? To,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<PublicationResponse>>, IPageRequest;

public sealed class ListPublicationsHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<ListPublicationsQuery, Page<PublicationResponse>>
{
    public async ValueTask<Page<PublicationResponse>> Handle(ListPublicationsQuery query, CancellationToken ct)
    {
        var after = Paging.After(query.Cursor);
        var (from, to) = (Moments.Normalise(query.From), Moments.Normalise(query.To));
        PublicationStatus? status = query.Status switch { "online" => PublicationStatus.Online, "removed" => PublicationStatus.Removed, _ => null };
        // Only the stored check's summary (its id and whether it allowed): a list stays one cheap read.
        var page = await db.Publications.AsNoTracking().VisibleTo(client).Include(p => p.Pupils).Include(p => p.Check)
            .Where(p => (query.SchoolId == null || p.SchoolId == query.SchoolId)
                        && (query.Channel == null || p.ChannelKey == query.Channel)
                        && (query.PupilId == null || p.Pupils.Any(x => x.PupilId == query.PupilId))
                        && (status == null || p.Status == status)
                        && (from == null || p.PublishedAt >= from)
                        && (to == null || p.PublishedAt < to)
                        && (after == null || p.Id > after))
            .OrderBy(p => p.Id)
            .ToPageAsync(query.Limit, p => p.Id, ct);
        return new Page<PublicationResponse>(page.Items.Select(p => p.ToResponse()).ToList(), page.NextCursor);
    }
}

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
        var asKnownNow = new PublicationCheckResponse(pupils.Count == pupilIds.Count && pupils.All(p => p.Allowed),
            publication.PublishedAt, now, publication.MediaType, publication.ChannelKey, pupils);
        return publication.ToResponse(withCheck: true, asKnownNow);
    }
}

public sealed record RemovePublicationCommand(Guid PublicationId, string? Note) : ICommand<PublicationResponse>;

public sealed class RemovePublicationHandler(ConsentDbContext db, CurrentClient client, EventOutbox events, AuditScope audit, TimeProvider clock)
    : ICommandHandler<RemovePublicationCommand, PublicationResponse>
{
    public async ValueTask<PublicationResponse> Handle(RemovePublicationCommand command, CancellationToken ct)
    {
        if (!await db.Publications.VisibleTo(client).AnyAsync(p => p.Id == command.PublicationId, ct))
        {
            throw new NotFoundException("Publication", command.PublicationId);
        }
        await db.LockPublicationAsync(command.PublicationId, ct);
        var publication = await db.Publications.Include(p => p.Pupils).Include(p => p.Check)
            .SingleAsync(p => p.Id == command.PublicationId, ct);
        var now = clock.GetUtcNow();
        publication.Remove(now, command.Note);

        // Removed is what an open takedown asked for: it is done.
        var takedown = await db.Takedowns.SingleOrDefaultAsync(t => t.PublicationId == publication.Id && t.Status == TakedownStatus.Open, ct);
        if (takedown is not null)
        {
            takedown.Complete(now, "Publication removed from the register", command.Note);
            await events.AddAsync(EventTypes.TakedownCompleted, takedown.OrganisationId, takedown.SchoolId,
                new TakedownCompletedEvent(takedown.Id, publication.Id), ct);
        }
        audit.On("publication", publication.Id);
        return publication.ToResponse();
    }
}

public static class PublicationEndpoints
{
    public static IEndpointRouteBuilder MapPublicationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/publications").WithTags("Publications");
        group.MapRegisterPublication().RequireScope(Scopes.ConsentWrite);
        group.MapGet("/", List)
            .WithName("ListPublications")
            .WithSummary("List registered publications")
            .WithDescription("""
                Filter by school, channel, pupil shown, status and publication date. Each item carries its stored check's
                `checkId` and `allowedAsKnownThen`; the check itself and the comparison with what is known now are given by
                GET /v1/publications/{publicationId}.
                """)
            .ProducesValidationProblem()
            .RequireScope(Scopes.ConsentRead);
        group.MapGet("/{publicationId:guid}", Get)
            .WithName("GetPublication")
            .WithSummary("Get a publication")
            .WithDescription("""
                One registered publication with the pupils shown in it, and the proof that it was lawful when it was made:
                `asKnownThen` is the check its registration relied on, stored then and never changed (consent at
                `publishedAt` as the record stood at registration); `asKnownNow` is the same check at `publishedAt` as the
                record stands now. They differ when something about that moment was recorded later, such as a paper
                refusal dated before publication but keyed in afterwards, which also opens a takedown.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ConsentRead);
        group.MapPost("/{publicationId:guid}/remove", Remove)
            .WithName("RemovePublication")
            .WithSummary("Mark a publication removed")
            .WithDescription("The item is no longer online (or withdrawn from the register); an open takedown for it is done. It stays listed, with `removedAt`.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ConsentWrite);
        return app;
    }

    private static async Task<Ok<Page<PublicationResponse>>> List([AsParameters] ListPublicationsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));

    private static async Task<Ok<PublicationResponse>> Get(Guid publicationId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetPublicationQuery(publicationId), ct));

    private static async Task<Ok<PublicationResponse>> Remove(
        Guid publicationId, RemovePublicationRequest? request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new RemovePublicationCommand(publicationId, request?.Note), ct));
}
