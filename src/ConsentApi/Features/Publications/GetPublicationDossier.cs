using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Printing;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Publications;

public sealed record GetPublicationDossierQuery(Guid PublicationId) : IQuery<PublicationDossier>;

/// <summary>
/// Puts together the proof of one publication. Consent comes from the one facts model, read twice for the moment of
/// publication: as the record stood at registration (what the stored check counted) and as it stands now; the rest is
/// the record as kept (the stored check, decisions, proof files, takedowns).
/// </summary>
public sealed class GetPublicationDossierHandler(ConsentDbContext db, CurrentClient client, ConsentFactsReader reader, TimeProvider clock)
    : IQueryHandler<GetPublicationDossierQuery, PublicationDossier>
{
    /// <summary>The actions whose audit events record who completed a takedown: directly, or by removing the publication.</summary>
    private const string CompleteTakedownAction = "CompleteTakedown";
    private const string RemovePublicationAction = "RemovePublication";

    public async ValueTask<PublicationDossier> Handle(GetPublicationDossierQuery query, CancellationToken ct)
    {
        var publication = await db.Publications.AsNoTracking().VisibleTo(client).Include(p => p.Pupils)
                .Include(p => p.Check).ThenInclude(c => c!.Pupils).AsSplitQuery()
                .SingleOrDefaultAsync(p => p.Id == query.PublicationId, ct)
            ?? throw new NotFoundException("Publication", query.PublicationId);

        var now = Moments.Normalise(clock.GetUtcNow());
        var organisationId = publication.OrganisationId;
        var item = (publication.MediaType, publication.ChannelKey);
        var pupilIds = publication.Pupils.Select(p => p.PupilId).Order().ToList();
        var knownThen = publication.Check?.AsKnownAt ?? publication.RegisteredAt;
        var then = await reader.ReadAsync(new FactsRequest(organisationId, pupilIds, null, item, publication.PublishedAt, knownThen) { WithDecisionDetails = true }, ct);
        var known = await reader.ReadAsync(new FactsRequest(organisationId, pupilIds, null, item, publication.PublishedAt, now) { WithDecisionDetails = true }, ct);

        var recheck = Recheck(publication, known, now);
        var decisionRows = pupilIds.ToDictionary(id => id, id => Basis(then, known, id, item));
        var laterWithdrawals = await db.DecisionRows(db.Decisions.Where(d => d.OrganisationId == organisationId
                && pupilIds.Contains(d.PupilId) && d.MediaType == publication.MediaType && d.ChannelKey == publication.ChannelKey
                && d.Outcome == ConsentOutcome.Refused && d.GivenAt > publication.PublishedAt))
            .Take(PublicationDossier.MaxLaterWithdrawals).ToListAsync(ct);
        var takedowns = await db.Takedowns.AsNoTracking().Where(t => t.PublicationId == publication.Id).Include(t => t.Pupils)
            .OrderBy(t => t.OpenedAt).ThenBy(t => t.Id).Take(PublicationDossier.MaxTakedowns).ToListAsync(ct);
        var completers = await CompletersAsync(publication.Id, takedowns, ct);

        var allRows = decisionRows.Values.SelectMany(r => r.Select(x => x.Row)).Concat(laterWithdrawals).ToList();
        var people = await PeopleAsync(publication, allRows, ct);
        var pupils = await PupilsAsync(publication, then, known, ct);
        var clientIds = new[] { publication.RegisteredByClientId, publication.Check?.UnrecognisableDeclaredByClientId }
            .Concat(completers.Values).OfType<Guid>().Distinct().ToList();
        var clientNames = await db.ApiClients.AsNoTracking().Where(c => c.OrganisationId == organisationId && clientIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var channel = await db.Channels.AsNoTracking()
            .SingleAsync(c => c.OrganisationId == organisationId && c.Key == publication.ChannelKey, ct);
        var channelThen = then.Channels.GetValueOrDefault(publication.ChannelKey);
        var schoolName = await db.Schools.Where(s => s.Id == publication.SchoolId).Select(s => s.Name).SingleAsync(ct);
        var calendar = await db.CalendarAsync(organisationId, ct);

        bool IsSixteenThen(Guid pupilId) =>
            known.Pupils.TryGetValue(pupilId, out var p) && p.Policy.Calendar.IsSixteen(p.DateOfBirth, publication.PublishedAt);

        DossierDecision Decision(DecisionRow row, bool countedThen, bool countedNow) => new(row.Id, row.PupilId, row.BatchId,
            row.GuardianId is null ? DecidedBy.Pupil : DecidedBy.Guardian, row.GuardianId,
            row.GuardianId is { } g ? people.Guardians.GetValueOrDefault(g)?.ExternalId : null,
            row.GuardianId is { } h ? people.Guardians.GetValueOrDefault(h)?.Name : null,
            row.Outcome, row.Method, row.GivenAt, row.RecordedAt, row.RecordedByClientId, row.FormVersionId,
            people.VersionNumbers.GetValueOrDefault(row.FormVersionId), row.FormContentHash, row.ProofReference,
            [.. people.ProofFiles[row.BatchId].Take(DecisionResponse.MaxProofFiles).Select(f => f.ToResponse())],
            countedThen, countedNow, row.GuardianId is not null && IsSixteenThen(row.PupilId));

        var declaredBy = publication.Check?.UnrecognisableDeclaredByClientId;
        return new PublicationDossier(
            publication.Id,
            now,
            calendar.Zone.Id,
            new DossierPublication(publication.Id, publication.SchoolId, schoolName, publication.Title, publication.Url,
                publication.Location, publication.MediaType, publication.PublishedAt, publication.RegisteredAt,
                publication.RegisteredByClientId, Name(clientNames, publication.RegisteredByClientId), publication.PublishedWithoutCheck,
                publication.Status, publication.RemovedAt, publication.RemovalNote),
            new DossierChannel(channel.Key, channel.NameNl, channel.NameEn, channelThen?.Audience ?? channel.Audience,
                channelThen?.Recall ?? channel.Recall, channelThen?.Retired ?? channel.RetiredAt <= publication.PublishedAt),
            [.. pupils.Select(p => p.Recognisable ? p : p with
            {
                DeclaredByClientId = declaredBy, DeclaredByClientName = Name(clientNames, declaredBy),
                DeclaredBy = publication.Check?.UnrecognisableDeclaredBy,
            })],
            publication.Check?.ToResponse(),
            recheck,
            [.. pupils.Select(p => new DossierPupilDecisions(p.PupilId,
                [.. decisionRows[p.PupilId].Take(DossierPupilDecisions.MaxDecisions).Select(r => Decision(r.Row, r.Then, r.Now))]))],
            [.. laterWithdrawals.OrderBy(d => d.GivenAt).ThenBy(d => d.Sequence).Select(d => Decision(d, false, false))],
            [.. takedowns.Select(t => new DossierTakedown(t.Id, t.Kind, t.Status, t.OpenedAt,
                [.. t.Pupils.OrderBy(p => p.AddedAt).ThenBy(p => p.PupilId).Select(p => new DossierTakedownPupil(p.PupilId, p.State, p.Reason, p.AddedAt))],
                t.CompletedAt, t.CompletedBy, completers.GetValueOrDefault(t.Id), Name(clientNames, completers.GetValueOrDefault(t.Id)),
                t.CompletionNote))]);
    }

    private static string? Name(Dictionary<Guid, string> names, Guid? clientId) =>
        clientId is { } id ? names.GetValueOrDefault(id) : null;

    /// <summary>
    /// Consent at the moment of publication as known now, pupil by pupil beside the stored check. As in the stored check, a
    /// pupil shown unrecognisable needed no consent; a pupil the facts no longer hold counts as not allowed.
    /// </summary>
    private static DossierRecheck Recheck(Publication publication, ConsentFactSet known, DateTimeOffset now)
    {
        var item = (publication.MediaType, publication.ChannelKey);
        var stored = publication.Check?.Pupils.ToDictionary(p => p.PupilId);
        var pupils = publication.Pupils.Where(p => known.Pupils.ContainsKey(p.PupilId)).OrderBy(p => p.PupilId).Select(p =>
        {
            var consent = known.Evaluate(p.PupilId, item);
            var then = stored?.GetValueOrDefault(p.PupilId);
            var differs = stored is not null
                && (then is null || then.State != consent.State || then.Reason != consent.Reason || then.Allowed != consent.Allowed);
            return (Shown: p, Result: new DossierRecheckPupil(p.PupilId, consent.State, consent.Reason, consent.Allowed, differs));
        }).ToList();
        var allowed = pupils.Count == publication.Pupils.Count && pupils.All(p => p.Result.Allowed || !p.Shown.Recognisable);
        return new DossierRecheck(publication.PublishedAt, now, allowed,
            pupils.Any(p => p.Result.DiffersFromCheckReliedOn) || (publication.Check is { } check && check.Allowed != allowed),
            [.. pupils.Select(p => p.Result)]);
    }

    /// <summary>
    /// The decisions one pupil's state at the moment rested on: each person's latest that counted as known then, and as
    /// known now, once each, in recording order.
    /// </summary>
    private static List<(DecisionRow Row, bool Then, bool Now)> Basis(
        ConsentFactSet then, ConsentFactSet known, Guid pupilId, (MediaType, string) item)
    {
        IReadOnlyList<DecisionRow> thenRows = then.Pupils.ContainsKey(pupilId) ? then.DecisionsOf(pupilId, item) : [];
        IReadOnlyList<DecisionRow> nowRows = known.Pupils.ContainsKey(pupilId) ? known.DecisionsOf(pupilId, item) : [];
        var thenIds = thenRows.Select(d => d.Id).ToHashSet();
        var nowIds = nowRows.Select(d => d.Id).ToHashSet();
        return [.. thenRows.Concat(nowRows).DistinctBy(d => d.Id).OrderBy(d => d.Sequence)
            .Select(d => (d, thenIds.Contains(d.Id), nowIds.Contains(d.Id)))];
    }

    private sealed record GuardianName(string ExternalId, string Name);

    private sealed record People(
        Dictionary<Guid, GuardianName> Guardians, Dictionary<Guid, int> VersionNumbers, ILookup<Guid, ProofFile> ProofFiles);

    /// <summary>The guardians who decided (under the name the caller sees), the form versions' numbers, the receipts' proof files.</summary>
    private async Task<People> PeopleAsync(Publication publication, List<DecisionRow> rows, CancellationToken ct)
    {
        var guardianIds = rows.Select(r => r.GuardianId).OfType<Guid>().Distinct().ToList();
        var limited = client.IsLimitedToSchools;
        var schoolId = publication.SchoolId;
        var guardians = await db.Guardians.AsNoTracking().Where(g => g.OrganisationId == publication.OrganisationId && guardianIds.Contains(g.Id))
            .Select(g => new
            {
                g.Id, g.ExternalId,
                Name = limited
                    ? db.GuardianSchools.Where(k => k.GuardianId == g.Id && k.SchoolId == schoolId).Select(k => k.DisplayName).FirstOrDefault() ?? g.DisplayName
                    : g.DisplayName,
            })
            .ToDictionaryAsync(g => g.Id, g => new GuardianName(g.ExternalId, g.Name), ct);
        var versionIds = rows.Select(r => r.FormVersionId).Distinct().ToList();
        var numbers = await db.ConsentFormVersions.AsNoTracking().Where(v => versionIds.Contains(v.Id))
            .ToDictionaryAsync(v => v.Id, v => v.Number, ct);
        var batchIds = rows.Select(r => r.BatchId).Distinct().ToList();
        var files = await db.ProofFiles.AsNoTracking()
            .Where(f => f.OrganisationId == publication.OrganisationId && batchIds.Contains(f.BatchId))
            .OrderBy(f => f.UploadedAt).ThenBy(f => f.Id).ToListAsync(ct);
        return new People(guardians, numbers, files.ToLookup(f => f.BatchId));
    }

    private sealed record ShownPupil(string ExternalId, string DisplayName, Guid? GroupId);

    /// <summary>
    /// The pupils shown, by name, in their group at the moment of publication: as the facts know them, else as the roster
    /// holds them.
    /// </summary>
    private async Task<List<DossierPupil>> PupilsAsync(Publication publication, ConsentFactSet then, ConsentFactSet known, CancellationToken ct)
    {
        var ids = publication.Pupils.Select(p => p.PupilId).ToList();
        var roster = await db.Pupils.AsNoTracking().Where(p => ids.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => new ShownPupil(p.ExternalId, p.DisplayName, p.GroupId), ct);
        var shown = publication.Pupils.ToDictionary(p => p.PupilId, p =>
            (then.Pupils.GetValueOrDefault(p.PupilId) ?? known.Pupils.GetValueOrDefault(p.PupilId)) is { } f
                ? new ShownPupil(f.ExternalId, f.DisplayName, f.GroupId)
                : roster.GetValueOrDefault(p.PupilId) ?? new ShownPupil("", "", null));
        var groupIds = shown.Values.Select(f => f.GroupId).OfType<Guid>().Distinct().ToList();
        var groups = await db.Groups.AsNoTracking().Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.Name, ct);
        return [.. publication.Pupils
            .Select(p => (p, Shown: shown[p.PupilId]))
            .Select(x => new DossierPupil(x.p.PupilId, x.Shown.ExternalId, x.Shown.DisplayName, x.Shown.GroupId,
                x.Shown.GroupId is { } g ? groups.GetValueOrDefault(g) : null, x.p.Recognisable, null, null, null))
            .OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.PupilId)];
    }

    /// <summary>
    /// The API client that completed each completed takedown, from the audit record of the command that did it: completing
    /// the takedown, or removing the publication while it was open.
    /// </summary>
    private async Task<Dictionary<Guid, Guid?>> CompletersAsync(Guid publicationId, List<Takedown> takedowns, CancellationToken ct)
    {
        var completed = takedowns.Where(t => t.CompletedAt is not null).Select(t => t.Id).ToList();
        if (completed.Count == 0)
        {
            return [];
        }
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.OrganisationId == client.OrganisationId)
            .Where(e => (e.Action == CompleteTakedownAction && e.ResourceType == "takedown" && e.ResourceId != null && completed.Contains(e.ResourceId.Value))
                        || (e.Action == RemovePublicationAction && e.ResourceType == "publication" && e.ResourceId == publicationId))
            .OrderBy(e => e.Sequence).ToListAsync(ct);
        return takedowns.Where(t => t.CompletedAt is not null).ToDictionary(t => t.Id, t =>
            events.FirstOrDefault(e => e.Action == CompleteTakedownAction && e.ResourceId == t.Id)?.ClientId
            ?? events.FirstOrDefault(e => e.Action == RemovePublicationAction && e.OccurredAt >= t.CompletedAt)?.ClientId);
    }
}

/// <param name="PublicationId">The publication.</param>
/// <param name="Language">The language of the printed forms (HTML, PDF): `nl` (default) or `en`. JSON is the same in both.</param>
public sealed record PublicationDossierParameters(
    Guid PublicationId,
    [property: OneOf(typeof(DocumentLanguage))] string? Language);

public static class GetPublicationDossierEndpoint
{
    public static RouteHandlerBuilder MapGetPublicationDossier(this RouteGroupBuilder group) =>
        group.MapGet("/{publicationId:guid}/dossier", Get)
            .WithName("GetPublicationDossier")
            .WithSummary("The dossier of a publication: the proof an inquiry asks for")
            .WithDescription("""
                Everything that proves one publication was lawful when it was made, as the Autoriteit Persoonsgegevens asks
                for it in an inquiry: what was published, on which channel (its audience and recall as they were at
                `publishedAt`), when and by which client it was registered; each pupil shown, recognisable or not and for
                those shown unrecognisable who declared it; the check the registration relied on as it was stored then and
                never changed (`checkReliedOn`); the same check for `publishedAt` as the record stands now (`asKnownNow`),
                flagging each pupil for whom it differs (a paper form dated before publication but keyed in afterwards);
                per pupil the decisions the state rested on (each person's latest that counted at `publishedAt`) with the
                form version, the hash of its text and the proof files with their SHA-256; refusals given after
                publication (`laterWithdrawals`); and the publication's takedowns with why they opened and who completed
                them and how.

                Choose the form with `Accept`: `application/json` (default), `text/html` (a page to print, a section per
                A4 page, black on white, no script) or `application/pdf`; `language` sets the language of the printed
                forms, with days as dd-MM-yyyy and times in the organisation's time zone.
                """)
            .ProducesPrintable<PublicationDossier>("publication-dossier-fotos-schoolreisje-groep-5b-2026-10-02")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> Get([AsParameters] PublicationDossierParameters parameters, HttpContext context, ISender sender,
        CancellationToken ct)
    {
        if (Printable.Negotiate(context.Request) is not { } format)
        {
            return Printable.NotAcceptable("The publication dossier");
        }
        var dossier = await sender.Send(new GetPublicationDossierQuery(parameters.PublicationId), ct);
        var language = Printable.Language(parameters.Language);
        return Printable.Answer(context, format, dossier, d => PublicationDossierDocument.Build(d, language), FileName(dossier));
    }

    /// <summary>What was published and the organisation's day it went online: two dossiers of one title differ by day.</summary>
    private static string FileName(PublicationDossier dossier)
    {
        var day = ConsentCalendar.For(dossier.TimeZone).DayOf(dossier.Publication.PublishedAt);
        return $"publication-dossier-{Downloads.Part(dossier.Publication.Title)}-{day:yyyy-MM-dd}";
    }
}
