using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

/// <param name="SchoolId">The school.</param>
/// <param name="GroupId">Only pupils of this group.</param>
/// <param name="Status">Only pupils with this status: `active` or `left`.</param>
/// <param name="ExternalId">The pupil with this admin-system id.</param>
/// <param name="Turning16Before">Only pupils under 16 today who turn 16 on or before this day: from then on they decide for themselves.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListPupilsQuery(
    Guid SchoolId,
    Guid? GroupId,
    [property: OneOf(typeof(PupilStatus))] string? Status,
    [property: StringLength(FieldLengths.ExternalId)] string? ExternalId,
    DateOnly? Turning16Before,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<PupilResponse>>, IPageRequest;

public sealed class ListPupilsHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock)
    : IQueryHandler<ListPupilsQuery, Page<PupilResponse>>
{
    public async ValueTask<Page<PupilResponse>> Handle(ListPupilsQuery query, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(query.SchoolId, client, ct);
        var after = Paging.After(query.Cursor);
        // Under 16 today (born after today - 16y) and 16 by the day asked (born on or before that day - 16y).
        var today = (await db.CalendarAsync(client.OrganisationId, ct)).DayOf(clock.GetUtcNow());
        if (query.Turning16Before < today)
        {
            throw new RequestValidationException("turning16Before", "Ask for a day from today on: who turns 16 by then.");
        }
        DateOnly? bornAfter = query.Turning16Before is null ? null : today.AddYears(-16);
        DateOnly? bornOnOrBefore = query.Turning16Before?.AddYears(-16);
        PupilStatus? status = query.Status switch
        {
            "active" => PupilStatus.Active,
            "left" => PupilStatus.Left,
            _ => null,
        };
        return await db.Pupils.AsNoTracking()
            .Where(p => p.SchoolId == query.SchoolId
                        && (query.GroupId == null || p.GroupId == query.GroupId)
                        && (status == null || p.Status == status)
                        && (query.ExternalId == null || p.ExternalId == query.ExternalId)
                        && (bornAfter == null || (p.DateOfBirth > bornAfter && p.DateOfBirth <= bornOnOrBefore))
                        && (after == null || p.Id > after))
            .OrderBy(p => p.Id)
            .ProjectToResponse()
            .ToPageAsync(query.Limit, p => p.Id, ct);
    }
}

public static class ListPupilsEndpoint
{
    public static RouteHandlerBuilder MapListPupils(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListPupils")
            .WithSummary("List a school's pupils")
            .WithDescription("The school's pupils, filtered by group, status or external id; `turning16Before` lists those who turn 16 soon, so the school can ask them directly.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<Page<PupilResponse>>> List(
        [AsParameters] ListPupilsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
