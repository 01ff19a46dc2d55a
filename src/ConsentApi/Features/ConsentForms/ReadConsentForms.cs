using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
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

public sealed record GetConsentFormQuery(Guid FormId) : IQuery<ConsentFormResponse>;

public sealed class GetConsentFormHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetConsentFormQuery, ConsentFormResponse>
{
    public async ValueTask<ConsentFormResponse> Handle(GetConsentFormQuery query, CancellationToken ct) =>
        (await db.ConsentForms.AsNoTracking().VisibleTo(client).Include(f => f.Versions)
            .SingleOrDefaultAsync(f => f.Id == query.FormId, ct))?.ToResponse()
        ?? throw new NotFoundException("Consent form", query.FormId);
}

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

public static class ReadConsentFormEndpoints
{
    public static RouteHandlerBuilder MapListConsentForms(this RouteGroupBuilder group) =>
        group.MapGet("/", List)
            .WithName("ListConsentForms")
            .WithSummary("List consent forms")
            .WithDescription("The organisation's forms and those of the schools the caller may see, with their versions.")
            .ProducesValidationProblem();

    public static RouteHandlerBuilder MapGetConsentForm(this RouteGroupBuilder group) =>
        group.MapGet("/{formId:guid}", Get)
            .WithName("GetConsentForm")
            .WithSummary("Get a consent form")
            .WithDescription("A form with a summary of each version.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static RouteHandlerBuilder MapGetFormVersion(this RouteGroupBuilder group) =>
        group.MapGet("/{formId:guid}/versions/{number:int}", GetVersion)
            .WithName("GetFormVersion")
            .WithSummary("Get a form version")
            .WithDescription("A version's full content: texts, items, validity and, once published, its content hash.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<Page<ConsentFormResponse>>> List(
        [AsParameters] ListConsentFormsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));

    private static async Task<Ok<ConsentFormResponse>> Get(Guid formId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetConsentFormQuery(formId), ct));

    private static async Task<Ok<FormVersionResponse>> GetVersion(Guid formId, int number, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetFormVersionQuery(formId, number), ct));
}

public static class ConsentFormEndpoints
{
    public static IEndpointRouteBuilder MapConsentFormEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/consent-forms").WithTags("Consent forms");
        group.MapListConsentForms().RequireScope(Scopes.ConsentRead);
        group.MapCreateConsentForm().RequireScope(Scopes.Admin);
        group.MapGetConsentForm().RequireScope(Scopes.ConsentRead);
        group.MapCreateFormVersion().RequireScope(Scopes.Admin);
        group.MapGetFormVersion().RequireScope(Scopes.ConsentRead);
        group.MapUpdateFormVersion().RequireScope(Scopes.Admin);
        group.MapPublishFormVersion().RequireScope(Scopes.Admin);
        group.MapWithdrawFormVersion().RequireScope(Scopes.Admin);
        return app;
    }
}
