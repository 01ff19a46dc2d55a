using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

internal static class ReceiptQueries
{
    public const string SchemaVersion = "consent-api-receipt/1 (ISO/IEC TS 27560)";

    private const string Withdrawal =
        "Consent can be withdrawn at any time, as easily as it was given: record 'refused' for the item in the parents' app, " +
        "or ask the school office. Toestemming kunt u altijd intrekken, net zo eenvoudig als u die gaf: via de ouderapp of de administratie.";

    public static async Task<ConsentReceipt?> ReceiptAsync(this ConsentDbContext db, CurrentClient client, Guid batchId, CancellationToken ct)
    {
        var visiblePupils = db.Pupils.VisibleTo(client).Select(p => p.Id);
        var decisions = await db.Decisions.AsNoTracking()
            .Where(d => d.BatchId == batchId && visiblePupils.Contains(d.PupilId))
            .ToListAsync(ct);
        if (decisions.Count == 0)
        {
            return null;
        }
        var first = decisions[0];
        var facts = await (from v in db.ConsentFormVersions
                           join f in db.ConsentForms on v.FormId equals f.Id
                           join o in db.Organisations on f.OrganisationId equals o.Id
                           join p in db.Pupils on first.PupilId equals p.Id
                           where v.Id == first.FormVersionId
                           select new { v.FormId, v.Number, v.ContentHash, Organisation = o.Name, p.SchoolId }).SingleAsync(ct);
        var keys = decisions.Select(d => d.ChannelKey).Distinct().ToList();
        var names = await db.Channels.Where(c => c.OrganisationId == first.OrganisationId && keys.Contains(c.Key))
            .ToDictionaryAsync(c => c.Key, c => c.NameNl, ct);
        return Receipt(decisions, facts.FormId, facts.Number, facts.ContentHash!, facts.Organisation, facts.SchoolId, names);
    }

    /// <summary>The receipt of one batch of decisions, from what was recorded and what it was recorded against.</summary>
    public static ConsentReceipt Receipt(IReadOnlyList<Decision> batch, Guid formId, int versionNumber, string contentHash,
        string organisationName, Guid schoolId, IReadOnlyDictionary<string, string> channelNames)
    {
        var decisions = batch.OrderBy(d => d.MediaType.ToString(), StringComparer.Ordinal).ThenBy(d => d.ChannelKey, StringComparer.Ordinal).ToList();
        var first = decisions[0];
        return new ConsentReceipt(first.BatchId, SchemaVersion, first.RecordedAt,
            new ReceiptController(first.OrganisationId, organisationName),
            new ReceiptSubject(first.PupilId, schoolId),
            new ReceiptDecider(first.GuardianId is null ? DecidedBy.Pupil : DecidedBy.Guardian, first.GuardianId),
            new ReceiptNotice(formId, first.FormVersionId, versionNumber, contentHash, first.Language),
            decisions.Select(d => new ReceiptPurpose(d.MediaType, d.ChannelKey, channelNames[d.ChannelKey], d.Outcome)).ToList(),
            first.Method, first.GivenAt, first.ProofReference, Withdrawal);
    }
}
