using System.Text.Json.Serialization;
using ConsentApi.Domain.Imports;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ConsentApi.Features.Imports;

/// <summary>Runs a claimed job's processor in one transaction and marks the job succeeded in it.</summary>
/// <param name="Owner">The instance holding the job's lease.</param>
public sealed record RunImportCommand(Guid ImportId, string Owner, [property: JsonIgnore] ImportProgress Progress) : ICommand;

/// <summary>
/// One run of an import job, in the transaction the pipeline opens for it: the processor's commands join it, so the
/// whole file is applied, or nothing is. A file with errors, a dry run and a lost lease end in an exception that rolls
/// the run back (<see cref="ImportWorker"/> then records the outcome).
/// </summary>
public sealed class RunImportHandler(
    ConsentDbContext db, CurrentClient client, IEnumerable<IImportProcessor> processors, NpgsqlDataSource dataSource,
    EventOutbox events, AuditScope audit, TimeProvider clock)
    : ICommandHandler<RunImportCommand>
{
    public async ValueTask<Unit> Handle(RunImportCommand command, CancellationToken ct)
    {
        var job = await db.ImportJobs.AsNoTracking().SingleAsync(j => j.Id == command.ImportId, ct);
        if (job.Status != ImportStatus.Running || job.LeaseOwner != command.Owner)
        {
            throw new ImportLeaseLostException();
        }
        var processor = processors.SingleOrDefault(p => p.Kind == job.Kind)
                        ?? throw new InvalidOperationException($"No processor for import kind {job.Kind}.");
        var run = new ImportRun(job.Id, job.OrganisationId, job.SchoolId, client.ClientId, job.DryRun, dataSource, command.Progress);
        var outcome = await processor.RunAsync(run, ct);
        if (run.Errors.Any)
        {
            throw new ImportRejectedException(run.Errors);
        }
        var result = ImportMapping.SerializeResult(outcome.Result);
        if (job.DryRun)
        {
            throw new ImportDryRunFinishedException(result);
        }
        await ImportJobEnd.FinishAsync(db, events, job, command.Owner, ImportStatus.Succeeded, [], 0, result, command.Progress,
            clock.GetUtcNow(), ct);
        audit.On("import", job.Id);
        return Unit.Value;
    }
}

/// <summary>Records how a run that changed nothing ended: a dry run's result, or the errors that failed the job.</summary>
public sealed record CloseImportCommand(
    Guid ImportId, string Owner, ImportStatus Status, IReadOnlyList<ImportError> Errors, int ErrorCount, string? Result,
    [property: JsonIgnore] ImportProgress Progress) : ICommand;

public sealed class CloseImportHandler(ConsentDbContext db, EventOutbox events, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CloseImportCommand>
{
    public async ValueTask<Unit> Handle(CloseImportCommand command, CancellationToken ct)
    {
        var job = await db.ImportJobs.AsNoTracking().SingleAsync(j => j.Id == command.ImportId, ct);
        await ImportJobEnd.FinishAsync(db, events, job, command.Owner, command.Status, command.Errors, command.ErrorCount, command.Result,
            command.Progress, clock.GetUtcNow(), ct);
        audit.On("import", job.Id);
        return Unit.Value;
    }
}
