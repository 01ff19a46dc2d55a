using ConsentApi.Domain;
using ConsentApi.Features.Campaigns;
using ConsentApi.Features.Consents;
using ConsentApi.Features.Pupils;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Roster;

/// <param name="KeepGuardianLinks">
/// True for a roster that knows no guardians (an EDEXML file): groups and pupils are synced and absent pupils leave,
/// while the guardians and every pupil's guardian links stay as they are.
/// </param>
public sealed record SyncRosterCommand(Guid SchoolId, RosterRequest Roster, bool KeepGuardianLinks = false) : ICommand<RosterSyncResponse>;

/// <summary>
/// Brings one school in step with the admin system's roster, in one transaction: upserts by external id, moves pupils
/// between groups, relinks guardians (unless the roster keeps them), and marks absent pupils as left (never deletes them).
/// </summary>
public sealed class SyncRosterHandler(
    ConsentDbContext db, CurrentClient client, ConsentChanges changes, EventOutbox events, AuditScope audit, TimeProvider clock)
    : ICommandHandler<SyncRosterCommand, RosterSyncResponse>
{
    public async ValueTask<RosterSyncResponse> Handle(SyncRosterCommand command, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(command.SchoolId, client, ct);
        var today = (await db.CalendarAsync(client.OrganisationId, ct)).DayOf(clock.GetUtcNow());
        var roster = command.Roster;
        RosterValidation.Validate(roster, today);

        // Guardians are shared by the organisation's schools: serialise syncs per organisation so that two schools
        // adding the same new guardian at once cannot collide.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLocks.Key(client.OrganisationId, AdvisoryLocks.Roster)})", ct);
        // Any pupil of the school may change: lock them all, in the one order every consent command locks in.
        await changes.LockSchoolAsync(client.OrganisationId, command.SchoolId, ct);

        var groups = await SyncGroups(command.SchoolId, roster, ct);
        await SaveAndReleaseAsync(ct);
        var guardians = await SyncGuardians(command.SchoolId, roster, ct);
        var (pupils, links) = await SyncPupils(command.SchoolId, roster, groups.ByExternalId, guardians.ByExternalId, today,
            command.KeepGuardianLinks, ct);
        await db.AddRequestsForOpenCampaignsAsync(client.OrganisationId, command.SchoolId, clock.GetUtcNow(), ct);
        await events.AddAsync(EventTypes.RosterSynced, client.OrganisationId, command.SchoolId,
            new RosterSyncedEvent(pupils.Created, pupils.Updated, pupils.Left, pupils.Unchanged), ct);

        audit.On("school", command.SchoolId);
        return new RosterSyncResponse(groups.Counts, pupils, guardians.Counts, links);
    }

    private async Task<(RosterCounts Counts, Dictionary<string, Guid> ByExternalId)> SyncGroups(
        Guid schoolId, RosterRequest roster, CancellationToken ct)
    {
        var existing = await db.Groups.Where(g => g.SchoolId == schoolId).ToDictionaryAsync(g => g.ExternalId, ct);
        int created = 0, updated = 0, unchanged = 0;
        foreach (var wanted in roster.Groups)
        {
            var name = wanted.Name.Trim();
            if (!existing.TryGetValue(wanted.ExternalId, out var group))
            {
                group = new Group { SchoolId = schoolId, ExternalId = wanted.ExternalId, Name = name, SchoolYear = wanted.SchoolYear };
                db.Groups.Add(group);
                existing[group.ExternalId] = group;
                created++;
            }
            else if (group.Name != name || group.SchoolYear != wanted.SchoolYear)
            {
                group.Name = name;
                group.SchoolYear = wanted.SchoolYear;
                updated++;
            }
            else
            {
                unchanged++;
            }
        }
        return (new RosterCounts(created, updated, unchanged), existing.ToDictionary(g => g.Key, g => g.Value.Id));
    }

    /// <summary>Guardians by external id within the organisation, as this school knows them (see <see cref="RosterGuardians"/>).</summary>
    private async Task<(RosterCounts Counts, Dictionary<string, Guid> ByExternalId)> SyncGuardians(
        Guid schoolId, RosterRequest roster, CancellationToken ct)
    {
        var byExternalId = new Dictionary<string, Guid>(roster.Guardians.Count, StringComparer.Ordinal);
        int created = 0, updated = 0, unchanged = 0;
        // In chunks, like the pupils: 40,000 guardians and what the school knows of them tracked at once would hold
        // hundreds of MB until the one save.
        foreach (var chunk in roster.Guardians.Chunk(ChunkSize))
        {
            var known = await db.KnowGuardiansAsync(client.OrganisationId, schoolId, chunk.Select(g => (g.ExternalId, g.DisplayName)), ct);
            foreach (var (externalId, (id, change)) in known)
            {
                byExternalId[externalId] = id;
                _ = change switch
                {
                    RosterChange.Created => created++,
                    RosterChange.Updated => updated++,
                    _ => unchanged++,
                };
            }
            await SaveAndReleaseAsync(ct);
        }
        return (new RosterCounts(created, updated, unchanged), byExternalId);
    }

    /// <summary>
    /// How many pupils (and guardians) are tracked at once: a large school's roster is saved in chunks inside the one
    /// transaction. A chunk's entities, snapshots and command batch live across its round trips, long enough to be
    /// promoted, so the chunk sets how much the GC holds during a sync: 1,000 took the API to 272–282 MiB resident in a
    /// 10,000-pupil sync, 250 to 248–255 MiB, for 60 chunks of guardians and 40 of pupils instead of 15 and 10 (README,
    /// Performance: memory).
    /// </summary>
    internal const int ChunkSize = 250;

    /// <summary>Writes what is tracked and lets it go, so that a 10,000-pupil roster never sits in the change tracker whole.</summary>
    private async Task SaveAndReleaseAsync(CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    private async Task<(PupilRosterCounts Pupils, LinkRosterCounts Links)> SyncPupils(
        Guid schoolId, RosterRequest roster, Dictionary<string, Guid> groups, Dictionary<string, Guid> guardians,
        DateOnly today, bool keepLinks, CancellationToken ct)
    {
        var counts = new PupilCounts();
        foreach (var chunk in roster.Pupils.Chunk(ChunkSize))
        {
            var externalIds = chunk.Select(p => p.ExternalId).ToList();
            // An erased pupil is not the admin system's pupil any more: a roster naming its placeholder id is a duplicate.
            var existing = await db.Pupils.Where(p => p.SchoolId == schoolId && externalIds.Contains(p.ExternalId) && p.ErasedAt == null)
                .Include(p => p.Guardians)
                .AsSplitQuery()
                .ToDictionaryAsync(p => p.ExternalId, ct);
            // Who may decide, or the 16th birthday, changes for these pupils: their consent may change with it.
            var changing = chunk.Where(w => existing.TryGetValue(w.ExternalId, out var p) && ConsentFactsChange(p, w, guardians, keepLinks))
                .Select(w => existing[w.ExternalId].Id).ToList();
            await changes.WillChangeAsync(changing, ct);
            foreach (var wanted in chunk)
            {
                SyncPupil(schoolId, wanted, existing, groups, guardians, keepLinks, counts);
            }
            await SaveAndReleaseAsync(ct);
        }

        // Pupils the school has but the roster lacks have left; those already marked left stay as they are.
        var present = roster.Pupils.Select(p => p.ExternalId).ToHashSet(StringComparer.Ordinal);
        var absent = (await db.Pupils.AsNoTracking().Where(p => p.SchoolId == schoolId)
                .Select(p => new { p.Id, p.ExternalId, p.Status })
                .ToListAsync(ct))
            .Where(p => !present.Contains(p.ExternalId))
            .ToList();
        counts.Unchanged += absent.Count(p => p.Status != PupilStatus.Active);
        foreach (var chunk in absent.Where(p => p.Status == PupilStatus.Active).Select(p => p.Id).Chunk(ChunkSize))
        {
            // Leaving may end consent (the organisation's policy): the consequences step looks at these pupils.
            await changes.WillChangeAsync(chunk, ct);
            foreach (var pupil in await db.Pupils.Where(p => chunk.Contains(p.Id)).ToListAsync(ct))
            {
                pupil.Leave(today);
                counts.Left++;
            }
            await SaveAndReleaseAsync(ct);
        }

        return (new PupilRosterCounts(counts.Created, counts.Updated, counts.Left, counts.Unchanged),
            new LinkRosterCounts(counts.LinksCreated, counts.LinksUpdated, counts.LinksRemoved));
    }

    private static bool ConsentFactsChange(Pupil pupil, RosterPupil wanted, Dictionary<string, Guid> guardians, bool keepLinks) =>
        pupil.DateOfBirth != wanted.DateOfBirth
        || pupil.Status != PupilStatus.Active
        || !keepLinks && RosterGuardians.AuthorityChanges(pupil, WantedLinks(wanted, guardians));

    private static Dictionary<Guid, bool> WantedLinks(RosterPupil wanted, Dictionary<string, Guid> guardians) =>
        (wanted.Guardians ?? []).ToDictionary(l => guardians[l.ExternalId], l => l.HasParentalAuthority!.Value);

    private void SyncPupil(Guid schoolId, RosterPupil wanted, Dictionary<string, Pupil> existing, Dictionary<string, Guid> groups,
        Dictionary<string, Guid> guardians, bool keepLinks, PupilCounts counts)
    {
        var name = wanted.DisplayName.Trim();
        var groupId = wanted.GroupExternalId is null ? (Guid?)null : groups[wanted.GroupExternalId];
        var isNew = !existing.TryGetValue(wanted.ExternalId, out var pupil);
        var changed = false;
        if (pupil is null)
        {
            pupil = new Pupil
            {
                OrganisationId = client.OrganisationId, SchoolId = schoolId, ExternalId = wanted.ExternalId,
                DisplayName = name, DateOfBirth = wanted.DateOfBirth!.Value, GroupId = groupId,
            };
            db.Pupils.Add(pupil);
        }
        else if (pupil.DisplayName != name || pupil.DateOfBirth != wanted.DateOfBirth || pupil.GroupId != groupId
                 || pupil.Status != PupilStatus.Active)
        {
            pupil.DisplayName = name;
            pupil.DateOfBirth = wanted.DateOfBirth!.Value;
            pupil.GroupId = groupId;
            pupil.Rejoin();
            changed = true;
        }

        // A roster without guardians (an EDEXML file) keeps the links the pupil has.
        var wantedLinks = keepLinks
            ? pupil.Guardians.ToDictionary(l => l.GuardianId, l => l.HasParentalAuthority)
            : WantedLinks(wanted, guardians);
        var (links, removed) = RosterGuardians.SetLinks(pupil, wantedLinks);
        var created = links.Values.Count(c => c == RosterChange.Created);
        var updated = links.Values.Count(c => c == RosterChange.Updated);
        counts.LinksCreated += created;
        counts.LinksUpdated += updated;
        counts.LinksRemoved += removed.Count;
        changed |= removed.Count > 0 || updated > 0 || (created > 0 && !isNew);

        if (isNew) counts.Created++;
        else if (changed) counts.Updated++;
        else counts.Unchanged++;
    }

    private sealed class PupilCounts
    {
        public int Created, Updated, Left, Unchanged, LinksCreated, LinksUpdated, LinksRemoved;
    }
}

internal static class RosterValidation
{
    private const int MaxErrors = 50;

    /// <summary>Checks the roster as a whole: unique external ids, and every reference pointing inside the roster.</summary>
    public static void Validate(RosterRequest roster, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string error)
        {
            if (errors.Count < MaxErrors)
            {
                errors.TryAdd(field, [error]);
            }
        }

        // The JSON reader lets a null through as a list item; nothing after this line has to expect one.
        var nulls = roster.Groups.Select((g, i) => (Item: (object?)g, Field: $"groups[{i}]"))
            .Concat(roster.Pupils.Select((p, i) => (Item: (object?)p, Field: $"pupils[{i}]")))
            .Concat(roster.Guardians.Select((g, i) => (Item: (object?)g, Field: $"guardians[{i}]")))
            .Concat(roster.Pupils.SelectMany((p, i) =>
                (p?.Guardians ?? []).Select((l, j) => (Item: (object?)l, Field: $"pupils[{i}].guardians[{j}]"))))
            .Where(x => x.Item is null);
        foreach (var (_, field) in nulls)
        {
            Add(field, "An item cannot be null.");
        }
        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }

        var groupIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < roster.Groups.Count; i++)
        {
            var group = roster.Groups[i];
            if (!groupIds.Add(group.ExternalId))
            {
                Add($"groups[{i}].externalId", $"The external id '{group.ExternalId}' occurs twice.");
            }
            if (!SchoolYears.IsValid(group.SchoolYear))
            {
                Add($"groups[{i}].schoolYear", "A school year is two consecutive years, e.g. \"2026-2027\".");
            }
        }

        var guardianIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < roster.Guardians.Count; i++)
        {
            if (!guardianIds.Add(roster.Guardians[i].ExternalId))
            {
                Add($"guardians[{i}].externalId", $"The external id '{roster.Guardians[i].ExternalId}' occurs twice.");
            }
        }

        var pupilIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < roster.Pupils.Count; i++)
        {
            var pupil = roster.Pupils[i];
            if (!pupilIds.Add(pupil.ExternalId))
            {
                Add($"pupils[{i}].externalId", $"The external id '{pupil.ExternalId}' occurs twice.");
            }
            if (pupil.GroupExternalId is { } group && !groupIds.Contains(group))
            {
                Add($"pupils[{i}].groupExternalId", $"The roster has no group '{group}'.");
            }
            try
            {
                PupilRules.EnsurePlausibleDateOfBirth(pupil.DateOfBirth!.Value, today, $"pupils[{i}].dateOfBirth");
            }
            catch (RequestValidationException e)
            {
                foreach (var (field, messages) in e.Errors) Add(field, messages[0]);
            }

            var linked = new HashSet<string>(StringComparer.Ordinal);
            var links = pupil.Guardians ?? [];
            for (var j = 0; j < links.Count; j++)
            {
                if (!guardianIds.Contains(links[j].ExternalId))
                {
                    Add($"pupils[{i}].guardians[{j}].externalId", $"The roster has no guardian '{links[j].ExternalId}'.");
                }
                else if (!linked.Add(links[j].ExternalId))
                {
                    Add($"pupils[{i}].guardians[{j}].externalId", $"The guardian '{links[j].ExternalId}' is linked twice.");
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }
    }
}

public static class SyncRosterEndpoint
{
    public static RouteHandlerBuilder MapSyncRoster(this RouteGroupBuilder group) =>
        group.MapPut("/{schoolId:guid}/roster", Handle)
            .WithName("SyncRoster")
            .WithSummary("Replace a school's roster with the admin system's")
            .WithDescription($"""
                A full sync, in one transaction. Groups and pupils are matched by external id within the school, guardians
                by external id within the organisation; new ones are created, changed ones updated. A guardian is one
                person across the organisation's schools: the school comes to know the guardians its roster names, under
                the names it gives, and one known only at other schools counts as created for this school (their names
                there stay as they are). Pupils move to the
                group the roster names, and their guardian links become exactly those listed. Pupils of the school that
                the roster lacks are marked `left` as of today, never deleted: their consent history is proof. Sending
                the same roster again changes nothing. Accepts up to 20,000 pupils and 40,000 guardians (64 MiB).
                Every guardian a pupil links to, and every group a pupil names, must be in the same roster.
                It takes no `If-Match`: the admin system's roster replaces what differs, whatever changed since. The pupils,
                guardians and links it changes get new `ETag`s, so a change by hand sent with a tag read before is a 412.
                Syncs of one school sent at once run one after another, each whole.
                At most {RequestLimits.RosterSyncsInFlight} roster syncs run at once per instance; another waits a few seconds
                for a place, then gets 503 with `Retry-After`.
                """)
            .WithBodyLimit(RequestLimits.RosterBodyBytes)
            .WithConcurrencyGate(RequestLimits.RosterSyncsInFlight)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

    private static async Task<Ok<RosterSyncResponse>> Handle(
        Guid schoolId, RosterRequest roster, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new SyncRosterCommand(schoolId, roster), ct));
}
