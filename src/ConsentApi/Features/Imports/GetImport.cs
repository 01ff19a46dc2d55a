using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Imports;

public sealed record GetImportQuery(Guid ImportId) : IQuery<ImportJobResponse>;

public sealed class GetImportHandler(ConsentDbContext db, CurrentClient client) : IQueryHandler<GetImportQuery, ImportJobResponse>
{
    public async ValueTask<ImportJobResponse> Handle(GetImportQuery query, CancellationToken ct)
    {
        var job = await db.ImportJobs.AsNoTracking().VisibleTo(client).SingleOrDefaultAsync(j => j.Id == query.ImportId, ct)
                  ?? throw new NotFoundException("Import", query.ImportId);
        ImportAccess.EnsureReadable(job, client);
        return job.ToResponse();
    }
}

public static class GetImportEndpoint
{
    public static RouteHandlerBuilder MapGetImport(this RouteGroupBuilder group) =>
        group.MapGet("/{importId:guid}", Get)
            .WithName("GetImport")
            .WithSummary("Get an import job")
            .WithDescription("""
                The job's status, its progress while it runs, the problems found in the file (each with its line and place)
                and, once it succeeded, its result. Poll it after an upload until `status` is `succeeded` or `failed`.

                A client with `roster:read` reads every job; a client without it reads the jobs of the kinds it may upload:
                `roster:write` reads `edexml` and `guardians-csv` jobs, `consent:write` reads `consent-forms-csv` jobs. A job
                of another kind answers `403`.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <param name="importId">The import job.</param>
    private static async Task<Ok<ImportJobResponse>> Get(Guid importId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetImportQuery(importId), ct));
}
