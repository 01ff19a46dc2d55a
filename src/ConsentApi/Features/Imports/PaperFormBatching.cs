using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Csv;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Imports;

/// <summary>One person's answers for one pupil on one form, day and proof reference: one receipt.</summary>
internal sealed record PaperFormBatch(
    Guid PupilId, Guid? GuardianId, Guid FormVersionId, DateTimeOffset GivenAt, string? ProofReference, string? Note, List<PaperFormRow> Rows);

/// <summary>
/// Finds what a paper forms file names (the school's pupils, the guardians, channels and form versions) and groups its rows
/// into the batches to record, reporting every row that names something unknown.
/// <para>
/// The moment given: a paper form carries a day, the local day in the organisation's time zone; it counts from the first
/// moment of that day (00:00 Europe/Amsterdam by default), or from the moment its form version was published when that
/// was later on the same day. The form version: the column <c>formVersionId</c>, or else the version in force on the day
/// given: of the forms of the organisation and of the school, the one published last on or before that day, provided the
/// school has one form only (with several, the file must name the version).
/// </para>
/// </summary>
internal sealed class PaperFormBatching(ConsentDbContext db, CurrentClient client, ConsentCalendar calendar)
{
    public async Task<List<PaperFormBatch>> BatchAsync(ImportRun run, List<PaperFormRow> rows, CancellationToken ct)
    {
        var pupils = await PupilsAsync(run.SchoolId, rows, ct);
        var guardians = await GuardiansAsync(rows, ct);
        var organisationId = run.OrganisationId;
        var schoolId = run.SchoolId;
        var channels = (await db.Channels.AsNoTracking().Where(c => c.OrganisationId == organisationId).Select(c => c.Key).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var versions = await db.ConsentFormVersions.AsNoTracking().Include(v => v.Items)
            .Where(v => v.Status != FormVersionStatus.Draft
                        && db.ConsentForms.Any(f => f.Id == v.FormId && f.OrganisationId == organisationId && (f.SchoolId == null || f.SchoolId == schoolId)))
            .ToListAsync(ct);

        var batches = new Dictionary<(Guid, Guid?, Guid, DateTimeOffset, string?, string?), PaperFormBatch>();
        var items = new Dictionary<((Guid, Guid?, Guid, DateTimeOffset, string?, string?) Batch, MediaType, string), int>();
        foreach (var row in rows)
        {
            var valid = true;
            void Fail(CsvColumn column, string message)
            {
                CsvImportFile.Report(run, row.Source.Error(column, message));
                valid = false;
            }

            if (!pupils.TryGetValue(row.PupilExternalId, out var pupilId))
            {
                Fail(PaperFormRows.Pupil, $"The school has no pupil '{row.PupilExternalId}'.");
            }
            Guid? guardianId = null;
            if (row.GuardianExternalId is { } guardian)
            {
                if (guardians.TryGetValue(guardian, out var id))
                {
                    guardianId = id;
                }
                else
                {
                    Fail(PaperFormRows.DecidedBy, $"There is no guardian '{guardian}'; write the guardian's external id, or '{PaperFormRows.PupilWord}' for the pupil's own decision.");
                }
            }
            if (!channels.Contains(row.Channel))
            {
                Fail(PaperFormRows.Channel, $"There is no channel '{row.Channel}'.");
            }
            var version = VersionFor(row, versions, Fail);
            if (!valid || version is null)
            {
                continue;
            }
            if (!version.Items.Any(i => i.MediaType == row.MediaType && i.ChannelKey == row.Channel))
            {
                Fail(PaperFormRows.Channel, $"Form version {version.Number} does not ask {row.MediaType.ToString().ToLowerInvariant()} on '{row.Channel}'.");
                continue;
            }

            var start = calendar.StartOf(row.DateGiven);
            var givenAt = version.PublishedAt > start ? version.PublishedAt.Value : start;
            var key = (pupilId, guardianId, version.Id, givenAt, row.ProofReference, row.Note);
            if (!items.TryAdd((key, row.MediaType, row.Channel), row.Line))
            {
                Fail(PaperFormRows.Channel, $"This person's answer for {row.MediaType.ToString().ToLowerInvariant()} on '{row.Channel}' on this form and day is on line {items[(key, row.MediaType, row.Channel)]} already.");
                continue;
            }
            if (!batches.TryGetValue(key, out var batch))
            {
                batches[key] = batch = new PaperFormBatch(pupilId, guardianId, version.Id, givenAt, row.ProofReference, row.Note, []);
            }
            batch.Rows.Add(row);
        }
        return [.. batches.Values];
    }

    private ConsentFormVersion? VersionFor(PaperFormRow row, List<ConsentFormVersion> versions, Action<CsvColumn, string> fail)
    {
        if (row.FormVersionId is { } id)
        {
            var named = versions.SingleOrDefault(v => v.Id == id);
            if (named is null)
            {
                fail(PaperFormRows.FormVersion, $"The school has no published form version '{id}'.");
            }
            else if (calendar.DayOf(named.PublishedAt!.Value) > row.DateGiven)
            {
                fail(PaperFormRows.DateGiven, $"Form version {named.Number} was published after {row.DateGiven:d-M-yyyy}.");
                return null;
            }
            return named;
        }
        var inForce = versions.Where(v => calendar.DayOf(v.PublishedAt!.Value) <= row.DateGiven)
            .GroupBy(v => v.FormId)
            .Select(form => form.OrderByDescending(v => v.PublishedAt).ThenByDescending(v => v.Number).First())
            .ToList();
        switch (inForce.Count)
        {
            case 0:
                fail(PaperFormRows.DateGiven, $"No consent form of the school had been published by {row.DateGiven:d-M-yyyy}.");
                return null;
            case > 1:
                fail(PaperFormRows.FormVersion, "The school has several consent forms; name the form version in the column formVersionId.");
                return null;
            default:
                return inForce[0];
        }
    }

    private async Task<Dictionary<string, Guid>> PupilsAsync(Guid schoolId, List<PaperFormRow> rows, CancellationToken ct)
    {
        var found = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var chunk in rows.Select(r => r.PupilExternalId).Distinct(StringComparer.Ordinal).Chunk(1_000))
        {
            // Pupils who left are found too: a refusal is always recorded for them.
            foreach (var pupil in await db.Pupils.AsNoTracking()
                         .Where(p => p.SchoolId == schoolId && chunk.Contains(p.ExternalId) && p.ErasedAt == null)
                         .Select(p => new { p.Id, p.ExternalId }).ToListAsync(ct))
            {
                found[pupil.ExternalId] = pupil.Id;
            }
        }
        return found;
    }

    private async Task<Dictionary<string, Guid>> GuardiansAsync(List<PaperFormRow> rows, CancellationToken ct)
    {
        var found = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var chunk in rows.Select(r => r.GuardianExternalId).OfType<string>().Distinct(StringComparer.Ordinal).Chunk(1_000))
        {
            foreach (var guardian in await db.Guardians.AsNoTracking().VisibleTo(db, client)
                         .Where(g => chunk.Contains(g.ExternalId))
                         .Select(g => new { g.Id, g.ExternalId }).ToListAsync(ct))
            {
                found[guardian.ExternalId] = guardian.Id;
            }
        }
        return found;
    }
}
