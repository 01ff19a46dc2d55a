using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.ConsentForms;

/// <param name="SchoolId">Only the forms of this school (the organisation's own forms are listed without it).</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListConsentFormsQuery(
    Guid? SchoolId,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<ConsentFormResponse>>, IPageRequest;

public sealed class ListConsentFormsHandler(ConsentDbContext db, CurrentClient client)
    : IQueryHandler<ListConsentFormsQuery, Page<ConsentFormResponse>>
{
    public async ValueTask<Page<ConsentFormResponse>> Handle(ListConsentFormsQuery query, CancellationToken ct)
    {
        var after = Paging.After(query.Cursor);
        var forms = await db.ConsentForms.AsNoTracking().VisibleTo(client)
            .Where(f => (query.SchoolId == null || f.SchoolId == query.SchoolId) && (after == null || f.Id > after))
            .OrderBy(f => f.Id)
            .Include(f => f.Versions)
            .ToPageAsync(query.Limit, f => f.Id, ct);
        return new Page<ConsentFormResponse>(forms.Items.Select(f => f.ToResponse()).ToList(), forms.NextCursor);
    }
}

public static class ListConsentFormsEndpoint
{
    public static RouteHandlerBuilder MapListConsentForms(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListConsentForms")
            .WithSummary("List consent forms")
            .WithDescription("The organisation's forms and those of the schools the caller may see, with their versions.")
            .ProducesValidationProblem();

    private static async Task<Ok<Page<ConsentFormResponse>>> List(
        [AsParameters] ListConsentFormsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
