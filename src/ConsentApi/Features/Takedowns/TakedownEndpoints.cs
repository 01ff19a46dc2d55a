using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Publications;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Takedowns;

/// <summary>A task to take a publication down because consent ended for pupils shown in it.</summary>
/// <param name="Status">`open` until someone takes the item down, then `done`.</param>
/// <param name="Pupils">The pupils whose consent no longer allows the publication, each with the state and reason found.</param>
public sealed record TakedownResponse(
    Guid Id,
    Guid SchoolId,
    Guid PublicationId,
    TakedownStatus Status,
    DateTimeOffset OpenedAt,
    DateTimeOffset? CompletedAt,
    [property: MaxLength(FieldLengths.Name)] string? CompletedBy,
    [property: MaxLength(FieldLengths.Note)] string? CompletionNote,
    [property: MaxLength(200)] IReadOnlyList<TakedownPupilResponse> Pupils);

public sealed record TakedownPupilResponse(
    Guid PupilId,
    ConsentState State,
    [property: MaxLength(FieldLengths.Reason)] string Reason,
    DateTimeOffset AddedAt);

/// <summary>Who took the item down, and how.</summary>
/// <param name="CompletedBy">The person or system, e.g. "Website-beheerder M. Jansen".</param>
/// <param name="Note">How, e.g. "Foto verwijderd van website en Facebook".</param>
public sealed record CompleteTakedownRequest(
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 2)] string CompletedBy,
    [property: StringLength(FieldLengths.Note, MinimumLength = 1)] string? Note);

internal static class TakedownMapping
{
    public static TakedownResponse ToResponse(this Takedown t) => new(t.Id, t.SchoolId, t.PublicationId, t.Status, t.OpenedAt,
        t.CompletedAt, t.CompletedBy, t.CompletionNote,
        t.Pupils.OrderBy(p => p.AddedAt).ThenBy(p => p.PupilId).Select(p => new TakedownPupilResponse(p.PupilId, p.State, p.Reason, p.AddedAt)).ToList());
}

/// <param name="Status">`open` or `done`.</param>
/// <param name="SchoolId">Only takedowns of this school.</param>
/// <param name="PublicationId">Only takedowns of this publication.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListTakedownsQuery(
    [property: AllowedValues(null, "open", "done")] string? Status,
    Guid? SchoolId,
    Guid? PublicationId,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<TakedownResponse>>, IPageRequest;

public sealed class ListTakedownsHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<ListTakedownsQuery, Page<TakedownResponse>>
{
    public async ValueTask<Page<TakedownResponse>> Handle(ListTakedownsQuery query, CancellationToken ct)
    {
        var after = Paging.After(query.Cursor);
        TakedownStatus? status = query.Status switch { "open" => TakedownStatus.Open, "done" => TakedownStatus.Done, _ => null };
        var page = await db.Takedowns.AsNoTracking().VisibleTo(client).Include(t => t.Pupils)
            .Where(t => (status == null || t.Status == status)
                        && (query.SchoolId == null || t.SchoolId == query.SchoolId)
                        && (query.PublicationId == null || t.PublicationId == query.PublicationId)
                        && (after == null || t.Id > after))
            .OrderBy(t => t.Id)
            .ToPageAsync(query.Limit, t => t.Id, ct);
        return new Page<TakedownResponse>(page.Items.Select(t => t.ToResponse()).ToList(), page.NextCursor);
    }
}

public sealed record GetTakedownQuery(Guid TakedownId) : IQuery<TakedownResponse>;

public sealed class GetTakedownHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetTakedownQuery, TakedownResponse>
{
    public async ValueTask<TakedownResponse> Handle(GetTakedownQuery query, CancellationToken ct) =>
        (await db.Takedowns.AsNoTracking().VisibleTo(client).Include(t => t.Pupils).SingleOrDefaultAsync(t => t.Id == query.TakedownId, ct))
        ?.ToResponse()
        ?? throw new NotFoundException("Takedown", query.TakedownId);
}

public sealed record CompleteTakedownCommand(Guid TakedownId, CompleteTakedownRequest Request) : ICommand<TakedownResponse>;

public sealed class CompleteTakedownHandler(ConsentDbContext db, CurrentClient client, EventOutbox events, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CompleteTakedownCommand, TakedownResponse>
{
    public async ValueTask<TakedownResponse> Handle(CompleteTakedownCommand command, CancellationToken ct)
    {
        var publicationId = await db.Takedowns.VisibleTo(client).Where(t => t.Id == command.TakedownId)
                                .Select(t => (Guid?)t.PublicationId).SingleOrDefaultAsync(ct)
                            ?? throw new NotFoundException("Takedown", command.TakedownId);
        await db.LockPublicationAsync(publicationId, ct);
        var takedown = await db.Takedowns.Include(t => t.Pupils).SingleAsync(t => t.Id == command.TakedownId, ct);
        if (takedown.Status == TakedownStatus.Done)
        {
            throw new ConflictException("The takedown is already done.");
        }
        var now = clock.GetUtcNow();
        takedown.Complete(now, command.Request.CompletedBy.Trim(), command.Request.Note);
        var publication = await db.Publications.SingleAsync(p => p.Id == takedown.PublicationId, ct);
        publication.Remove(now, command.Request.Note ?? "Taken down.");
        await events.AddAsync(EventTypes.TakedownCompleted, takedown.OrganisationId, takedown.SchoolId, new TakedownCompletedEvent(takedown.Id, publication.Id), ct);
        audit.On("takedown", takedown.Id);
        return takedown.ToResponse();
    }
}

public static class TakedownEndpoints
{
    public static IEndpointRouteBuilder MapTakedownEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/takedowns").WithTags("Takedowns");
        group.MapGet("/", List)
            .WithName("ListTakedowns")
            .WithSummary("List takedown tasks")
            .WithDescription("""
                One task per publication that must come down because consent ended for pupils shown in it (a
                withdrawal, a refusal, school-year expiry, a 16th birthday without the pupil's own consent). Use
                `status=open` for the work list.
                """)
            .ProducesValidationProblem()
            .RequireScope(Scopes.ConsentRead);
        group.MapGet("/{takedownId:guid}", Get)
            .WithName("GetTakedown")
            .WithSummary("Get a takedown task")
            .WithDescription("One task with the pupils concerned, each with the consent state and reason found.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ConsentRead);
        group.MapPost("/{takedownId:guid}/complete", Complete)
            .WithName("CompleteTakedown")
            .WithSummary("Mark a takedown done")
            .WithDescription("Records who took the item down and how, and marks the publication removed. A done task cannot be completed again (409).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(Scopes.ConsentWrite);
        return app;
    }

    private static async Task<Ok<Page<TakedownResponse>>> List([AsParameters] ListTakedownsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));

    private static async Task<Ok<TakedownResponse>> Get(Guid takedownId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetTakedownQuery(takedownId), ct));

    private static async Task<Ok<TakedownResponse>> Complete(Guid takedownId, CompleteTakedownRequest request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new CompleteTakedownCommand(takedownId, request), ct));
}
