using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Observability;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <summary>
/// Appends one person's answers for one pupil, inside the caller's transaction, with the pupil locked (see
/// <see cref="ConsentChanges"/>, which also announces the changed states and opens takedowns before commit). Refuses,
/// changing nothing: a grant given after the pupil left, a form version that is a draft or not the pupil's, a grant under a version
/// withdrawn, superseded or past its school year at the moment given, items the version did not ask, a moment in the future,
/// and anyone who may not decide.
/// </summary>
public sealed class DecisionRecorder(
    ConsentDbContext db, CurrentClient client, ConsentChanges changes, TimeProvider clock, AfterCommit afterCommit, ConsentMetrics metrics)
{
    public async Task<RecordedDecisionsResponse> RecordAsync(Guid pupilId, RecordDecisionsRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var givenAt = request.GivenAt ?? now;
        if (givenAt > now)
        {
            throw new RequestValidationException("givenAt", "A decision cannot be given in the future; leave givenAt out for now.");
        }

        // Locked before anything about the pupil is read: what follows sees the state the previous command left.
        await changes.LockForChangeAsync(client.OrganisationId, [pupilId], ct);
        var pupil = await db.Pupils.AsNoTracking().VisibleTo(client).Where(p => p.Id == pupilId)
                        .Select(p => new { p.Id, p.OrganisationId, p.SchoolId, p.DateOfBirth, p.ErasedAt })
                        .SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException("Pupil", pupilId);
        // An erased pupil has left for good: nothing can be granted for them any more, but a refusal is still recorded.
        if (pupil.ErasedAt is not null && request.Items.Any(i => i.Outcome == ConsentOutcome.Granted))
        {
            throw new ConflictException("The pupil's personal data was erased after they left; consent can still be withdrawn, but not granted.");
        }
        // What held when the decision was given, as the record knows it now: a paper form is judged by its own day.
        var then = await db.Database.SqlQuery<WhenGiven>($"""
            SELECT e.status, pol.grant_requires, pol.school_year_end_month, pol.school_year_end_day, pol.time_zone
            FROM (SELECT status FROM pupil_enrolments WHERE pupil_id = {pupil.Id} AND valid_from <= {givenAt}
                  ORDER BY valid_from DESC, id DESC LIMIT 1) e
            CROSS JOIN (SELECT grant_requires, school_year_end_month, school_year_end_day, time_zone FROM policy_changes
                  WHERE organisation_id = {pupil.OrganisationId} AND valid_from <= {givenAt}
                  ORDER BY valid_from DESC, id DESC LIMIT 1) pol
            """).SingleAsync(ct);
        var policy = new ConsentPolicy(Enum.Parse<GrantRequires>(then.GrantRequires), then.SchoolYearEndMonth, then.SchoolYearEndDay, then.TimeZone);
        // Withdrawing stays as easy as granting (GDPR art. 7(3)): a refusal is recorded even after the pupil left, also when
        // a roster sync marked them left a moment ago; only grants given after leaving are refused (one signed while the
        // pupil was at the school is a true record, keyed in late, and counts for the time they were).
        if (then.Status == nameof(PupilStatus.Left) && request.Items.Any(i => i.Outcome == ConsentOutcome.Granted))
        {
            throw new ConflictException("The pupil had left the school when this was given; consent can still be withdrawn, but not granted.");
        }

        var version = await db.ConsentFormVersions.AsNoTracking().Include(v => v.Items)
                          .Where(v => v.Id == request.FormVersionId
                                      && db.ConsentForms.Any(f => f.Id == v.FormId && f.OrganisationId == pupil.OrganisationId
                                                                  && (f.SchoolId == null || f.SchoolId == pupil.SchoolId)))
                          .SingleOrDefaultAsync(ct)
                      ?? throw new NotFoundException("Form version", request.FormVersionId!.Value);
        if (version.IsDraft)
        {
            throw new ConflictException("The form version is a draft; decisions are recorded against published versions only.");
        }
        if (givenAt < version.PublishedAt)
        {
            throw new RequestValidationException("givenAt", "The decision cannot predate the publication of the form version it answers.");
        }
        // Grants only where they can count; a refusal is recorded whatever the version's state, like a withdrawal after leaving.
        if (request.Items.Any(i => i.Outcome == ConsentOutcome.Granted) && version.WhyGrantCannotCount(givenAt, policy) is { } why)
        {
            throw new ConflictException(why);
        }

        ValidateItems(request.Items, version);
        var language = request.Language ?? "nl";
        if (language == "en" && version.TextEn is null)
        {
            throw new RequestValidationException("language", "The form version has no English text.");
        }
        await EnsureMayDecideAsync(request, pupil.Id, policy.Calendar.IsSixteen(pupil.DateOfBirth, givenAt), givenAt, ct);

        var batchId = Guid.CreateVersion7();
        var decisions = request.Items.Select(item => new Decision
        {
            OrganisationId = pupil.OrganisationId,
            PupilId = pupil.Id,
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
        db.Decisions.AddRange(decisions);
        await db.SaveChangesAsync(ct);
        // Counted once committed: a rolled-back or retried command recorded nothing.
        afterCommit.Add(() => decisions.ForEach(d => metrics.DecisionRecorded(d.Method, d.Outcome)));

        return new RecordedDecisionsResponse(batchId, pupil.Id, decisions.Select(d => new DecisionResponse(
            d.Id, batchId, d.MediaType, d.ChannelKey, d.Outcome, request.DecidedBy!.Value, d.GuardianId, d.Method, d.GivenAt,
            d.RecordedAt, d.RecordedByClientId, version.Id, version.ContentHash!, d.ProofReference, d.Note, SupersededAt16: false)).ToList(),
            (await db.ReceiptAsync(client, batchId, ct))!);
    }

    private static void ValidateItems(IReadOnlyList<ItemDecision> items, ConsentFormVersion version)
    {
        var errors = new Dictionary<string, string[]>();
        var asked = version.Items.Select(i => (i.MediaType, i.ChannelKey)).ToHashSet();
        var seen = new HashSet<(MediaType, string)>();
        for (var i = 0; i < items.Count; i++)
        {
            var key = (items[i].MediaType!.Value, items[i].Channel);
            if (!asked.Contains(key))
            {
                errors[$"items[{i}]"] = [$"Form version {version.Number} does not ask {Describe(key)}."];
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

    /// <param name="sixteen">Whether the pupil was 16 or older on the local day the decision was given.</param>
    private async Task EnsureMayDecideAsync(
        RecordDecisionsRequest request, Guid pupilId, bool sixteen, DateTimeOffset givenAt, CancellationToken ct)
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
        if (!await db.Guardians.VisibleTo(db, client).AnyAsync(g => g.Id == guardianId, ct))
        {
            throw new NotFoundException("Guardian", guardianId);
        }
        // Authority now, or when the decision was given: a form signed while the parent had authority stays theirs to
        // have given, even when it is keyed in after the authority ended (it then counts only while they hold it).
        var now = await db.GuardianLinks.AsNoTracking().Where(l => l.PupilId == pupilId && l.GuardianId == guardianId)
            .Select(l => (bool?)l.HasParentalAuthority).SingleOrDefaultAsync(ct);
        if (now != true)
        {
            var then = await db.Database.SqlQuery<bool?>($"""
                SELECT has_parental_authority AS "Value" FROM guardian_link_changes
                WHERE pupil_id = {pupilId} AND guardian_id = {guardianId} AND valid_from <= {givenAt}
                ORDER BY valid_from DESC, id DESC LIMIT 1
                """).SingleOrDefaultAsync(ct);
            if (then != true)
            {
                throw new ForbiddenException(now is null && then is null
                    ? "The guardian is not linked to this pupil."
                    : "The guardian has no parental authority over this pupil and cannot decide on consent.");
            }
        }
        if (sixteen)
        {
            throw new ForbiddenException("The pupil was 16 or older when the decision was given; the pupil decides.");
        }
    }

    /// <summary>The pupil's enrolment and the organisation's policy when a decision was given.</summary>
    private sealed class WhenGiven
    {
        public required string Status { get; init; }
        public required string GrantRequires { get; init; }
        public int SchoolYearEndMonth { get; init; }
        public int SchoolYearEndDay { get; init; }
        public required string TimeZone { get; init; }
    }
}
