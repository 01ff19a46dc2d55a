using System.Data;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Audit;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ConsentApi.Features.AccessExports;

/// <summary>
/// Reads everything held about one pupil, as the school sees it (<see cref="AccessExportView.School"/>); what a guardian
/// or the pupil may see of it is cut from this by <see cref="AccessExportViews"/>. The consent per item comes from the one
/// facts model, through the matrix query; histories come from the tables the database's triggers append to.
/// </summary>
public sealed class AccessExportReader(ConsentDbContext db, CurrentClient client, ISender sender, TimeProvider clock)
{
    /// <summary>
    /// The pupil's export, or not found when the pupil is not the caller's to see. Read in one snapshot, so that a
    /// decision recorded meanwhile shows with its receipt, state and audit event or not at all.
    /// </summary>
    public async Task<AccessExport> ReadAsync(Guid pupilId, CancellationToken ct)
    {
        await using var snapshot = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await db.Database.ExecuteSqlRawAsync("SET TRANSACTION READ ONLY", ct);
        var export = await ReadInSnapshotAsync(pupilId, ct);
        await snapshot.CommitAsync(ct);
        return export;
    }

    private async Task<AccessExport> ReadInSnapshotAsync(Guid pupilId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var pupil = await db.Pupils.AsNoTracking().VisibleTo(client).Where(p => p.Id == pupilId)
                        .Select(p => new
                        {
                            Pupil = p,
                            School = db.Schools.Where(s => s.Id == p.SchoolId).Select(s => s.Name).First(),
                            Group = db.Groups.Where(g => g.Id == p.GroupId).Select(g => g.Name).FirstOrDefault(),
                            Organisation = db.Organisations.Where(o => o.Id == p.OrganisationId).Select(o => new { o.Name, o.TimeZone }).First(),
                        })
                        .SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException("Pupil", pupilId);
        var p = pupil.Pupil;
        var calendar = ConsentCalendar.For(pupil.Organisation.TimeZone);
        var pupilIs16 = calendar.IsSixteen(p.DateOfBirth, now);

        var enrolments = await RowsAsync("""
            SELECT nullif(e.valid_from, '-infinity'), nullif(e.recorded_at, '-infinity'), e.status, e.group_id, g.name
            FROM pupil_enrolments e LEFT JOIN groups g ON g.id = e.group_id
            WHERE e.pupil_id = $1
            ORDER BY e.valid_from, e.recorded_at, e.id
            """, pupilId, r => new ExportEnrolment(MomentOrNull(r, 0), MomentOrNull(r, 1), Enum.Parse<PupilStatus>(r.GetString(2)),
            r.IsDBNull(3) ? null : r.GetGuid(3), r.IsDBNull(4) ? null : r.GetString(4)), ct);
        var birthDates = await RowsAsync("""
            SELECT nullif(recorded_at, '-infinity'), date_of_birth FROM pupil_birth_dates
            WHERE pupil_id = $1 ORDER BY recorded_at, id
            """, pupilId, r => new ExportBirthDate(MomentOrNull(r, 0), r.GetFieldValue<DateOnly>(1)), ct);
        var linkChanges = await RowsAsync("""
            SELECT guardian_id, nullif(valid_from, '-infinity'), nullif(recorded_at, '-infinity'), has_parental_authority
            FROM guardian_link_changes
            WHERE pupil_id = $1 ORDER BY recorded_at, id
            """, pupilId, r => new ExportLinkChange(r.GetGuid(0), MomentOrNull(r, 1), MomentOrNull(r, 2), !r.IsDBNull(3),
            !r.IsDBNull(3) && r.GetBoolean(3)), ct);

        var guardians = await db.GuardianLinks.AsNoTracking().Where(l => l.PupilId == pupilId)
            .Join(db.Guardians, l => l.GuardianId, g => g.Id, (l, g) => new { Link = l, Guardian = g })
            .OrderBy(x => x.Guardian.Id)
            .Select(x => new ExportGuardian(x.Guardian.Id, x.Guardian.ExternalId,
                db.GuardianSchools.Where(k => k.GuardianId == x.Guardian.Id && k.SchoolId == p.SchoolId)
                    .Select(k => k.DisplayName).FirstOrDefault() ?? x.Guardian.DisplayName,
                x.Link.HasParentalAuthority))
            .ToListAsync(ct);

        var decisions = (await (from d in db.Decisions.AsNoTracking()
                                join v in db.ConsentFormVersions on d.FormVersionId equals v.Id
                                where d.PupilId == pupilId
                                orderby d.Sequence
                                select new { Decision = d, v.FormId, v.Number, v.ContentHash }).ToListAsync(ct))
            .Select(x => new ExportDecision(x.Decision.Id, x.Decision.Sequence, x.Decision.BatchId, x.Decision.MediaType,
                x.Decision.ChannelKey, x.Decision.Outcome, x.Decision.GuardianId is null ? DecidedBy.Pupil : DecidedBy.Guardian,
                x.Decision.GuardianId, x.Decision.Method, x.Decision.GivenAt, x.Decision.RecordedAt, x.Decision.RecordedByClientId,
                x.Decision.ProofReference, x.Decision.Note, x.Decision.Language, x.FormId, x.Decision.FormVersionId, x.Number,
                x.ContentHash!, pupilIs16 && x.Decision.GuardianId is not null))
            .ToList();

        var versionIds = decisions.Select(d => d.FormVersionId).Distinct().ToList();
        var versions = await (from v in db.ConsentFormVersions.AsNoTracking()
                              join f in db.ConsentForms on v.FormId equals f.Id
                              where versionIds.Contains(v.Id)
                              select new { v.Id, v.FormId, v.Number, FormName = f.Name, v.ContentHash, v.TextNl, v.TextEn }).ToListAsync(ct);
        var formTexts = decisions.Select(d => (d.FormVersionId, d.Language)).Distinct()
            .Join(versions, d => d.FormVersionId, v => v.Id, (d, v) => new ExportFormText(v.FormId, v.Id, v.Number, v.FormName,
                d.Language, v.ContentHash!, d.Language == "en" && v.TextEn is not null ? v.TextEn : v.TextNl))
            .OrderBy(t => t.FormName, StringComparer.Ordinal).ThenBy(t => t.FormId).ThenBy(t => t.Number).ThenBy(t => t.Language, StringComparer.Ordinal)
            .ToList();

        var receipts = new List<ConsentReceipt>();
        foreach (var batchId in decisions.Select(d => d.BatchId).Distinct())
        {
            receipts.Add(await db.ReceiptAsync(client, batchId, ct) ?? throw new NotFoundException("Receipt", batchId));
        }

        var proofFiles = await db.ProofFiles.AsNoTracking().Where(f => f.PupilId == pupilId)
            .OrderBy(f => f.UploadedAt).ThenBy(f => f.Id)
            .Select(f => new ExportProofFile(f.Id, f.BatchId, f.MediaType, f.Size, f.Sha256, f.FileName, f.UploadedAt,
                f.ErasedAt == null ? "/v1/receipts/" + f.BatchId + "/proof-files/" + f.Id : null, f.ErasedAt))
            .ToListAsync(ct);

        var matrix = await sender.Send(new GetConsentMatrixQuery(pupilId, null), ct);
        var consents = matrix.Items.Where(i => i.State != ConsentState.NotAsked).ToList();

        var publications = (await db.Publications.AsNoTracking()
                .Where(x => x.Pupils.Any(pp => pp.PupilId == pupilId))
                .Include(x => x.Pupils.Where(pp => pp.PupilId == pupilId))
                .Include(x => x.Check).ThenInclude(c => c!.Pupils.Where(cp => cp.PupilId == pupilId))
                .AsSplitQuery()
                .ToListAsync(ct))
            .OrderBy(x => x.PublishedAt).ThenBy(x => x.RegisteredAt).ThenBy(x => x.Id)
            .Select(x => new ExportPublication(x.Id, x.ChannelKey, x.MediaType, x.Title, x.Url, x.Location, x.PublishedAt,
                x.RegisteredAt, x.PublishedWithoutCheck, x.Status, x.RemovedAt, x.RemovalNote, x.Pupils.Single().Recognisable,
                x.Check is { } check && check.Pupils.SingleOrDefault() is { } mine
                    ? new ExportPublicationCheck(check.Id, check.At, check.AsKnownAt, mine.State, mine.Reason, mine.Allowed,
                        mine.Recognisable, mine.Recognisable ? null : check.UnrecognisableDeclaredBy)
                    : null))
            .ToList();

        var takedowns = (await db.Takedowns.AsNoTracking()
                .Where(t => t.Pupils.Any(tp => tp.PupilId == pupilId))
                .Include(t => t.Pupils.Where(tp => tp.PupilId == pupilId))
                .ToListAsync(ct))
            .OrderBy(t => t.OpenedAt).ThenBy(t => t.Id)
            .Select(t =>
            {
                var mine = t.Pupils.Single();
                return new ExportTakedown(t.Id, t.PublicationId, t.Status, t.Kind, t.OpenedAt, t.CompletedAt, t.CompletedBy,
                    t.CompletionNote, mine.State, mine.Reason, mine.AddedAt);
            })
            .ToList();

        var requests = await (from r in db.ConsentRequests.AsNoTracking()
                              join c in db.Campaigns on r.CampaignId equals c.Id
                              where r.PupilId == pupilId
                              orderby r.CreatedAt, c.OpensOn
                              select new ExportConsentRequest(c.Id, c.SchoolYear, c.FormVersionId, c.OpensOn, c.ClosesOn, c.ClosedAt, r.CreatedAt))
            .ToListAsync(ct);

        var notices = await db.Turning16Notices.AsNoTracking().Where(n => n.PupilId == pupilId)
            .OrderBy(n => n.SentAt).ThenBy(n => n.Occasion)
            .Select(n => new ExportTurning16Notice(n.Occasion, n.Birthday, n.SentAt))
            .ToListAsync(ct);

        // What the audit pipeline records about the pupil: commands on the pupil (roster changes, links, decisions recorded
        // by the school), on their proof files, and on the publications and takedowns that concern them.
        var resources = new List<Guid> { pupilId };
        resources.AddRange(proofFiles.Select(f => f.Id));
        resources.AddRange(decisions.Select(d => d.BatchId).Distinct());
        resources.AddRange(publications.Select(x => x.Id));
        resources.AddRange(takedowns.Select(t => t.Id));
        var organisationId = p.OrganisationId;
        var auditEvents = await db.AuditEvents.AsNoTracking()
            .Where(e => e.OrganisationId == organisationId && e.ResourceId != null && resources.Contains(e.ResourceId.Value))
            .OrderBy(e => e.Sequence)
            .ProjectToResponse()
            .ToListAsync(ct);

        return new AccessExport(now, AccessExportView.School, pupil.Organisation.TimeZone, pupil.Organisation.Name,
            new ExportPupil(p.Id, p.ExternalId, p.DisplayName, p.DateOfBirth, p.SchoolId, pupil.School, p.GroupId, pupil.Group,
                p.Status, p.LeftOn, ConsentCalendar.SixteenthBirthday(p.DateOfBirth), p.ErasedAt),
            enrolments, birthDates, guardians, [], linkChanges, decisions, formTexts, receipts, proofFiles, consents, publications,
            takedowns, requests, notices, auditEvents);
    }

    private static DateTimeOffset? MomentOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>The rows of a history table for the pupil ($1), read on the context's connection.</summary>
    private async Task<List<T>> RowsAsync<T>(string sql, Guid pupilId, Func<NpgsqlDataReader, T> map, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection(),
                db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction);
            command.Parameters.Add(new NpgsqlParameter { Value = pupilId, NpgsqlDbType = NpgsqlDbType.Uuid });
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct))
            {
                rows.Add(map(reader));
            }
            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
