using System.Globalization;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Printing;

namespace ConsentApi.Features.AccessExports;

/// <summary>
/// The access export on paper, in Dutch or English: one section per part (the pupil and their roster history, the
/// guardians, the decisions with the form texts and hashes, receipts and proof files, publications, takedowns, the audit
/// trail). Days print as dd-MM-yyyy and moments in the organisation's time zone; codes the API defines (reasons, channel
/// keys, ids, hashes) print as they are, so that the paper and the JSON can be held side by side.
/// </summary>
public static class AccessExportDocument
{
    public static PrintDocument Build(AccessExport export, string language)
    {
        var w = language == "en" ? Words.En : Words.Nl;
        var zone = ConsentCalendar.For(export.TimeZone).Zone;
        string Moment(DateTimeOffset? moment) => moment is { } m
            ? TimeZoneInfo.ConvertTime(m, zone).ToString("dd-MM-yyyy HH:mm", CultureInfo.InvariantCulture)
            : w.FromTheStart;
        var names = export.Guardians.ToDictionary(g => g.GuardianId, g => g.DisplayName);
        string Decider(Guid? guardianId) => guardianId is not { } id ? w.ThePupil
            : names.TryGetValue(id, out var name) ? name : $"{w.Guardian} {id.ToString()[..8]}";
        var pupil = export.Pupil;

        var sections = new List<PrintSection>
        {
            new(w.PupilSection,
            [
                new PrintFacts(
                [
                    new(w.Name, pupil.DisplayName), new(w.ExternalId, pupil.ExternalId), new(w.DateOfBirth, Day(pupil.DateOfBirth)),
                    new(w.School, pupil.SchoolName), new(w.Group, pupil.GroupName ?? "-"), new(w.Status, w.PupilStatus(pupil.Status)),
                    new(w.LeftOn, pupil.LeftOn is { } left ? Day(left) : "-"), new(w.SixteenthBirthday, Day(pupil.SixteenthBirthday)),
                ]),
                new PrintSubheading(w.EnrolmentHistory),
                new PrintTable([w.ValidFrom, w.RecordedAt, w.Status, w.Group],
                    [.. export.Enrolments.Select(e => Row(Moment(e.ValidFrom), Moment(e.RecordedAt), w.PupilStatus(e.Status), e.GroupName ?? "-"))], w.None),
                new PrintSubheading(w.BirthDateHistory),
                new PrintTable([w.RecordedAt, w.DateOfBirth], [.. export.BirthDates.Select(b => Row(Moment(b.RecordedAt), Day(b.DateOfBirth)))], w.None),
                new PrintSubheading(w.ConsentRequests),
                new PrintTable([w.Campaign, w.SchoolYear, w.Opens, w.Closes, w.RequestedAt],
                    [.. export.ConsentRequests.Select(r => Row(r.CampaignId.ToString(), r.SchoolYear, Day(r.OpensOn),
                        r.ClosedAt is { } closed ? Moment(closed) : Day(r.ClosesOn), Moment(r.RequestedAt)))], w.None),
                new PrintSubheading(w.Turning16Notices),
                new PrintTable([w.SentAt, w.Occasion, w.SixteenthBirthday],
                    [.. export.Turning16Notices.Select(n => Row(Moment(n.SentAt), w.Occasion16(n.Occasion), Day(n.Birthday)))], w.None),
            ]),
            new(w.GuardiansSection,
            [
                new PrintTable([w.Name, w.GuardianNumber, w.ParentalAuthority],
                    [.. export.Guardians.Select(g => Row(g.DisplayName, g.ExternalId ?? "-", w.YesNo(g.HasParentalAuthority)))], w.None),
                .. export.OtherGuardians.Count == 0 ? Array.Empty<PrintBlock>() :
                [
                    new PrintSubheading(w.OtherGuardians),
                    new PrintText(string.Join("\n", export.OtherGuardians.Select(o => o.HasParentalAuthority ? w.AnotherWithAuthority : w.AnotherWithoutAuthority))),
                ],
                new PrintSubheading(w.LinkHistory),
                new PrintTable([w.Guardian, w.ValidFrom, w.RecordedAt, w.Link],
                    [.. export.GuardianLinkChanges.Select(c => Row(Decider(c.GuardianId), Moment(c.ValidFrom), Moment(c.RecordedAt),
                        !c.Linked ? w.Unlinked : c.HasParentalAuthority ? w.LinkedWithAuthority : w.LinkedWithoutAuthority))], w.None),
            ]),
            new(w.DecisionsSection,
            [
                new PrintText(w.DecisionsIntro),
                new PrintTable([w.Number, w.GivenAt, w.RecordedAt, w.Item, w.OutcomeHeader, w.DecidedBy, w.MethodHeader, w.Form, w.ProofReference, w.Note],
                    [.. export.Decisions.Select(d => Row(d.Sequence.ToString(CultureInfo.InvariantCulture), Moment(d.GivenAt), Moment(d.RecordedAt),
                        $"{w.Media(d.MediaType)} × {d.Channel}", w.Outcome(d.Outcome) + (d.SupersededAt16 ? $" ({w.SupersededAt16})" : ""),
                        Decider(d.GuardianId), w.Method(d.Method), $"{w.Version} {d.FormNumber} ({d.Language})", d.ProofReference ?? "-", d.Note ?? "-"))], w.None),
                new PrintSubheading(w.ConsentNow),
                new PrintTable([w.Item, w.StateHeader, w.Reason],
                    [.. export.Consents.Select(c => Row($"{w.Media(c.MediaType)} × {c.Channel}", w.State(c.State), w.Terms.Reason(c.Reason)))], w.None),
                .. export.FormTexts.SelectMany(t => new PrintBlock[]
                {
                    new PrintSubheading($"{w.FormText}: {t.FormName}, {w.Version} {t.Number} ({t.Language})"),
                    new PrintFacts([new(w.ContentHash, t.ContentHash), new(w.FormVersion, t.FormVersionId.ToString())]),
                    new PrintText(t.Text),
                }),
            ]),
            new(w.ReceiptsSection,
            [
                new PrintTable([w.Receipt, w.GivenAt, w.DecidedBy, w.MethodHeader, w.Items, w.ContentHash],
                    [.. export.Receipts.Select(r => Row(r.ReceiptId.ToString(), Moment(r.GivenAt), Decider(r.DecidedBy.GuardianId), w.Method(r.Method),
                        string.Join(", ", r.Purposes.Select(p => $"{w.Media(p.MediaType)} × {p.Channel}: {w.Outcome(p.Outcome)}")),
                        r.Notice.ContentHash))], w.None),
                new PrintSubheading(w.ProofFiles),
                new PrintTable([w.FileName, w.Type, w.Size, w.Sha256, w.UploadedAt, w.Receipt],
                    [.. export.ProofFiles.Select(f => Row(f.FileName, f.ContentType, f.Size.ToString(CultureInfo.InvariantCulture), f.Sha256, Moment(f.UploadedAt),
                        f.ReceiptId.ToString()))], w.None),
            ]),
            new(w.PublicationsSection,
            [
                new PrintTable([w.PublishedAt, w.TitleHeader, w.Where, w.Item, w.Status, w.Recognisable, w.CheckReliedOn],
                    [.. export.Publications.Select(p => Row(Moment(p.PublishedAt), p.Title, p.Url ?? p.Location ?? "-", $"{w.Media(p.MediaType)} × {p.Channel}",
                        p.Status == PublicationStatus.Online ? w.Online : $"{w.Removed} {Moment(p.RemovedAt)}", w.YesNo(p.Recognisable),
                        p.Check is { } c
                            ? $"{w.State(c.State)} ({w.Terms.Reason(c.Reason)}), {(c.Allowed ? w.Allowed : w.NotAllowed)}; {w.At} {Moment(c.At)}, {w.AsKnownAt} {Moment(c.AsKnownAt)}"
                              + (c.Recognisable ? "" : $"; {w.DeclaredUnrecognisable}{(c.DeclaredBy is { } by ? $" ({by})" : "")}")
                            : w.NoCheckKept))], w.None),
            ]),
            new(w.TakedownsSection,
            [
                new PrintTable([w.OpenedAt, w.Publication, w.Kind, w.Status, w.StateHeader, w.CompletedAt, w.CompletedBy, w.How],
                    [.. export.Takedowns.Select(t => Row(Moment(t.OpenedAt),
                        export.Publications.FirstOrDefault(p => p.Id == t.PublicationId)?.Title ?? t.PublicationId.ToString(),
                        t.Kind == TakedownKind.DoNotReprint ? w.DoNotReprint : w.Removal, w.TakedownStatus(t.Status),
                        $"{w.State(t.State)} ({t.Reason})", t.CompletedAt is { } done ? Moment(done) : "-", t.CompletedBy ?? "-", t.CompletionNote ?? "-"))], w.None),
            ]),
            new(w.AuditSection,
            [
                new PrintText(w.AuditIntro),
                new PrintTable([w.When, w.Action, w.Resource, w.Client, w.RequestId],
                    [.. export.AuditEvents.Select(e => Row(Moment(e.OccurredAt), e.Action, $"{e.ResourceType} {e.ResourceId}",
                        e.ClientId?.ToString() ?? "-", e.RequestId))], w.None),
            ]),
        };

        return new PrintDocument(language == "en" ? "en" : "nl", $"{w.Title}: {pupil.DisplayName}",
            [
                new(w.Controller, export.OrganisationName), new(w.PreparedFor, w.View(export.View)),
                new(w.GeneratedAt, $"{Moment(export.GeneratedAt)} ({export.TimeZone})"),
            ],
            sections, w.Footer);
    }

    private static string Day(DateOnly day) => day.ToString("dd-MM-yyyy", CultureInfo.InvariantCulture);

    private static string[] Row(params string[] cells) => cells;

    /// <summary>Every word the printed export uses, in one language.</summary>
    private sealed record Words(
        string Title, string Controller, string PreparedFor, string GeneratedAt, string Footer, string None, string FromTheStart,
        string PupilSection, string Name, string ExternalId, string DateOfBirth, string School, string Group, string Status, string LeftOn,
        string SixteenthBirthday, string EnrolmentHistory, string BirthDateHistory, string ValidFrom, string RecordedAt,
        string ConsentRequests, string Campaign, string SchoolYear, string Opens, string Closes, string RequestedAt,
        string Turning16Notices, string SentAt, string Occasion,
        string GuardiansSection, string GuardianNumber, string ParentalAuthority, string OtherGuardians, string AnotherWithAuthority, string AnotherWithoutAuthority,
        string LinkHistory, string Guardian, string Link, string Unlinked, string LinkedWithAuthority, string LinkedWithoutAuthority,
        string DecisionsSection, string DecisionsIntro, string Number, string GivenAt, string Item, string OutcomeHeader, string DecidedBy,
        string MethodHeader, string Form, string ProofReference, string Note, string Version, string ThePupil, string SupersededAt16,
        string ConsentNow, string StateHeader, string Reason, string FormText, string ContentHash, string FormVersion,
        string ReceiptsSection, string Receipt, string Items, string ProofFiles, string FileName, string Type, string Size, string Sha256, string UploadedAt,
        string PublicationsSection, string PublishedAt, string TitleHeader, string Where, string Recognisable, string CheckReliedOn, string Online,
        string Removed, string Allowed, string NotAllowed, string At, string AsKnownAt, string DeclaredUnrecognisable, string NoCheckKept,
        string TakedownsSection, string OpenedAt, string Publication, string Kind, string CompletedAt, string CompletedBy, string How,
        string Removal, string DoNotReprint,
        string AuditSection, string AuditIntro, string When, string Action, string Resource, string Client, string RequestId,
        string Yes, string No,
        IReadOnlyDictionary<string, string> Values,
        PrintedTerms Terms)
    {
        public string YesNo(bool value) => value ? Yes : No;
        public string Outcome(ConsentOutcome value) => Terms.Of(value);
        public string Media(MediaType value) => Terms.Of(value);
        public string Method(DecisionMethod value) => Terms.Of(value);
        public string State(ConsentState value) => Terms.Of(value);
        public string PupilStatus(PupilStatus value) => Terms.Of(value);
        public string TakedownStatus(TakedownStatus value) => Terms.Of(value);
        public string Occasion16(Turning16Occasion value) => Values[$"occasion.{value}"];
        public string View(AccessExportView value) => Values[$"view.{value}"];

        public static readonly Words Nl = new(
            "Inzageverzoek (AVG art. 15)", "Verwerkingsverantwoordelijke", "Opgesteld voor", "Opgemaakt op",
            "Overzicht van alle gegevens over deze leerling, op verzoek van de betrokkene (AVG art. 15).", "Geen.", "vanaf het begin",
            "Leerling en inschrijving", "Naam", "Leerlingnummer (administratie)", "Geboortedatum", "School", "Groep", "Status", "Uitgeschreven op",
            "16e verjaardag", "Inschrijvingsgeschiedenis", "Geboortedatum zoals vastgelegd", "Geldig vanaf", "Vastgelegd op",
            "Toestemmingsverzoeken", "Campagne", "Schooljaar", "Opent", "Sluit", "Gevraagd op",
            "Meldingen 16e verjaardag", "Verstuurd op", "Aanleiding",
            "Ouders en verzorgers", "Nummer (administratie)", "Ouderlijk gezag", "Andere ouders/verzorgers", "Een andere ouder/verzorger met ouderlijk gezag",
            "Een andere ouder/verzorger zonder ouderlijk gezag",
            "Geschiedenis van de koppelingen", "Ouder/verzorger", "Koppeling", "ontkoppeld", "gekoppeld, met ouderlijk gezag", "gekoppeld, zonder ouderlijk gezag",
            "Beslissingen en toestemmingsteksten",
            "Elke vastgelegde beslissing, in volgorde van vastleggen; onder de tabel de precieze tekst van elk beantwoord formulier met de hash van die versie.",
            "Nr.", "Gegeven op", "Onderdeel", "Beslissing", "Door", "Manier", "Formulier", "Bewijsverwijzing", "Opmerking", "versie", "de leerling zelf",
            "vervallen bij 16 jaar",
            "Toestemming nu", "Stand", "Reden", "Toestemmingstekst", "Inhoudshash", "Formulierversie",
            "Bevestigingen en bewijsstukken", "Bevestiging", "Onderdelen", "Bewijsstukken", "Bestandsnaam", "Type", "Grootte (bytes)", "SHA-256", "Geüpload op",
            "Publicaties", "Gepubliceerd op", "Titel", "Waar", "Herkenbaar", "Controle waarop de publicatie steunde", "online",
            "verwijderd", "toegestaan", "niet toegestaan", "op", "zoals bekend op", "onherkenbaar verklaard", "geen controle bewaard",
            "Verwijderverzoeken", "Geopend op", "Publicatie", "Soort", "Afgerond op", "Afgerond door", "Hoe",
            "verwijderen", "niet herdrukken of opnieuw uitdelen",
            "Logboek", "Elke handeling op de leerling, op hun bewijsstukken en op de publicaties en verwijderverzoeken over hen.",
            "Wanneer", "Handeling", "Betreft", "Koppeling (client)", "Verzoek-id",
            "ja", "nee",
            new Dictionary<string, string>
            {
                ["occasion.Upcoming"] = "binnenkort 16", ["occasion.Birthday"] = "16e verjaardag",
                ["view.School"] = "de school", ["view.Guardian"] = "de ouder/verzorger", ["view.Pupil"] = "de leerling",
            },
            PrintedTerms.For(DocumentLanguage.Nl));

        public static readonly Words En = new(
            "Access request (GDPR art. 15)", "Controller", "Prepared for", "Generated at",
            "Everything held about this pupil, at the request of the data subject (GDPR art. 15).", "None.", "from the start",
            "Pupil and enrolment", "Name", "Pupil number (admin system)", "Date of birth", "School", "Group", "Status", "Left on",
            "16th birthday", "Enrolment history", "Date of birth as recorded", "Valid from", "Recorded at",
            "Consent requests", "Campaign", "School year", "Opens", "Closes", "Requested at",
            "16th birthday notices", "Sent at", "Occasion",
            "Parents and carers", "Number (admin system)", "Parental authority", "Other parents and carers", "Another parent or carer with parental authority",
            "Another parent or carer without parental authority",
            "History of the links", "Parent or carer", "Link", "unlinked", "linked, with parental authority", "linked, without parental authority",
            "Decisions and consent texts",
            "Every recorded decision, in the order recorded; below the table the exact text of each form answered with the hash of that version.",
            "No.", "Given at", "Item", "Decision", "By", "Method", "Form", "Proof reference", "Note", "version", "the pupil themself",
            "superseded at 16",
            "Consent now", "State", "Reason", "Consent text", "Content hash", "Form version",
            "Receipts and proof files", "Receipt", "Items", "Proof files", "File name", "Type", "Size (bytes)", "SHA-256", "Uploaded at",
            "Publications", "Published at", "Title", "Where", "Recognisable", "Check the publication relied on", "online",
            "removed", "allowed", "not allowed", "at", "as known at", "declared unrecognisable", "no check kept",
            "Takedowns", "Opened at", "Publication", "Kind", "Completed at", "Completed by", "How",
            "removal", "do not reprint or hand out again",
            "Audit trail", "Every command on the pupil, on their proof files and on the publications and takedowns about them.",
            "When", "Action", "Concerns", "Client", "Request id",
            "yes", "no",
            new Dictionary<string, string>
            {
                ["occasion.Upcoming"] = "turning 16 soon", ["occasion.Birthday"] = "16th birthday",
                ["view.School"] = "the school", ["view.Guardian"] = "the parent or carer", ["view.Pupil"] = "the pupil",
            },
            PrintedTerms.For(DocumentLanguage.En));
    }
}
