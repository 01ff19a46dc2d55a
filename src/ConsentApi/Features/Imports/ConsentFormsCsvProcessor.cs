using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Imports;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Imports;

/// <summary>
/// Paper consent forms keyed in (<c>consent-forms-csv</c>): one row per answer. The answers one person gave for one pupil on
/// one form, day and proof reference are one batch, recorded exactly as <c>POST /v1/pupils/{pupilId}/decisions</c> records
/// it (<see cref="RecordDecisionsCommand"/>, method <c>paper</c>): the same checks, audit, <c>consent.changed</c> events,
/// takedowns and one receipt per batch. A row already on record (same person, pupil, item, answer, moment, form version
/// and proof reference, on paper) is not recorded twice, so a file sent again after a correction adds only what is new.
/// </summary>
public sealed class ConsentFormsCsvProcessor(
    ConsentDbContext db, CurrentClient client, ConsentChanges changes, ISender sender, TimeProvider clock)
    : IImportProcessor
{
    public ImportKind Kind => ImportKind.ConsentFormsCsv;

    public IReadOnlyList<string> ContentTypes => CsvImportFile.ContentTypes;

    public async ValueTask<ImportOutcome> RunAsync(ImportRun run, CancellationToken ct)
    {
        var calendar = await db.CalendarAsync(run.OrganisationId, ct);
        var today = calendar.DayOf(clock.GetUtcNow());
        var rows = new List<PaperFormRow>();
        var reader = await CsvImportFile.ReadAsync(run, PaperFormRows.Columns, row =>
        {
            if (PaperFormRows.Parse(run, row, today) is { } parsed)
            {
                rows.Add(parsed);
            }
        }, ct);
        if (reader is null)
        {
            return new ImportOutcome(new { });
        }
        run.Progress.SetTotal(rows.Count);
        var batches = await new PaperFormBatching(db, client, calendar).BatchAsync(run, rows, ct);
        if (run.Errors.Any)
        {
            return new ImportOutcome(new { });
        }

        // Every pupil of the file locked at once, in the one order consent commands lock in: two imports naming the same
        // pupils take turns, and each sees what the other recorded.
        await changes.LockForChangeAsync(run.OrganisationId, [.. batches.Select(b => b.PupilId).Distinct()], ct);
        var results = new List<PaperFormRowResult>();
        run.Progress.Report(0);
        foreach (var batch in batches)
        {
            results.AddRange(await RecordAsync(run, batch, ct));
            run.Progress.Advance(batch.Rows.Count);
        }
        results.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new ImportOutcome(new ConsentFormsCsvResult(
            reader.EncodingName, reader.Separator.ToString(), rows.Count,
            results.Count(r => r.Status == PaperFormRowStatus.Recorded), results.Count(r => r.Status == PaperFormRowStatus.AlreadyRecorded),
            run.DryRun ? null : results.Where(r => r.Status == PaperFormRowStatus.Recorded).Select(r => r.ReceiptId).Distinct().Count(),
            results));
    }

    private async Task<List<PaperFormRowResult>> RecordAsync(ImportRun run, PaperFormBatch batch, CancellationToken ct)
    {
        var onRecord = await db.Decisions.AsNoTracking()
            .Where(d => d.PupilId == batch.PupilId && d.GuardianId == batch.GuardianId && d.GivenAt == batch.GivenAt
                        && d.FormVersionId == batch.FormVersionId && d.Method == DecisionMethod.Paper && d.ProofReference == batch.ProofReference)
            .Select(d => new { d.MediaType, d.ChannelKey, d.Outcome, d.BatchId })
            .ToListAsync(ct);
        var results = new List<PaperFormRowResult>();
        var toRecord = new List<PaperFormRow>();
        foreach (var row in batch.Rows)
        {
            var same = onRecord.FirstOrDefault(d => d.MediaType == row.MediaType && d.ChannelKey == row.Channel && d.Outcome == row.Outcome);
            if (same is null)
            {
                toRecord.Add(row);
            }
            else
            {
                results.Add(new PaperFormRowResult(row.Line, PaperFormRowStatus.AlreadyRecorded, same.BatchId));
            }
        }
        if (toRecord.Count == 0)
        {
            return results;
        }

        var request = new RecordDecisionsRequest(batch.FormVersionId, batch.GuardianId is null ? DecidedBy.Pupil : DecidedBy.Guardian,
            batch.GuardianId, DecisionMethod.Paper, batch.GivenAt, batch.ProofReference, batch.Note,
            [.. toRecord.Select(r => new ItemDecision(r.MediaType, r.Channel, r.Outcome))]);
        try
        {
            var recorded = await sender.Send(new RecordDecisionsCommand(batch.PupilId, request), ct);
            results.AddRange(toRecord.Select(r => new PaperFormRowResult(r.Line, PaperFormRowStatus.Recorded, run.DryRun ? null : recorded.BatchId)));
        }
        catch (DomainException refused)
        {
            // The recorder refuses before it writes anything (who may decide, a pupil who had left, the version's state), so
            // the transaction is still whole: report the refusal on the batch's rows and go on checking the rest of the file.
            // Any error fails the job, which then rolls back everything.
            var message = refused is RequestValidationException invalid
                ? string.Join(" ", invalid.Errors.SelectMany(e => e.Value))
                : refused.Message;
            foreach (var row in toRecord)
            {
                run.Errors.Add(row.Line, $"line {row.Line}", null, message);
            }
        }
        return results;
    }
}

/// <summary>What a paper consent forms file recorded (in a dry run: would record).</summary>
/// <param name="Encoding">How the file was read: `utf-8` or `windows-1252`.</param>
/// <param name="Separator">`;` or `,`.</param>
/// <param name="Rows">The answers the file lists.</param>
/// <param name="Recorded">Answers recorded as decisions.</param>
/// <param name="AlreadyRecorded">Answers already on record from an earlier import, not recorded twice.</param>
/// <param name="Receipts">Receipts issued (one per person, pupil, form, day and proof reference); null in a dry run.</param>
/// <param name="RowResults">Per row: `recorded` or `already-recorded`, and the receipt (null in a dry run).</param>
public sealed record ConsentFormsCsvResult(
    [property: MaxLength(12), OneOf(typeof(CsvFileEncoding))] string Encoding,
    [property: MaxLength(1), RegularExpression("^[;,]$")] string Separator,
    int Rows,
    int Recorded,
    int AlreadyRecorded,
    int? Receipts,
    [property: MaxLength(CsvImportFile.MaxRows)] IReadOnlyList<PaperFormRowResult> RowResults);

/// <param name="ReceiptId">The receipt of the row's batch, at <c>GET /v1/receipts/{receiptId}</c>; null in a dry run.</param>
public sealed record PaperFormRowResult(int Line, PaperFormRowStatus Status, Guid? ReceiptId)
{
    /// <summary>Where the receipt is fetched.</summary>
    [MaxLength(60), RegularExpression("^/v1/receipts/[0-9a-f-]{36}$")]
    public string? Receipt => ReceiptId is { } id ? $"/v1/receipts/{id}" : null;
}
