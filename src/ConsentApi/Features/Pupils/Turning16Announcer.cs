using ConsentApi.Infrastructure.Jobs;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ConsentApi.Features.Pupils;

public sealed class Turning16Options
{
    public const string Section = "Turning16";

    /// <summary>How many local days before the 16th birthday the <c>upcoming</c> event is sent.</summary>
    public int NoticeDays { get; set; } = 30;

    /// <summary>How often the job looks for pupils turning 16; zero switches it off.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Announces 16th birthdays as <c>pupil.turning-16</c> events: once when the birthday is within the notice period and
/// once on the local day itself, when the pupil starts to decide. On the day it also announces the consent that changed
/// with it (a guardians' grant becomes <c>needs-pupil-consent</c>) as <c>consent.changed</c>, under the pupils' locks like
/// any command. The pupils are found with one query per run; each organisation is then handled in its own transaction
/// under an advisory lock, and a notice row keyed by (pupil, occasion, birthday) records what was sent, so several
/// instances running the job send each event once. A birthday missed while no instance ran is still announced within
/// <see cref="CatchUpDays"/>.
/// </summary>
public sealed class Turning16Announcer(
    IServiceScopeFactory scopes, IOptions<Turning16Options> options, TimeProvider clock, ILogger<Turning16Announcer> logger,
    PoolRepair poolRepair)
    : PeriodicJob(logger, poolRepair)
{
    public const int CatchUpDays = 7;

    private sealed record Due(Guid PupilId, Guid OrganisationId, Guid SchoolId, Turning16Occasion Occasion, DateOnly Birthday, DateOnly Today);

    protected override TimeSpan Interval => options.Value.Interval;

    protected override Task RunOnceAsync(CancellationToken ct) => AnnounceOnceAsync(ct);

    public async Task AnnounceOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await FindDueAsync(now, ct);
        foreach (var organisation in due.GroupBy(d => d.OrganisationId))
        {
            try
            {
                await AnnounceAsync(organisation.Key, organisation.ToList(), now, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One organisation's failure (a lock time-out) does not hold up the others' announcements.
                LogFailure(e);
            }
        }
    }

    /// <summary>The announcements due now that have not been sent, found with one query for every organisation.</summary>
    private async Task<List<Due>> FindDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var notice = Math.Max(0, options.Value.NoticeDays);
        // A broad window of dates of birth around the default zone's day: time zones differ by at most 26 hours, and
        // someone born on 29 February turns 16 on 1 March. The exact local day is decided per pupil below.
        var around = ConsentCalendar.Default.DayOf(now);
        var bornFrom = around.AddDays(-CatchUpDays - 2).AddYears(-16).AddDays(-1);
        var bornTo = around.AddDays(notice + 2).AddYears(-16);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        var candidates = await (from p in db.Pupils.AsNoTracking()
                                join o in db.Organisations on p.OrganisationId equals o.Id
                                where p.Status == PupilStatus.Active && p.DateOfBirth >= bornFrom && p.DateOfBirth <= bornTo
                                select new
                                {
                                    p.Id, p.OrganisationId, p.SchoolId, p.DateOfBirth, o.TimeZone,
                                    Sent = db.Turning16Notices.Where(n => n.PupilId == p.Id).Select(n => new { n.Occasion, n.Birthday }).ToList(),
                                }).ToListAsync(ct);

        var due = new List<Due>();
        foreach (var pupil in candidates)
        {
            var today = ConsentCalendar.For(pupil.TimeZone).DayOf(now);
            var birthday = ConsentCalendar.SixteenthBirthday(pupil.DateOfBirth);
            var daysLeft = birthday.DayNumber - today.DayNumber;
            Turning16Occasion? occasion = daysLeft switch
            {
                > 0 when daysLeft <= notice => Turning16Occasion.Upcoming,
                <= 0 when daysLeft >= -CatchUpDays => Turning16Occasion.Birthday,
                _ => null,
            };
            if (occasion is { } o && !pupil.Sent.Any(s => s.Occasion == o && s.Birthday == birthday))
            {
                due.Add(new Due(pupil.Id, pupil.OrganisationId, pupil.SchoolId, o, birthday, today));
            }
        }
        return due;
    }

    private async Task AnnounceAsync(Guid organisationId, List<Due> due, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ConsentDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var locked = await db.Database
            .SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({AdvisoryLocks.Key(organisationId, AdvisoryLocks.Turning16)}) AS \"Value\"")
            .SingleAsync(ct);
        if (!locked)
        {
            // Another instance is announcing this organisation's birthdays now.
            return;
        }

        // What another instance sent between the search and the lock is not sent again.
        var ids = due.Select(d => d.PupilId).ToList();
        var sent = (await db.Turning16Notices.Where(n => ids.Contains(n.PupilId)).Select(n => new { n.PupilId, n.Occasion, n.Birthday })
            .ToListAsync(ct)).Select(n => (n.PupilId, n.Occasion, n.Birthday)).ToHashSet();
        due = due.Where(d => !sent.Contains((d.PupilId, d.Occasion, d.Birthday))).ToList();
        if (due.Count == 0)
        {
            return;
        }

        var events = services.GetRequiredService<EventOutbox>();
        foreach (var d in due.OrderBy(d => d.Birthday).ThenBy(d => d.PupilId, PostgresUuidOrder.Instance))
        {
            db.Turning16Notices.Add(new Turning16Notice
            {
                PupilId = d.PupilId, Occasion = d.Occasion, Birthday = d.Birthday, OrganisationId = organisationId, SentAt = now,
            });
            await events.AddAsync(EventTypes.PupilTurning16, organisationId, d.SchoolId, new PupilTurning16Event(
                d.PupilId, d.SchoolId, d.Occasion, d.Birthday, d.Today, Math.Max(0, d.Birthday.DayNumber - d.Today.DayNumber)), ct);
        }

        var birthdays = due.Where(d => d.Occasion == Turning16Occasion.Birthday).ToList();
        if (birthdays.Count > 0)
        {
            await AnnounceChangedConsentAsync(services, organisationId, birthdays, now, ct);
        }
        // The announced states and their events are statements (CommandWrites): saved with the tracked changes.
        await services.GetRequiredService<CommandWrites>().SaveAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The consent that changed with the birthday, from its state on the eve: under the pupils' locks, so the pupil's
    /// <c>consent.changed</c> chain stays unbroken whatever a command does at the same time.
    /// </summary>
    private static async Task AnnounceChangedConsentAsync(
        IServiceProvider services, Guid organisationId, List<Due> birthdays, DateTimeOffset now, CancellationToken ct)
    {
        var ids = birthdays.Select(d => d.PupilId).ToList();
        await services.GetRequiredService<ConsentChanges>().LockForChangeAsync(organisationId, ids, ct);
        var calendar = await services.GetRequiredService<ConsentDbContext>().CalendarAsync(organisationId, ct);
        var evaluator = services.GetRequiredService<ConsentEvaluator>();
        var before = new Dictionary<(Guid PupilId, MediaType MediaType, string Channel), ConsentState>();
        foreach (var day in birthdays.GroupBy(d => d.Birthday))
        {
            var eve = calendar.StartOf(day.Key).AddTicks(-TimeSpan.TicksPerMicrosecond);
            foreach (var (item, consent) in await evaluator.StatesAsync(organisationId, day.Select(d => d.PupilId).ToList(), eve, ct))
            {
                before[item] = consent.State;
            }
        }
        await services.GetRequiredService<ConsentAnnouncer>().AnnounceAsync(organisationId, ids, before, null, now, ct);
    }
}
