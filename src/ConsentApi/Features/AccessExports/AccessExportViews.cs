using ConsentApi.Features.Consents;

namespace ConsentApi.Features.AccessExports;

/// <summary>
/// What a guardian or the pupil may see of the school's export: pure cuts, so that each rule of who sees what is stated
/// once. Another person's decisions, notes, proof references and proof files are theirs; client ids are the school's.
/// </summary>
public static class AccessExportViews
{
    /// <summary>
    /// One guardian's view: the child's data, their own link and its history (the other guardians only as "another guardian
    /// with or without authority"), their own decisions, receipts and proof files, the item states with only their own
    /// decisions (<see cref="GuardianAccess.GuardianScope"/>'s policy), and what was published and taken down about the child.
    /// </summary>
    public static AccessExport ForGuardian(AccessExport export, Guid guardianId)
    {
        var decisions = export.Decisions.Where(d => d.GuardianId == guardianId).Select(d => d with { RecordedByClientId = null }).ToList();
        var batches = decisions.Select(d => d.BatchId).ToHashSet();
        var proofFiles = export.ProofFiles.Where(f => batches.Contains(f.ReceiptId)).Select(f => f with { DownloadPath = null }).ToList();
        return export with
        {
            View = AccessExportView.Guardian,
            Guardians = export.Guardians.Where(g => g.GuardianId == guardianId).ToList(),
            OtherGuardians = export.Guardians.Where(g => g.GuardianId != guardianId).Select(g => new ExportOtherGuardian(g.HasParentalAuthority)).ToList(),
            GuardianLinkChanges = export.GuardianLinkChanges.Where(c => c.GuardianId == guardianId).ToList(),
            Decisions = decisions,
            FormTexts = TextsOf(export, decisions),
            Receipts = export.Receipts.Where(r => batches.Contains(r.ReceiptId)).ToList(),
            ProofFiles = proofFiles,
            Consents = export.Consents.Select(i => GuardianAccess.GuardianScope.OwnView(i, guardianId, hasAuthority: true))
                .Select(i => i with { Decisions = i.Decisions.Select(d => d with { RecordedByClientId = null }).ToList() }).ToList(),
            AuditEvents = AuditOf(export, batches, proofFiles),
        };
    }

    /// <summary>
    /// The pupil's own view, from 16: their data, which guardians are linked (by name, with authority), their own decisions,
    /// receipts and proof files in full, and their guardians' decisions as outcome, moment and method only.
    /// </summary>
    public static AccessExport ForPupil(AccessExport export)
    {
        var decisions = export.Decisions.Select(d => d.GuardianId is null
            ? d with { RecordedByClientId = null }
            : d with { RecordedByClientId = null, ProofReference = null, Note = null }).ToList();
        var batches = decisions.Where(d => d.GuardianId is null).Select(d => d.BatchId).ToHashSet();
        var proofFiles = export.ProofFiles.Where(f => batches.Contains(f.ReceiptId)).Select(f => f with { DownloadPath = null }).ToList();
        return export with
        {
            View = AccessExportView.Pupil,
            Guardians = export.Guardians.Select(g => g with { ExternalId = null }).ToList(),
            Decisions = decisions,
            Receipts = export.Receipts.Where(r => batches.Contains(r.ReceiptId)).ToList(),
            ProofFiles = proofFiles,
            Consents = export.Consents.Select(i => i with { Decisions = i.Decisions.Select(Outline).ToList() }).ToList(),
            AuditEvents = AuditOf(export, batches, proofFiles),
        };
    }

    private static DecisionResponse Outline(DecisionResponse d) => d.GuardianId is null
        ? d with { RecordedByClientId = null }
        : d with { RecordedByClientId = null, ProofReference = null, Note = null };

    private static List<ExportFormText> TextsOf(AccessExport export, IReadOnlyList<ExportDecision> decisions)
    {
        var answered = decisions.Select(d => (d.FormVersionId, d.Language)).ToHashSet();
        return [.. export.FormTexts.Where(t => answered.Contains((t.FormVersionId, t.Language)))];
    }

    /// <summary>The audit trail without client ids, and without events on another person's receipts and proof files.</summary>
    private static List<Audit.AuditEventResponse> AuditOf(AccessExport export, HashSet<Guid> ownBatches, List<ExportProofFile> ownFiles)
    {
        var others = export.Decisions.Select(d => d.BatchId).Where(b => !ownBatches.Contains(b))
            .Concat(export.ProofFiles.Select(f => f.Id).Except(ownFiles.Select(f => f.Id)))
            .ToHashSet();
        return [.. export.AuditEvents.Where(e => e.ResourceId is not { } id || !others.Contains(id)).Select(e => e with { ClientId = null })];
    }
}
