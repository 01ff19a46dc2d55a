using ConsentApi.Infrastructure.Jobs;
using ConsentApi.Domain;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Features.Pupils;

public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>How often the job looks for pupils whose retention period has passed; zero switches it off.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Erases the personal data of pupils whose organisation's retention period after leaving has passed: from the local day
/// after the day they left plus <see cref="Organisation.KeepMonthsAfterLeaving"/> months. The pupils are found with one
/// query per run; each is then erased in its own transaction by <see cref="PupilEraser"/>, which locks the pupil and
/// looks again whether it was erased meanwhile, so several instances running the job erase, audit and announce each
/// pupil once.
/// </summary>
public sealed class RetentionSweep(
    IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionSweep> logger,
    PoolRepair poolRepair)
    : PeriodicJob(logger, poolRepair)
{
    /// <summary>The audit trail's request id for erasures the job made: no request asked for them.</summary>
    public const string RequestId = "retention-sweep";

    private sealed record Candidate(Guid PupilId, Guid OrganisationId, DateOnly LeftOn, int KeepMonths, string TimeZone);

    protected override TimeSpan Interval => options.Value.Interval;

    protected override Task RunOnceAsync(CancellationToken ct) => SweepOnceAsync(ct);

    /// <summary>Erases every pupil due now; returns how many this run erased.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var erased = 0;
        foreach (var pupil in await FindDueAsync(now, ct))
        {
            try
            {
                erased += await EraseAsync(pupil, ct) ? 1 : 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One pupil's failure (a lock time-out) does not hold up the others' erasure; the next run tries again.
                LogFailure(e);
            }
        }
        return erased;
    }

    /// <summary>Whether a pupil who left on <paramref name="leftOn"/> is to be erased on the local day <paramref name="today"/>.</summary>
    public static bool IsDue(DateOnly leftOn, int keepMonths, DateOnly today) => today > leftOn.AddMonths(keepMonths);

    private async Task<List<Candidate>> FindDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        // A broad bound first (no organisation keeps data for less than the minimum, and days differ by at most a day
        // between time zones); the exact local day is decided per pupil below.
        var latest = ConsentCalendar.Default.DayOf(now).AddDays(2).AddMonths(-RetentionPolicy.MinKeepMonths);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        var candidates = await (from p in db.Pupils.AsNoTracking()
                                join o in db.Organisations on p.OrganisationId equals o.Id
                                where p.Status == PupilStatus.Left && p.ErasedAt == null && p.LeftOn != null && p.LeftOn < latest
                                select new Candidate(p.Id, p.OrganisationId, p.LeftOn!.Value, o.KeepMonthsAfterLeaving, o.TimeZone))
            .ToListAsync(ct);
        return candidates.Where(c => IsDue(c.LeftOn, c.KeepMonths, ConsentCalendar.For(c.TimeZone).DayOf(now))).ToList();
    }

    private async Task<bool> EraseAsync(Candidate pupil, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ConsentDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var outcome = await services.GetRequiredService<PupilEraser>()
            .EraseAsync(pupil.OrganisationId, pupil.PupilId, ErasureReason.Retention, clientId: null, ct);
        if (!outcome.Erased)
        {
            // Another instance erased the pupil between the search and the lock.
            return false;
        }
        await services.GetRequiredService<ConsentChanges>().ApplyAsync(ct);
        db.AuditEvents.Add(new AuditEvent
        {
            OrganisationId = pupil.OrganisationId,
            ClientId = null,
            Action = "ErasePupil",
            ResourceType = "pupil",
            ResourceId = pupil.PupilId,
            RequestId = RequestId,
            OccurredAt = outcome.Erasure.ErasedAt,
        });
        // The consequences' announced states and events are statements (CommandWrites): saved with the tracked changes.
        await services.GetRequiredService<CommandWrites>().SaveAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }
}
