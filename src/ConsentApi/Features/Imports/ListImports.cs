using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Imports;

/// <param name="SchoolId">The school.</param>
/// <param name="Limit">How many items to return, 1 to 200 (default 50).</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ListImportsQuery(
    Guid SchoolId,
    [property: Range(1, Paging.MaxLimit), DefaultValue(Paging.DefaultLimit)] int? Limit,
    [property: StringLength(FieldLengths.Cursor)] string? Cursor) : IQuery<Page<ImportJobResponse>>, IPageRequest;

public sealed class ListImportsHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<ListImportsQuery, Page<ImportJobResponse>>
{
    public async ValueTask<Page<ImportJobResponse>> Handle(ListImportsQuery query, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(query.SchoolId, client, ct);
        var after = Paging.After(query.Cursor);
        // Uploads in the order they were made: by the sequence the database took, not by the ids.
        long? afterSequence = after is null ? null
            : await db.ImportJobs.Where(j => j.Id == after && j.SchoolId == query.SchoolId).Select(j => (long?)j.Sequence).SingleOrDefaultAsync(ct) ?? long.MaxValue;
        var page = await db.ImportJobs.AsNoTracking()
            .ReadableBy(client)
            .Where(j => j.SchoolId == query.SchoolId && (afterSequence == null || j.Sequence > afterSequence))
            .OrderBy(j => j.Sequence)
            .ToPageAsync(query.Limit, j => j.Id, ct);
        return new Page<ImportJobResponse>(page.Items.Select(j => j.ToResponse()).ToList(), page.NextCursor);
    }
}

public static class ListImportsEndpoint
{
    public static RouteHandlerBuilder MapListImports(this RouteGroupBuilder group) =>
        group.MapGet("/{schoolId:guid}/imports", List)
            .WithName("ListImports")
            .WithSummary("List a school's import jobs")
            .WithDescription("""
                Every file uploaded for the school that the client may read, oldest first, with its status, progress, errors
                and result. A client with `roster:read` sees every job; a client without it sees the jobs of the kinds it may
                upload: `roster:write` the `edexml` and `guardians-csv` jobs, `consent:write` the `consent-forms-csv` jobs.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<Page<ImportJobResponse>>> List([AsParameters] ListImportsQuery query, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(query, ct));
}
