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
    [property: OneOf(typeof(PublicationStatus))] string? Status,
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

public static class ListPublicationsEndpoint
{
    public static RouteHandlerBuilder MapListPublications(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListPublications")
            .WithSummary("List registered publications")
            .WithDescription("""
                Filter by school, channel, pupil shown, status and publication date. Each item carries its stored check's
                `checkId` and `allowedAsKnownThen`; the check itself and the comparison with what is known now are given by
                GET /v1/publications/{publicationId}.
                """)
            .ProducesValidationProblem();

    private static async Task<Ok<Page<PublicationResponse>>> List([AsParameters] ListPublicationsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
