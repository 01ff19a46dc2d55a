using System.Text.Encodings.Web;
using System.Text.Json;
using ConsentApi.Domain;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Events;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

/// <summary>
/// Erases one pupil's personal data, inside the caller's transaction and under the pupil's lock: the one erasure both the
/// erasure request and the retention job use. Kept is the ledger the organisation needs to prove lawful processing (who
/// decided what, when, how and to which form text; enrolment, links and dates of birth; publication checks), under ids.
/// Blanked in place: the pupil's name and external id, the notes and proof references of their decisions, their proof
/// files' content and names, and the name and external id of every guardian who has no other pupil whose data is kept;
/// stored answers of retried requests that named them are deleted and event records are scrubbed of their names. The
/// append-only triggers let exactly these changes through, and only for an erased pupil (see docs/retention.md).
/// </summary>
public sealed class PupilEraser(ConsentDbContext db, ConsentChanges changes, EventOutbox events, TimeProvider clock)
{
    /// <summary>What replaces a name or external id found in an event record.</summary>
    public const string Scrubbed = "[erased]";

    /// <summary>The outcome: the erasure record, and whether this call made it (false when the pupil was erased before).</summary>
    public sealed record Outcome(PupilErasure Erasure, bool Erased);

    /// <summary>
    /// Erases the pupil of <paramref name="organisationId"/>, or returns the record of its earlier erasure. Refuses a pupil
    /// who is still at the school. The caller has checked that it may see the pupil.
    /// </summary>
    public async Task<Outcome> EraseAsync(Guid organisationId, Guid pupilId, ErasureReason reason, Guid? clientId, CancellationToken ct)
    {
        // Under the lock, so that of two erasures at once the second finds the first's record (and writes nothing).
        await changes.LockForChangeAsync(organisationId, [pupilId], ct);
        var pupil = await db.Pupils.AsNoTracking().Where(p => p.Id == pupilId && p.OrganisationId == organisationId)
                        .Select(p => new { p.Id, p.SchoolId, p.ExternalId, p.DisplayName, p.Status, p.ErasedAt })
                        .SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException("Pupil", pupilId);
        if (pupil.ErasedAt is not null)
        {
            return new Outcome(await db.PupilErasures.AsNoTracking().SingleAsync(e => e.PupilId == pupilId, ct), Erased: false);
        }
        if (pupil.Status != PupilStatus.Left)
        {
            throw new ConflictException(
                "The pupil is still at the school; a pupil's data can be erased only after they left, as the school keeps the administration of its pupils.");
        }

        var now = clock.GetUtcNow();
        var placeholder = ErasedPupil.ExternalId(pupilId);
        // First the pupil: the append-only triggers let the ledger's personal fields be blanked only for an erased pupil.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE pupils SET display_name = {ErasedPupil.DisplayName}, external_id = {placeholder}, erased_at = {now}
            WHERE id = {pupilId}
            """, ct);
        var decisionNotes = await db.Database.ExecuteSqlAsync($"""
            UPDATE decisions SET note = NULL, proof_reference = NULL
            WHERE pupil_id = {pupilId} AND (note IS NOT NULL OR proof_reference IS NOT NULL)
            """, ct);
        var proofFiles = await db.Database.ExecuteSqlAsync($"""
            UPDATE proof_files SET file_name = {ErasedPupil.FileName}, erased_at = {now}
            WHERE pupil_id = {pupilId} AND erased_at IS NULL
            """, ct);
        // The API's role cannot delete proof file content itself: the database deletes that of files marked erased.
        await db.Database.SqlQuery<int>($"SELECT erase_proof_file_content({pupilId}) AS \"Value\"").SingleAsync(ct);

        var guardians = await ErasableGuardiansAsync(pupilId, ct);
        var guardianIds = guardians.Select(g => g.Id).ToArray();
        // The words to find: the pupil's and such guardians' names (every school's name for them) and external ids.
        var words = new[] { pupil.DisplayName, pupil.ExternalId }
            .Concat(guardians.SelectMany(g => g.Names.Append(g.ExternalId)))
            .Where(w => w.Length >= MinWordLength)
            .SelectMany(Spellings).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var guardian in guardians)
        {
            await db.Database.ExecuteSqlAsync($"""
                UPDATE guardians SET display_name = {ErasedPupil.GuardianDisplayName}, external_id = {ErasedPupil.ExternalId(guardian.Id)}
                WHERE id = {guardian.Id}
                """, ct);
            await db.Database.ExecuteSqlAsync($"""
                UPDATE guardian_schools SET display_name = {ErasedPupil.GuardianDisplayName} WHERE guardian_id = {guardian.Id}
                """, ct);
        }

        // A stored answer is only there for a retry: one that names the pupil or such a guardian, by id or by name, goes.
        var ids = guardianIds.Append(pupilId).Select(id => id.ToString()).ToArray();
        var storedResponses = await db.Database.ExecuteSqlAsync($"""
            DELETE FROM idempotency_keys
            WHERE client_id IN (SELECT id FROM api_clients WHERE organisation_id = {organisationId})
              AND EXISTS (SELECT FROM unnest({words.Concat(ids).ToArray()}::text[]) AS w(word) WHERE strpos(response, w.word) > 0)
            """, ct);
        // Events carry ids by design; should a name have slipped into one, or into a receiver's error text, it is replaced.
        var eventRecords = await ScrubAsync("outbox_events", "payload", organisationId, words, ct)
                           + await ScrubAsync("webhook_attempt", "error", organisationId, words, ct);

        var erasure = new PupilErasure
        {
            PupilId = pupilId, OrganisationId = organisationId, SchoolId = pupil.SchoolId, ErasedAt = now, Reason = reason,
            ErasedByClientId = clientId, DecisionNotes = decisionNotes, ProofFiles = proofFiles, Guardians = guardians.Count,
            StoredResponses = storedResponses, EventRecords = eventRecords,
        };
        db.PupilErasures.Add(erasure);
        await events.AddAsync(EventTypes.PupilErased, organisationId, pupil.SchoolId,
            new PupilErasedEvent(pupilId, pupil.SchoolId, now, reason), ct);
        await db.SaveChangesAsync(ct);
        return new Outcome(erasure, Erased: true);
    }

    /// <summary>Shorter words (an external id "7") would match everywhere and say nothing about anyone.</summary>
    private const int MinWordLength = 3;

    private sealed record ErasableGuardian(Guid Id, string ExternalId, IReadOnlyList<string> Names);

    /// <summary>
    /// The pupil's guardians, now or ever linked, none of whose pupils (now or ever linked) is kept any more: the pupil is
    /// marked erased already, so a guardian of this pupil alone qualifies, and a parent of a sibling at school does not.
    /// </summary>
    private async Task<List<ErasableGuardian>> ErasableGuardiansAsync(Guid pupilId, CancellationToken ct)
    {
        // Two siblings erased at once would each see the other still kept and leave their parent's name: the guardians are
        // locked (in id order) before the question is asked, so the second asks it after the first committed.
        await db.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM guardians
            WHERE id IN (SELECT guardian_id FROM guardian_link_changes WHERE pupil_id = {pupilId}
                         UNION SELECT guardian_id FROM guardian_links WHERE pupil_id = {pupilId})
            ORDER BY id FOR UPDATE
            """).ToListAsync(ct);
        var rows = await db.Database.SqlQuery<GuardianRow>($"""
            WITH theirs AS (
                SELECT guardian_id FROM guardian_link_changes WHERE pupil_id = {pupilId}
                UNION SELECT guardian_id FROM guardian_links WHERE pupil_id = {pupilId}),
            linked AS (
                SELECT guardian_id, pupil_id FROM guardian_link_changes WHERE guardian_id IN (SELECT guardian_id FROM theirs)
                UNION SELECT guardian_id, pupil_id FROM guardian_links WHERE guardian_id IN (SELECT guardian_id FROM theirs))
            SELECT g.id, g.external_id, g.display_name,
                   coalesce(array_agg(k.display_name::text) FILTER (WHERE k.display_name IS NOT NULL), ARRAY[]::text[]) AS school_names
            FROM guardians g LEFT JOIN guardian_schools k ON k.guardian_id = g.id
            WHERE g.id IN (SELECT guardian_id FROM theirs)
              AND g.external_id <> 'erased-' || g.id::text
              AND NOT EXISTS (SELECT FROM linked l JOIN pupils p ON p.id = l.pupil_id
                              WHERE l.guardian_id = g.id AND p.erased_at IS NULL)
            GROUP BY g.id, g.external_id, g.display_name
            ORDER BY g.id
            """).ToListAsync(ct);
        return rows.Select(r => new ErasableGuardian(r.Id, r.ExternalId,
            [.. r.SchoolNames.Append(r.DisplayName).Distinct(StringComparer.Ordinal)])).ToList();
    }

    private sealed class GuardianRow
    {
        public Guid Id { get; init; }
        public required string ExternalId { get; init; }
        public required string DisplayName { get; init; }
        public required string[] SchoolNames { get; init; }
    }

    /// <summary>Replaces every word in <paramref name="column"/> of the organisation's rows of <paramref name="table"/>; the number of rows changed.</summary>
    private async Task<int> ScrubAsync(string table, string column, Guid organisationId, string[] words, CancellationToken ct)
    {
        if (words.Length == 0)
        {
            return 0;
        }
        var owner = table == "outbox_events"
            ? "organisation_id = {0}"
            : "delivery_id IN (SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE s.organisation_id = {0})";
        // Longer words first, so that a name is replaced whole before a shorter word inside it.
        var ordered = words.OrderByDescending(w => w.Length).ToArray();
        // The outbox keeps its payloads as jsonb: replaced in their text, which stays valid JSON (the placeholder needs no escaping).
        var (text, back) = table == "outbox_events" ? ($"{column}::text", "::jsonb") : (column, "");
        var replaced = text;
        for (var i = 0; i < ordered.Length; i++)
        {
            replaced = $"replace({replaced}, {{{i + 2}}}, {{1}})";
        }
        // Table and column names are this class's own constants, never input; every value is a parameter.
#pragma warning disable EF1002
        return await db.Database.ExecuteSqlRawAsync($"""
            UPDATE {table} SET {column} = ({replaced}){back}
            WHERE {owner} AND {column} IS NOT NULL AND {text} <> {replaced}
            """, [organisationId, Scrubbed, .. ordered], ct);
#pragma warning restore EF1002
    }

    /// <summary>A word as it may be written: as is, and as JSON escapes it (an accented name in an event body).</summary>
    private static IEnumerable<string> Spellings(string word)
    {
        yield return word;
        yield return JsonEncodedText.Encode(word).ToString();
        yield return JsonEncodedText.Encode(word, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
    }
}
