using ConsentApi.Domain.Imports;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ConsentApi.Features.Imports;

/// <summary>
/// Processes queued import jobs on every instance. A job is claimed with <c>FOR UPDATE SKIP LOCKED</c>, so two instances
/// never claim the same one, and held by a lease this instance renews while it runs; when an instance stops, its lease
/// runs out and another instance claims the job again and runs it from the start (the run is one transaction, so the
/// stopped one left nothing). An upload wakes its own instance at once; the others find jobs by polling.
/// </summary>
public sealed partial class ImportWorker(
    IServiceScopeFactory scopes, NpgsqlDataSource dataSource, ImportWake wake, IOptions<ImportOptions> options, PoolRepair poolRepair,
    ILogger<ImportWorker> logger)
    : BackgroundService
{
    /// <summary>This instance, as the owner of the leases it takes.</summary>
    public string Owner { get; } = $"{Environment.ProcessId}/{Guid.NewGuid():N}";

    private ImportOptions Settings => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Settings.PollInterval <= TimeSpan.Zero)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunNextAsync(stoppingToken))
                {
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                poolRepair.After(e);
                LogPassFailed(logger, e);
            }
            try
            {
                using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                poll.CancelAfter(Settings.PollInterval);
                await wake.WaitAsync(poll.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Claims and runs the oldest job that is queued or whose lease ran out; false when there is none.</summary>
    public async Task<bool> RunNextAsync(CancellationToken ct)
    {
        if (await ClaimAsync(ct) is not { } claim)
        {
            return false;
        }
        var progress = new ImportProgress();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var heartbeat = KeepLeaseAsync(claim.Id, progress, running.Token);
        try
        {
            await RunClaimedAsync(claim, progress, ct);
        }
        finally
        {
            await running.CancelAsync();
            await heartbeat;
        }
        return true;
    }

    private sealed record Claim(Guid Id, int Attempts);

    private async Task<Claim?> ClaimAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE import_jobs
               SET status = 'Running', lease_owner = $1, lease_until = now() + $2, attempts = attempts + 1,
                   started_at = COALESCE(started_at, now())
             WHERE id = (SELECT id FROM import_jobs
                          WHERE status = 'Queued' OR (status = 'Running' AND lease_until < now())
                          ORDER BY sequence
                          LIMIT 1
                          FOR UPDATE SKIP LOCKED)
            RETURNING id, attempts
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = Owner });
        command.Parameters.Add(new NpgsqlParameter { Value = Settings.LeaseDuration });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new Claim(reader.GetGuid(0), reader.GetInt32(1)) : null;
    }

    private async Task RunClaimedAsync(Claim claim, ImportProgress progress, CancellationToken ct)
    {
        if (claim.Attempts > Settings.MaxAttempts)
        {
            await CloseAsync(claim.Id, progress, ImportStatus.Failed,
                [new ImportError(null, "/", null, $"Processing was interrupted {Settings.MaxAttempts} times; nothing was changed. Upload the file again.")],
                null, ct);
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (!await ActForUploaderAsync(scope.ServiceProvider, claim.Id, requireActive: true, ct))
            {
                await CloseAsync(claim.Id, progress, ImportStatus.Failed,
                    [new ImportError(null, "/", null, "The API client that uploaded the file was revoked before the file was processed.")],
                    null, ct);
                return;
            }
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(new RunImportCommand(claim.Id, Owner, progress), ct);
        }
        catch (ImportLeaseLostException)
        {
            // Another instance took the job over and runs it; this run was rolled back.
        }
        catch (ImportDryRunFinishedException dryRun)
        {
            await CloseAsync(claim.Id, progress, ImportStatus.Succeeded, [], dryRun.Result, ct);
        }
        catch (ImportRejectedException rejected)
        {
            await CloseAsync(claim.Id, progress, ImportStatus.Failed, rejected.Errors.Kept, null, ct, rejected.Errors.Count);
        }
        catch (RequestValidationException invalid)
        {
            // A command the processor sent refused what it was given: its fields name the place, as in a request body.
            var errors = invalid.Errors.Select(e => new ImportError(null, e.Key, null, e.Value.FirstOrDefault() ?? invalid.Message)).ToList();
            await CloseAsync(claim.Id, progress, ImportStatus.Failed, errors, null, ct);
        }
        catch (DomainException refused)
        {
            await CloseAsync(claim.Id, progress, ImportStatus.Failed, [new ImportError(null, "/", null, refused.Message)], null, ct);
        }
        catch (Exception e) when (e.AsDatabaseOutage() != DatabaseOutage.None || ct.IsCancellationRequested)
        {
            // Not the file's fault: the job waits for the next claim, here or on another instance.
            poolRepair.After(e);
            await ReleaseAsync(claim.Id);
        }
        catch (Exception e)
        {
            LogJobFailed(logger, claim.Id, e);
            await CloseAsync(claim.Id, progress, ImportStatus.Failed,
                [new ImportError(null, "/", null, "An unexpected error stopped the import; nothing was changed.")], null, ct);
        }
    }

    /// <summary>Makes the scope act for the client that uploaded the job's file, as its request would have.</summary>
    private static async Task<bool> ActForUploaderAsync(IServiceProvider services, Guid importId, bool requireActive, CancellationToken ct)
    {
        var db = services.GetRequiredService<ConsentDbContext>();
        var job = await db.ImportJobs.AsNoTracking().Where(j => j.Id == importId)
            .Select(j => new { j.OrganisationId, j.UploadedByClientId }).SingleAsync(ct);
        var uploader = await db.ApiClients.AsNoTracking().Where(c => c.Id == job.UploadedByClientId)
            .Select(c => new { c.Id, c.Scopes, c.SchoolIds, c.RevokedAt }).SingleOrDefaultAsync(ct);
        var active = uploader is not null && uploader.RevokedAt is null;
        services.GetRequiredService<CurrentClient>().ActFor(ApiKeyClaims.PrincipalFor(
            job.UploadedByClientId ?? Guid.Empty, job.OrganisationId,
            active || !requireActive ? uploader?.Scopes ?? [] : [], uploader?.SchoolIds ?? [], "ImportJob"));
        return active || !requireActive;
    }

    private async Task CloseAsync(Guid importId, ImportProgress progress, ImportStatus status, IReadOnlyList<ImportError> errors,
        string? result, CancellationToken ct, int? errorCount = null)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await ActForUploaderAsync(scope.ServiceProvider, importId, requireActive: false, ct);
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(
                new CloseImportCommand(importId, Owner, status, errors, errorCount ?? errors.Count, result, progress), ct);
        }
        catch (ImportLeaseLostException)
        {
        }
    }

    /// <summary>Gives a job back to the queue without counting the attempt: the next claim, on any instance, runs it.</summary>
    private async Task ReleaseAsync(Guid importId)
    {
        try
        {
            await using var command = dataSource.CreateCommand("""
                UPDATE import_jobs SET status = 'Queued', lease_owner = NULL, lease_until = NULL, attempts = attempts - 1
                 WHERE id = $1 AND lease_owner = $2 AND status = 'Running'
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = importId });
            command.Parameters.Add(new NpgsqlParameter { Value = Owner });
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // The lease runs out by itself.
            LogReleaseFailed(logger, importId, e);
        }
    }

    /// <summary>Renews the lease and writes the progress, on a connection of its own, until the run ends.</summary>
    private async Task KeepLeaseAsync(Guid importId, ImportProgress progress, CancellationToken ct)
    {
        var interval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, Settings.LeaseDuration.Ticks / 3));
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await using var command = dataSource.CreateCommand("""
                        UPDATE import_jobs SET lease_until = now() + $3, processed = $4, total = COALESCE($5, total)
                         WHERE id = $1 AND lease_owner = $2 AND status = 'Running'
                        """);
                    command.Parameters.Add(new NpgsqlParameter { Value = importId });
                    command.Parameters.Add(new NpgsqlParameter { Value = Owner });
                    command.Parameters.Add(new NpgsqlParameter { Value = Settings.LeaseDuration });
                    command.Parameters.Add(new NpgsqlParameter { Value = progress.Processed });
                    command.Parameters.Add(new NpgsqlParameter<int?> { TypedValue = progress.Total });
                    await command.ExecuteNonQueryAsync(ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    LogHeartbeatFailed(logger, importId, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A pass of the import worker failed; it looks again at the next poll.")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Import job {ImportId} failed unexpectedly; nothing was changed.")]
    private static partial void LogJobFailed(ILogger logger, Guid importId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import job {ImportId} could not be given back; its lease runs out instead.")]
    private static partial void LogReleaseFailed(ILogger logger, Guid importId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of import job {ImportId} could not be renewed.")]
    private static partial void LogHeartbeatFailed(ILogger logger, Guid importId, Exception exception);
}
