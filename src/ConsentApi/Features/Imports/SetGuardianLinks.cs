using ConsentApi.Features.Consents;
using ConsentApi.Features.Roster;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Imports;

/// <summary>The guardians of some pupils of a school, as a guardians file lists them (checked already).</summary>
/// <param name="Guardians">Every guardian the file names, by external id, with the name the school knows them by.</param>
/// <param name="Pupils">Each listed pupil's complete set of links: guardian external id → parental authority.</param>
public sealed record SetGuardianLinksCommand(
    Guid SchoolId,
    IReadOnlyDictionary<string, string> Guardians,
    IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, bool>> Pupils) : ICommand<SetGuardianLinksResult>;

/// <param name="Guardians">What happened to each guardian, by external id.</param>
/// <param name="Links">What happened to each listed link, by pupil id and guardian external id.</param>
/// <param name="Removed">The links removed, by pupil id: the guardians' external ids.</param>
public sealed record SetGuardianLinksResult(
    IReadOnlyDictionary<string, RosterChange> Guardians,
    IReadOnlyDictionary<(Guid PupilId, string GuardianExternalId), RosterChange> Links,
    IReadOnlyDictionary<Guid, IReadOnlyList<string>> Removed);

/// <summary>
/// Makes the links of the listed pupils exactly those given, and the school know the guardians under the names given, by
/// the roster sync's own rules (<see cref="RosterGuardians"/>); pupils not listed are untouched. Serialised with roster
/// syncs and guardian creates of the organisation, and with every consent command on the school's pupils.
/// </summary>
public sealed class SetGuardianLinksHandler(ConsentDbContext db, CurrentClient client, ConsentChanges changes, AuditScope audit)
    : ICommandHandler<SetGuardianLinksCommand, SetGuardianLinksResult>
{
    private const int ChunkSize = 1_000;

    public async ValueTask<SetGuardianLinksResult> Handle(SetGuardianLinksCommand command, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(command.SchoolId, client, ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLocks.Key(client.OrganisationId, AdvisoryLocks.Roster)})", ct);
        await changes.LockSchoolAsync(client.OrganisationId, command.SchoolId, ct);

        var guardians = await db.KnowGuardiansAsync(client.OrganisationId, command.SchoolId,
            command.Guardians.Select(g => (g.Key, g.Value)), ct);
        await db.SaveChangesAsync(ct);
        var externalIdOf = guardians.ToDictionary(g => g.Value.Id, g => g.Key);

        var links = new Dictionary<(Guid, string), RosterChange>();
        var removed = new Dictionary<Guid, List<Guid>>();
        foreach (var chunk in command.Pupils.Chunk(ChunkSize))
        {
            var ids = chunk.Select(p => p.Key).ToList();
            var pupils = await db.Pupils.Where(p => p.SchoolId == command.SchoolId && ids.Contains(p.Id) && p.ErasedAt == null)
                .Include(p => p.Guardians).ToDictionaryAsync(p => p.Id, ct);
            // Checked by the import before; erased since, the pupil's record can no longer change.
            if (ids.FirstOrDefault(id => !pupils.ContainsKey(id)) is var missing && missing != Guid.Empty)
            {
                throw new NotFoundException("Pupil", missing);
            }
            var wanted = chunk.ToDictionary(p => p.Key,
                p => (IReadOnlyDictionary<Guid, bool>)p.Value.ToDictionary(l => guardians[l.Key].Id, l => l.Value));
            // Who may decide changes for these pupils: their consent may change with it.
            await changes.WillChangeAsync([.. wanted.Where(w => RosterGuardians.AuthorityChanges(pupils[w.Key], w.Value)).Select(w => w.Key)], ct);
            foreach (var (pupilId, pupilLinks) in wanted)
            {
                var (changed, gone) = RosterGuardians.SetLinks(pupils[pupilId], pupilLinks);
                foreach (var (guardianId, change) in changed)
                {
                    links[(pupilId, externalIdOf[guardianId])] = change;
                }
                if (gone.Count > 0)
                {
                    removed[pupilId] = gone;
                }
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        var goneIds = removed.Values.SelectMany(g => g).Distinct().ToList();
        var goneExternal = await db.Guardians.Where(g => goneIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.ExternalId, ct);
        audit.On("school", command.SchoolId);
        return new SetGuardianLinksResult(
            guardians.ToDictionary(g => g.Key, g => g.Value.Change),
            links,
            removed.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)[.. r.Value.Select(id => goneExternal[id]).Order(StringComparer.Ordinal)]));
    }
}
