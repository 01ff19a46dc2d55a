using ConsentApi.Infrastructure.Jobs;
using ConsentApi.Domain.Publishing;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Features.Takedowns;

public sealed class TakedownOptions
{
    public const string Section = "Takedowns";

    /// <summary>How often consent that time alone ends (school-year expiry, 16th birthdays) is swept; zero switches the sweep off.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Sweeps every organisation's online publications for consent that ended with time alone. Each organisation is swept
/// in its own transaction under an advisory lock, so several instances can run the sweep without doubling work. A
/// check at any moment gives the same answer the sweep acts on: both apply the same rules to the same decisions.
/// </summary>
public sealed class TakedownSweep(IServiceScopeFactory scopes, IOptions<TakedownOptions> options, ILogger<TakedownSweep> logger,
    PoolRepair poolRepair)
    : PeriodicJob(logger, poolRepair)
{
    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override Task RunOnceAsync(CancellationToken ct) => SweepOnceAsync(ct);

    public async Task SweepOnceAsync(CancellationToken ct)
    {
        List<Guid> organisations;
        await using (var scope = scopes.CreateAsyncScope())
        {
            organisations = await scope.ServiceProvider.GetRequiredService<ConsentDbContext>().Publications
                .Where(p => p.Status == PublicationStatus.Online).Select(p => p.OrganisationId).Distinct().ToListAsync(ct);
        }

        foreach (var organisationId in organisations)
        {
            try
            {
                await SweepOrganisationAsync(organisationId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One organisation's failure (a time-out, a deadlock) does not hold up the others' takedowns.
                LogFailure(e);
            }
        }
    }

    private async Task SweepOrganisationAsync(Guid organisationId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var locked = await db.Database
            .SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({AdvisoryLocks.Key(organisationId, AdvisoryLocks.Sweep)}) AS \"Value\"")
            .SingleAsync(ct);
        if (!locked)
        {
            return;
        }
        await scope.ServiceProvider.GetRequiredService<TakedownScanner>().ScanAsync(organisationId, null, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        scope.ServiceProvider.GetRequiredService<AfterCommit>().Run();
    }
}
