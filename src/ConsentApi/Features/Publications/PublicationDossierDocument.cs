using System.Globalization;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Printing;

namespace ConsentApi.Features.Publications;

/// <summary>
/// The dossier of a publication for paper, in Dutch or English: one section per part (the publication; who is shown; the
/// check relied on beside the same check as known now; the decisions per pupil with their hashes; later withdrawals;
/// takedowns). Days as dd-MM-yyyy and times in the organisation's time zone. Pure: the dossier in, the document out.
/// </summary>
public static class PublicationDossierDocument
{
    public static PrintDocument Build(PublicationDossier dossier, DocumentLanguage language)
    {
        var w = language == DocumentLanguage.En ? Words.En : Words.Nl;
        var calendar = ConsentCalendar.For(dossier.TimeZone);
        string Time(DateTimeOffset moment) =>
            TimeZoneInfo.ConvertTime(moment, calendar.Zone).ToString("dd-MM-yyyy HH:mm", CultureInfo.InvariantCulture);
        string? Moment(DateTimeOffset? moment) => moment is { } m ? Time(m) : null;
        var names = dossier.Pupils.ToDictionary(p => p.PupilId, p => p.DisplayName);
        string PupilName(Guid id) => names.GetValueOrDefault(id) is { Length: > 0 } name ? name : id.ToString();
        string YesNo(bool value) => value ? w.Yes : w.No;
        var p = dossier.Publication;

        return new PrintDocument(
            w.Language,
            w.Title,
            [
                new(w.PublicationTitle, p.Title),
                new(w.School, p.SchoolName),
                new(w.PublishedAt, Time(p.PublishedAt)),
                new(w.GeneratedAt, Time(dossier.GeneratedAt)),
                new(w.TimeZone, dossier.TimeZone),
            ],
            [
                PublicationSection(),
                ShownSection(),
                CheckSection(),
                DecisionsSection(),
                WithdrawalsSection(),
                TakedownsSection(),
            ],
            string.Format(CultureInfo.InvariantCulture, w.Footer, dossier.PublicationId, Time(dossier.GeneratedAt)));

        PrintSection PublicationSection()
        {
            var channel = dossier.Channel;
            var channelName = (w.Language == "en" ? channel.NameEn : null) ?? channel.NameNl;
            List<PrintFact> facts =
            [
                new(w.PublicationTitle, p.Title),
                .. p.Url is null ? Array.Empty<PrintFact>() : [new(w.Url, p.Url)],
                .. p.Location is null ? Array.Empty<PrintFact>() : [new(w.Location, p.Location)],
                new(w.Channel, $"{channelName} ({channel.Key})"),
                new(w.Audience, w.AudienceOf(channel.Audience)),
                new(w.Recall, w.RecallOf(channel.Recall)),
                .. channel.Retired ? [new PrintFact(w.ChannelRetired, w.Yes)] : Array.Empty<PrintFact>(),
                new(w.MediaType, w.MediaTypeOf(p.MediaType)),
                new(w.PublishedAt, Time(p.PublishedAt)),
                new(w.RegisteredAt, Time(p.RegisteredAt)),
                new(w.RegisteredBy, Client(p.RegisteredByClientName, p.RegisteredByClientId)),
                new(w.PublishedWithoutCheck, YesNo(p.PublishedWithoutCheck)),
                new(w.Status, p.Status == PublicationStatus.Online ? w.Online : w.Removed),
                .. p.RemovedAt is { } removed ? [new PrintFact(w.RemovedAt, Time(removed))] : Array.Empty<PrintFact>(),
                .. p.RemovalNote is { } note ? [new PrintFact(w.RemovalNote, note)] : Array.Empty<PrintFact>(),
            ];
            return new PrintSection(w.PublicationSection, [new PrintText(w.PublicationIntro), new PrintFacts(facts)]);
        }

        PrintSection ShownSection() => new(w.ShownSection,
        [
            new PrintText(w.ShownIntro),
            new PrintTable([w.Name, w.ExternalId, w.Group, w.Recognisable, w.DeclaredBy],
                [.. dossier.Pupils.Select(x => (IReadOnlyList<string>)
                [
                    x.DisplayName, x.ExternalId, x.GroupName ?? "-", YesNo(x.Recognisable),
                    x.Recognisable ? "-" : string.Join(", ", new[] { x.DeclaredBy, Client(x.DeclaredByClientName, x.DeclaredByClientId) }
                        .Where(s => !string.IsNullOrEmpty(s))),
                ])],
                w.NoPupils),
        ]);

        PrintSection CheckSection()
        {
            List<PrintBlock> blocks = [new PrintText(w.CheckIntro)];
            if (dossier.CheckReliedOn is { } check)
            {
                blocks.Add(new PrintFacts(
                [
                    new(w.CheckId, check.CheckId.ToString()),
                    new(w.CheckAt, Time(check.At)),
                    new(w.AsKnownAt, Time(check.AsKnownAt)),
                    new(w.Allowed, YesNo(check.Allowed)),
                    new(w.PublishedWithoutCheck, YesNo(check.PublishedWithoutCheck)),
                ]));
                blocks.Add(new PrintTable([w.Name, w.State, w.Reason, w.Allowed],
                    [.. check.Pupils.OrderBy(x => PupilName(x.PupilId), StringComparer.OrdinalIgnoreCase).Select(x => (IReadOnlyList<string>)
                        [PupilName(x.PupilId), w.StateOf(x.State), w.ReasonOf(x.Reason), YesNo(x.Allowed)])],
                    w.NoPupils));
            }
            else
            {
                blocks.Add(new PrintText(w.NoStoredCheck));
            }
            var now = dossier.AsKnownNow;
            blocks.Add(new PrintSubheading(w.AsKnownNowHeading));
            blocks.Add(new PrintText(w.AsKnownNowIntro));
            blocks.Add(new PrintFacts(
            [
                new(w.CheckAt, Time(now.At)),
                new(w.AsKnownAt, Time(now.AsKnownAt)),
                new(w.Allowed, YesNo(now.Allowed)),
                new(w.Differs, now.DiffersFromCheckReliedOn ? w.DiffersYes : w.No),
            ]));
            blocks.Add(new PrintTable([w.Name, w.State, w.Reason, w.Allowed, w.Differs],
                [.. now.Pupils.OrderBy(x => PupilName(x.PupilId), StringComparer.OrdinalIgnoreCase).Select(x => (IReadOnlyList<string>)
                    [PupilName(x.PupilId), w.StateOf(x.State), w.ReasonOf(x.Reason), YesNo(x.Allowed),
                        x.DiffersFromCheckReliedOn ? w.DiffersYes : "-"])],
                w.NoPupils));
            return new PrintSection(w.CheckSection, blocks);
        }

        PrintSection DecisionsSection()
        {
            List<PrintBlock> blocks = [new PrintText(w.DecisionsIntro)];
            foreach (var pupil in dossier.Decisions)
            {
                var shown = dossier.Pupils.FirstOrDefault(x => x.PupilId == pupil.PupilId);
                blocks.Add(new PrintSubheading(shown is null ? pupil.PupilId.ToString() : $"{shown.DisplayName} ({shown.ExternalId})"));
                var numbered = pupil.Decisions.Select((d, i) => (Number: (i + 1).ToString(CultureInfo.InvariantCulture), Decision: d)).ToList();
                blocks.Add(new PrintTable([w.Number, w.DecidedBy, w.Outcome, w.Method, w.GivenAt, w.RecordedAt, w.Counted],
                    [.. numbered.Select(x => (IReadOnlyList<string>)
                    [
                        x.Number, Decider(x.Decision), w.OutcomeOf(x.Decision.Outcome), w.MethodOf(x.Decision.Method), Time(x.Decision.GivenAt),
                        Time(x.Decision.RecordedAt), $"{YesNo(x.Decision.CountedAsKnownThen)} / {YesNo(x.Decision.CountedAsKnownNow)}",
                    ])],
                    w.NoDecisions));
                if (numbered.Count > 0)
                {
                    blocks.Add(new PrintTable([w.Number, w.FormVersion, w.FormContentHash, w.ProofReference, w.ProofFiles],
                        [.. numbered.Select(x => (IReadOnlyList<string>)
                        [
                            x.Number, x.Decision.FormVersionNumber.ToString(CultureInfo.InvariantCulture), x.Decision.FormContentHash,
                            x.Decision.ProofReference ?? "-", ProofFiles(x.Decision),
                        ])],
                        w.NoDecisions));
                }
            }
            return new PrintSection(w.DecisionsSection, blocks);
        }

        PrintSection WithdrawalsSection() => new(w.WithdrawalsSection,
        [
            new PrintText(w.WithdrawalsIntro),
            new PrintTable([w.Pupil, w.DecidedBy, w.Method, w.GivenAt, w.RecordedAt, w.FormVersion],
                [.. dossier.LaterWithdrawals.Select(d => (IReadOnlyList<string>)
                [
                    PupilName(d.PupilId), Decider(d), w.MethodOf(d.Method), Time(d.GivenAt), Time(d.RecordedAt),
                    d.FormVersionNumber.ToString(CultureInfo.InvariantCulture),
                ])],
                w.NoWithdrawals),
        ]);

        PrintSection TakedownsSection()
        {
            List<PrintBlock> blocks = [new PrintText(w.TakedownsIntro)];
            if (dossier.Takedowns.Count == 0)
            {
                blocks.Add(new PrintText(w.NoTakedowns));
            }
            foreach (var (takedown, i) in dossier.Takedowns.Select((t, i) => (t, i)))
            {
                blocks.Add(new PrintSubheading(string.Format(CultureInfo.InvariantCulture, w.TakedownHeading, i + 1)));
                blocks.Add(new PrintFacts(
                [
                    new(w.Kind, w.KindOf(takedown.Kind)),
                    new(w.Status, w.TakedownStatusOf(takedown.Status)),
                    new(w.OpenedAt, Time(takedown.OpenedAt)),
                    new(w.CompletedAt, Moment(takedown.CompletedAt) ?? "-"),
                    new(w.CompletedBy, takedown.CompletedBy ?? "-"),
                    new(w.CompletedThrough, takedown.CompletedAt is null ? "-" : Client(takedown.CompletedByClientName, takedown.CompletedByClientId)),
                    new(w.How, takedown.CompletionNote ?? "-"),
                ]));
                blocks.Add(new PrintTable([w.Pupil, w.State, w.Reason, w.AddedAt],
                    [.. takedown.Pupils.Select(x => (IReadOnlyList<string>)
                        [PupilName(x.PupilId), w.StateOf(x.State), w.ReasonOf(x.Reason), Time(x.AddedAt)])],
                    w.NoPupils));
            }
            return new PrintSection(w.TakedownsSection, blocks);
        }

        string Decider(DossierDecision d) =>
            (d.DecidedBy == DecidedBy.Pupil ? w.ThePupil : $"{d.GuardianName} ({d.GuardianExternalId})")
            + (d.SupersededAt16 ? $" — {w.SupersededAt16}" : "");

        string ProofFiles(DossierDecision d) =>
            d.ProofFiles.Count == 0 ? "-" : string.Join("; ", d.ProofFiles.Select(f => $"{f.FileName}: {f.Sha256}"));

        string Client(string? name, Guid? id) => name ?? id?.ToString() ?? "-";
    }

    /// <summary>Every label of the printed dossier, in one language.</summary>
    private sealed record Words
    {
        public required string Language { get; init; }
        public required string Title { get; init; }
        public required string Footer { get; init; }
        public required string Yes { get; init; }
        public required string No { get; init; }
        public required string School { get; init; }
        public required string GeneratedAt { get; init; }
        public required string TimeZone { get; init; }
        public required string PublicationSection { get; init; }
        public required string PublicationIntro { get; init; }
        public required string PublicationTitle { get; init; }
        public required string Url { get; init; }
        public required string Location { get; init; }
        public required string Channel { get; init; }
        public required string Audience { get; init; }
        public required string Recall { get; init; }
        public required string ChannelRetired { get; init; }
        public required string MediaType { get; init; }
        public required string PublishedAt { get; init; }
        public required string RegisteredAt { get; init; }
        public required string RegisteredBy { get; init; }
        public required string PublishedWithoutCheck { get; init; }
        public required string Status { get; init; }
        public required string Online { get; init; }
        public required string Removed { get; init; }
        public required string RemovedAt { get; init; }
        public required string RemovalNote { get; init; }
        public required string ShownSection { get; init; }
        public required string ShownIntro { get; init; }
        public required string Name { get; init; }
        public required string ExternalId { get; init; }
        public required string Group { get; init; }
        public required string Recognisable { get; init; }
        public required string DeclaredBy { get; init; }
        public required string NoPupils { get; init; }
        public required string CheckSection { get; init; }
        public required string CheckIntro { get; init; }
        public required string CheckId { get; init; }
        public required string CheckAt { get; init; }
        public required string AsKnownAt { get; init; }
        public required string Allowed { get; init; }
        public required string State { get; init; }
        public required string Reason { get; init; }
        public required string NoStoredCheck { get; init; }
        public required string AsKnownNowHeading { get; init; }
        public required string AsKnownNowIntro { get; init; }
        public required string Differs { get; init; }
        public required string DiffersYes { get; init; }
        public required string DecisionsSection { get; init; }
        public required string DecisionsIntro { get; init; }
        public required string Number { get; init; }
        public required string DecidedBy { get; init; }
        public required string Outcome { get; init; }
        public required string Method { get; init; }
        public required string GivenAt { get; init; }
        public required string RecordedAt { get; init; }
        public required string FormVersion { get; init; }
        public required string Counted { get; init; }
        public required string FormContentHash { get; init; }
        public required string ProofReference { get; init; }
        public required string ProofFiles { get; init; }
        public required string NoDecisions { get; init; }
        public required string ThePupil { get; init; }
        public required string SupersededAt16 { get; init; }
        public required string WithdrawalsSection { get; init; }
        public required string WithdrawalsIntro { get; init; }
        public required string Pupil { get; init; }
        public required string NoWithdrawals { get; init; }
        public required string TakedownsSection { get; init; }
        public required string TakedownsIntro { get; init; }
        public required string NoTakedowns { get; init; }
        public required string TakedownHeading { get; init; }
        public required string Kind { get; init; }
        public required string OpenedAt { get; init; }
        public required string CompletedAt { get; init; }
        public required string CompletedBy { get; init; }
        public required string CompletedThrough { get; init; }
        public required string How { get; init; }
        public required string AddedAt { get; init; }
        private PrintedTerms Terms => PrintedTerms.For(Language == "en" ? DocumentLanguage.En : DocumentLanguage.Nl);

        public string AudienceOf(ChannelAudience value) => Terms.Of(value);
        public string RecallOf(ChannelRecall value) => Terms.Of(value);
        public string MediaTypeOf(MediaType value) => Terms.Of(value);
        public string StateOf(ConsentState value) => Terms.Of(value);
        public string OutcomeOf(ConsentOutcome value) => Terms.Of(value);
        public string MethodOf(DecisionMethod value) => Terms.Of(value);
        public string KindOf(TakedownKind value) => Terms.Of(value);
        public string TakedownStatusOf(TakedownStatus value) => Terms.Of(value);
        public string ReasonOf(string reason) => Terms.Reason(reason);

        public static readonly Words Nl = new()
        {
            Language = "nl",
            Title = "Dossier van een publicatie",
            Footer = "Publicatiedossier {0} — opgesteld {1}",
            Yes = "ja",
            No = "nee",
            School = "School",
            GeneratedAt = "Opgesteld op",
            TimeZone = "Tijdzone",
            PublicationSection = "De publicatie",
            PublicationIntro = "Wat er is gepubliceerd, waar en wanneer, en door welke koppeling het is geregistreerd. Het kanaal zoals het was op het moment van publicatie.",
            PublicationTitle = "Publicatie",
            Url = "Adres",
            Location = "Vindplaats",
            Channel = "Kanaal",
            Audience = "Publiek",
            Recall = "Terug te halen",
            ChannelRetired = "Kanaal buiten gebruik",
            MediaType = "Soort opname",
            PublishedAt = "Gepubliceerd op",
            RegisteredAt = "Geregistreerd op",
            RegisteredBy = "Geregistreerd door (koppeling)",
            PublishedWithoutCheck = "Gepubliceerd zonder toestemming",
            Status = "Status",
            Online = "online",
            Removed = "verwijderd",
            RemovedAt = "Verwijderd op",
            RemovalNote = "Toelichting bij verwijdering",
            ShownSection = "Wie er te zien is",
            ShownIntro = "Elke leerling in de publicatie. Een leerling die onherkenbaar in beeld is (vervaagd, van achteren) heeft geen toestemming nodig; daarbij staat wie dat heeft verklaard.",
            Name = "Naam",
            ExternalId = "Leerlingnummer",
            Group = "Groep",
            Recognisable = "Herkenbaar",
            DeclaredBy = "Onherkenbaar verklaard door",
            NoPupils = "Geen leerlingen.",
            CheckSection = "De controle waarop de publicatie steunde",
            CheckIntro = "De toestemmingscontrole zoals die bij de registratie is opgeslagen en nooit is gewijzigd: de toestemming op het moment van publicatie, zoals die toen bekend was. Dit is het bewijs.",
            CheckId = "Controle",
            CheckAt = "Toestemming op",
            AsKnownAt = "Zoals bekend op",
            Allowed = "Toegestaan",
            State = "Toestemming",
            Reason = "Reden",
            NoStoredCheck = "Geen opgeslagen controle: de publicatie is geregistreerd voordat controles werden bewaard.",
            AsKnownNowHeading = "Dezelfde controle zoals nu bekend",
            AsKnownNowIntro = "De toestemming op hetzelfde moment van publicatie, zoals die nu bekend is. Een papieren formulier dat vóór de publicatie is getekend maar later is ingevoerd, maakt hier het verschil zichtbaar.",
            Differs = "Wijkt af",
            DiffersYes = "ja, wijkt af",
            DecisionsSection = "Besluiten per leerling",
            DecisionsIntro = "Per leerling de besluiten waarop de toestemming op het moment van publicatie rustte: van elke persoon het laatste besluit dat toen telde, zoals toen bekend en zoals nu bekend, met de hash van de formuliertekst en de bewijsstukken.",
            Number = "Nr.",
            DecidedBy = "Door",
            Outcome = "Besluit",
            Method = "Manier",
            GivenAt = "Gegeven op",
            RecordedAt = "Vastgelegd op",
            FormVersion = "Formulierversie",
            Counted = "Telde toen / telt nu",
            FormContentHash = "Hash van de formuliertekst",
            ProofReference = "Bewijsreferentie",
            ProofFiles = "Bewijsstukken (SHA-256)",
            NoDecisions = "Geen besluiten.",
            ThePupil = "de leerling zelf",
            SupersededAt16 = "vervallen bij 16 jaar",
            WithdrawalsSection = "Latere intrekkingen",
            WithdrawalsIntro = "Weigeringen voor dit kanaal en deze soort opname die na de publicatie zijn gegeven voor een leerling in de publicatie.",
            Pupil = "Leerling",
            NoWithdrawals = "Geen intrekkingen na de publicatie.",
            TakedownsSection = "Verwijderverzoeken",
            TakedownsIntro = "De verwijderverzoeken van deze publicatie: waarom ze zijn geopend, en wie ze heeft afgerond en hoe.",
            NoTakedowns = "Geen verwijderverzoeken.",
            TakedownHeading = "Verwijderverzoek {0}",
            Kind = "Soort",
            OpenedAt = "Geopend op",
            CompletedAt = "Afgerond op",
            CompletedBy = "Afgerond door",
            CompletedThrough = "Via koppeling",
            How = "Hoe",
            AddedAt = "Toegevoegd op",
                    };

        public static readonly Words En = new()
        {
            Language = "en",
            Title = "Publication dossier",
            Footer = "Publication dossier {0} — drawn up {1}",
            Yes = "yes",
            No = "no",
            School = "School",
            GeneratedAt = "Drawn up at",
            TimeZone = "Time zone",
            PublicationSection = "The publication",
            PublicationIntro = "What was published, where and when, and through which client it was registered. The channel as it was at the moment of publication.",
            PublicationTitle = "Publication",
            Url = "Address",
            Location = "Location",
            Channel = "Channel",
            Audience = "Audience",
            Recall = "Can be recalled",
            ChannelRetired = "Channel retired",
            MediaType = "Media type",
            PublishedAt = "Published at",
            RegisteredAt = "Registered at",
            RegisteredBy = "Registered by (client)",
            PublishedWithoutCheck = "Published without consent",
            Status = "Status",
            Online = "online",
            Removed = "removed",
            RemovedAt = "Removed at",
            RemovalNote = "Removal note",
            ShownSection = "Who is shown",
            ShownIntro = "Every pupil in the publication. A pupil shown unrecognisable (blurred, from behind) needs no consent; who declared it is given.",
            Name = "Name",
            ExternalId = "Pupil number",
            Group = "Group",
            Recognisable = "Recognisable",
            DeclaredBy = "Declared unrecognisable by",
            NoPupils = "No pupils.",
            CheckSection = "The check the publication relied on",
            CheckIntro = "The consent check as stored at registration and never changed: consent at the moment of publication, as known then. This is the proof.",
            CheckId = "Check",
            CheckAt = "Consent at",
            AsKnownAt = "As known at",
            Allowed = "Allowed",
            State = "Consent",
            Reason = "Reason",
            NoStoredCheck = "No stored check: the publication was registered before checks were kept.",
            AsKnownNowHeading = "The same check as known now",
            AsKnownNowIntro = "Consent at the same moment of publication, as known now. A paper form signed before publication but keyed in later shows here as a difference.",
            Differs = "Differs",
            DiffersYes = "yes, differs",
            DecisionsSection = "Decisions per pupil",
            DecisionsIntro = "For each pupil, the decisions consent at the moment of publication rested on: each person's latest decision that counted then, as known then and as known now, with the hash of the form text and the proof files.",
            Number = "No.",
            DecidedBy = "By",
            Outcome = "Decision",
            Method = "Method",
            GivenAt = "Given at",
            RecordedAt = "Recorded at",
            FormVersion = "Form version",
            Counted = "Counted then / counts now",
            FormContentHash = "Hash of the form text",
            ProofReference = "Proof reference",
            ProofFiles = "Proof files (SHA-256)",
            NoDecisions = "No decisions.",
            ThePupil = "the pupil",
            SupersededAt16 = "superseded at 16",
            WithdrawalsSection = "Later withdrawals",
            WithdrawalsIntro = "Refusals for this channel and media type given after the publication for a pupil shown in it.",
            Pupil = "Pupil",
            NoWithdrawals = "No withdrawals after the publication.",
            TakedownsSection = "Takedowns",
            TakedownsIntro = "The takedowns of this publication: why they opened, and who completed them and how.",
            NoTakedowns = "No takedowns.",
            TakedownHeading = "Takedown {0}",
            Kind = "Kind",
            OpenedAt = "Opened at",
            CompletedAt = "Completed at",
            CompletedBy = "Completed by",
            CompletedThrough = "Through client",
            How = "How",
            AddedAt = "Added at",
                    };
    }
}
