using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Publishing;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Takedowns;

/// <param name="Status">`open`, `done` or `acknowledged`.</param>
/// <param name="SchoolId">Only takedowns of this school.</param>
/// <param name="PublicationId">Only takedowns of this publication.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListTakedownsQuery(
    [property: OneOf(typeof(TakedownStatus))] string? Status,
    Guid? SchoolId,
    Guid? PublicationId,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<TakedownResponse>>, IPageRequest;

public sealed class ListTakedownsHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<ListTakedownsQuery, Page<TakedownResponse>>
{
    public async ValueTask<Page<TakedownResponse>> Handle(ListTakedownsQuery query, CancellationToken ct)
    {
        var after = Paging.After(query.Cursor);
        TakedownStatus? status = query.Status switch { "open" => TakedownStatus.Open, "done" => TakedownStatus.Done,
            "acknowledged" => TakedownStatus.Acknowledged, _ => null };
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

public static class ListTakedownsEndpoint
{
    public static RouteHandlerBuilder MapListTakedowns(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListTakedowns")
            .WithSummary("List takedown tasks")
            .WithDescription("""
                One task per publication that must come down because consent ended for pupils shown in it (a
                withdrawal, a refusal, school-year expiry, a 16th birthday without the pupil's own consent). Use
                `status=open` for the work list.
                """)
            .ProducesValidationProblem();

    private static async Task<Ok<Page<TakedownResponse>>> List([AsParameters] ListTakedownsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
