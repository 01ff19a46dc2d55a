using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Observability;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Npgsql;
using NpgsqlTypes;

namespace ConsentApi.Features.Consents;

/// <summary>
/// Appends one person's answers for one pupil, inside the caller's transaction, with the pupil locked (see
/// <see cref="ConsentChanges"/>, which also announces the changed states and opens takedowns before commit). Refuses,
/// changing nothing: a grant given after the pupil left, a form version that is a draft or not the pupil's, a grant under a version
/// withdrawn, superseded or past its school year at the moment given, items the version did not ask, a moment in the future,
/// and anyone who may not decide.
/// </summary>
public sealed class DecisionRecorder(
    ConsentDbContext db, CurrentClient client, ConsentChanges changes, CommandWrites writes, TimeProvider clock, AfterCommit afterCommit,
    ConsentMetrics metrics)
{
    public async Task<RecordedDecisionsResponse> RecordAsync(Guid pupilId, RecordDecisionsRequest request, CancellationToken ct)
    {
        if (request.GivenAt > clock.GetUtcNow())
        {
            throw new RequestValidationException("givenAt", "A decision cannot be given in the future; leave givenAt out for now.");
        }

        // Locked before anything about the pupil is read: what follows sees the state the previous command left. The
        // command's moment is taken under the lock, so it lies after every decision that committed before.
        var now = await changes.LockForDecisionsAsync(client.OrganisationId, [pupilId], ct);
        var givenAt = request.GivenAt ?? now;
        // One round trip: what the checks below need, and what the consequences will need (ConsentChanges.AddReads).
        var batch = new ReadBatch(db);
        changes.AddReads(batch);
        var facts = DecisionInputs.AddTo(batch, client, pupilId, request, givenAt);
        await batch.ExecuteAsync(ct);

        var pupil = facts.Pupil ?? throw new NotFoundException("Pupil", pupilId);
        // An erased pupil has left for good: nothing can be granted for them any more, but a refusal is still recorded.
        if (pupil.ErasedAt is not null && request.Items.Any(i => i.Outcome == ConsentOutcome.Granted))
        {
            throw new ConflictException("The pupil's personal data was erased after they left; consent can still be withdrawn, but not granted.");
        }
        // What held when the decision was given, as the record knows it now: a paper form is judged by its own day.
        var then = facts.WhenGiven ?? throw new InvalidOperationException($"Pupil {pupilId} has no enrolment or organisation policy.");
        var policy = then.Policy;
        // Withdrawing stays as easy as granting (GDPR art. 7(3)): a refusal is recorded even after the pupil left, also when
        // a roster sync marked them left a moment ago; only grants given after leaving are refused (one signed while the
        // pupil was at the school is a true record, keyed in late, and counts for the time they were).
        if (then.Status == PupilStatus.Left && request.Items.Any(i => i.Outcome == ConsentOutcome.Granted))
        {
            throw new ConflictException("The pupil had left the school when this was given; consent can still be withdrawn, but not granted.");
        }

        var version = facts.Version is { } found && (found.SchoolId is null || found.SchoolId == pupil.SchoolId)
            ? found
            : throw new NotFoundException("Form version", request.FormVersionId!.Value);
        if (version.Status == FormVersionStatus.Draft)
        {
            throw new ConflictException("The form version is a draft; decisions are recorded against published versions only.");
        }
        if (givenAt < version.PublishedAt)
        {
            throw new RequestValidationException("givenAt", "The decision cannot predate the publication of the form version it answers.");
        }
        // Grants only where they can count; a refusal is recorded whatever the version's state, like a withdrawal after leaving.
        if (request.Items.Any(i => i.Outcome == ConsentOutcome.Granted)
            && ConsentFormVersion.WhyGrantCannotCount(version.Number, version.WithdrawnAt, version.SupersededAt, version.Validity,
                version.SchoolYear, givenAt, policy) is { } why)
        {
            throw new ConflictException(why);
        }

        ValidateItems(request.Items, version.Number, version.Items);
        var language = request.Language ?? "nl";
        if (language == "en" && !version.HasEnglishText)
        {
            throw new RequestValidationException("language", "The form version has no English text.");
        }
        EnsureMayDecide(request, facts.Guardian, policy.Calendar.IsSixteen(pupil.DateOfBirth, givenAt));

        var batchId = Guid.CreateVersion7();
        var decisions = request.Items.Select(item => new Decision
        {
            OrganisationId = client.OrganisationId,
            PupilId = pupilId,
            BatchId = batchId,
            FormVersionId = version.Id,
            MediaType = item.MediaType!.Value,
            ChannelKey = item.Channel,
            Outcome = item.Outcome!.Value,
            GuardianId = request.DecidedBy == DecidedBy.Guardian ? request.GuardianId : null,
            Method = request.Method!.Value,
            GivenAt = givenAt,
            RecordedAt = now,
            RecordedByClientId = client.ClientId,
            // An erased pupil's refusal is recorded, but no new free text about them (a note names people).
            ProofReference = pupil.ErasedAt is null ? request.ProofReference : null,
            Note = pupil.ErasedAt is null ? request.Note : null,
            Language = language,
        }).ToList();
        // Saved with the command's other writes, in its one save; the consequences count them from here.
        writes.Add(Insert(decisions));
        foreach (var d in decisions)
        {
            changes.Recorded(pupilId, d.MediaType, d.ChannelKey, new DecisionFact(d.Id, d.GuardianId, d.Outcome, d.GivenAt, 0,
                version.Validity, version.SchoolYear, version.WithdrawnAt <= now ? version.WithdrawnAt : null));
        }
        // Counted once committed: a rolled-back or retried command recorded nothing.
        afterCommit.Add(() => decisions.ForEach(d => metrics.DecisionRecorded(d.Method, d.Outcome)));

        return new RecordedDecisionsResponse(batchId, pupilId, decisions.Select(d => new DecisionResponse(
            d.Id, batchId, d.MediaType, d.ChannelKey, d.Outcome, request.DecidedBy!.Value, d.GuardianId, d.Method, d.GivenAt,
            d.RecordedAt, d.RecordedByClientId, version.Id, version.ContentHash, d.ProofReference, d.Note, SupersededAt16: false)).ToList(),
            ReceiptQueries.Receipt(decisions, version.FormId, version.Number, version.ContentHash, pupil.OrganisationName, pupil.SchoolId,
                facts.ChannelNames));
    }

    /// <summary>One call's decisions as one statement: they differ only in item and outcome, and are numbered in their order.</summary>
    private static NpgsqlBatchCommand Insert(List<Decision> decisions)
    {
        var first = decisions[0];
        return ReadBatch.Statement("""
            INSERT INTO decisions (id, organisation_id, pupil_id, batch_id, form_version_id, media_type, channel_key, outcome, guardian_id,
                                   method, given_at, recorded_at, recorded_by_client_id, proof_reference, note, language)
            SELECT d.id, $1, $2, $3, $4, d.media_type, d.channel_key, d.outcome, $5, $6, $7, $8, $9, $10, $11, $12
            FROM unnest($13::uuid[], $14::text[], $15::text[], $16::text[]) WITH ORDINALITY AS d(id, media_type, channel_key, outcome, n)
            ORDER BY d.n
            """, first.OrganisationId, first.PupilId, first.BatchId, first.FormVersionId, ReadBatch.Typed(first.GuardianId, NpgsqlDbType.Uuid),
            first.Method.ToString(), first.GivenAt, first.RecordedAt, ReadBatch.Typed(first.RecordedByClientId, NpgsqlDbType.Uuid),
            ReadBatch.Typed(first.ProofReference, NpgsqlDbType.Text), ReadBatch.Typed(first.Note, NpgsqlDbType.Text), first.Language,
            decisions.Select(d => d.Id).ToArray(), decisions.Select(d => d.MediaType.ToString()).ToArray(),
            decisions.Select(d => d.ChannelKey).ToArray(), decisions.Select(d => d.Outcome.ToString()).ToArray());
    }

    private static void ValidateItems(
        IReadOnlyList<ItemDecision> items, int versionNumber, IReadOnlyCollection<(MediaType MediaType, string Channel)> asked)
    {
        var errors = new Dictionary<string, string[]>();
        var seen = new HashSet<(MediaType, string)>();
        for (var i = 0; i < items.Count; i++)
        {
            var key = (items[i].MediaType!.Value, items[i].Channel);
            if (!asked.Contains(key))
            {
                errors[$"items[{i}]"] = [$"Form version {versionNumber} does not ask {Describe(key)}."];
            }
            else if (!seen.Add(key))
            {
                errors[$"items[{i}]"] = [$"{Describe(key)} occurs twice."];
            }
        }
        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }
    }

    private static string Describe((MediaType MediaType, string Channel) item) =>
        $"{item.MediaType.ToString().ToLowerInvariant()} on '{item.Channel}'";

    /// <param name="guardian">Whether the named guardian is visible to the caller, and their authority now and when the
    /// decision was given; null when no guardian is named.</param>
    /// <param name="sixteen">Whether the pupil was 16 or older on the local day the decision was given.</param>
    private static void EnsureMayDecide(RecordDecisionsRequest request, DecisionInputs.GuardianFacts? guardian, bool sixteen)
    {
        if (request.DecidedBy == DecidedBy.Pupil)
        {
            if (request.GuardianId is not null)
            {
                throw new RequestValidationException("guardianId", "A decision by the pupil names no guardian.");
            }
            if (!sixteen)
            {
                throw new ForbiddenException("The pupil was under 16 when the decision was given; their guardians decide.");
            }
            return;
        }

        if (request.GuardianId is not { } guardianId)
        {
            throw new RequestValidationException("guardianId", "Name the deciding guardian.");
        }
        if (guardian is not { Visible: true })
        {
            throw new NotFoundException("Guardian", guardianId);
        }
        // Authority now, or when the decision was given: a form signed while the parent had authority stays theirs to
        // have given, even when it is keyed in after the authority ended (it then counts only while they hold it).
        if (guardian.AuthorityNow != true && guardian.AuthorityThen != true)
        {
            throw new ForbiddenException(guardian.AuthorityNow is null && guardian.AuthorityThen is null
                ? "The guardian is not linked to this pupil."
                : "The guardian has no parental authority over this pupil and cannot decide on consent.");
        }
        if (sixteen)
        {
            throw new ForbiddenException("The pupil was 16 or older when the decision was given; the pupil decides.");
        }
    }
}
