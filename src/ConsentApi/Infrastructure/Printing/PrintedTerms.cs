using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;

namespace ConsentApi.Infrastructure.Printing;

/// <summary>
/// The product's words for its own values on paper, in Dutch and English: media types, methods, outcomes, consent states
/// and their reasons, takedowns, channels, enrolment. One home, so that the access export, the publication dossier and
/// whatever prints next call a refusal, a withdrawal's reason or a printed channel the same.
/// </summary>
public sealed class PrintedTerms
{
    private readonly Dictionary<string, string> _terms;

    private PrintedTerms(Dictionary<string, string> terms) => _terms = terms;

    public static PrintedTerms For(DocumentLanguage language) => language == DocumentLanguage.En ? En : Nl;

    public string Of(MediaType value) => _terms[$"media:{value}"];
    public string Of(DecisionMethod value) => _terms[$"method:{value}"];
    public string Of(ConsentOutcome value) => _terms[$"outcome:{value}"];
    public string Of(ConsentState value) => _terms[$"state:{value}"];
    public string Of(TakedownStatus value) => _terms[$"takedown:{value}"];
    public string Of(TakedownKind value) => _terms[$"kind:{value}"];
    public string Of(ChannelAudience value) => _terms[$"audience:{value}"];
    public string Of(ChannelRecall value) => _terms[$"recall:{value}"];
    public string Of(PupilStatus value) => _terms[$"pupil:{value}"];

    /// <summary>A reason code in words; a code without words (one added later) prints as itself.</summary>
    public string Reason(string code) => _terms.TryGetValue($"reason:{code}", out var words) ? words : code;

    private static readonly PrintedTerms Nl = new(new Dictionary<string, string>
    {
        ["audience:Public"] = "openbaar",
        ["audience:Closed"] = "besloten",
        ["recall:Removable"] = "ja, te verwijderen",
        ["recall:NotRecallable"] = "nee, niet terug te halen (gedrukt)",
        ["media:Photo"] = "foto",
        ["media:Film"] = "film",
        ["media:Audio"] = "geluid",
        ["state:Granted"] = "toestemming",
        ["state:Refused"] = "geweigerd",
        ["state:Conflict"] = "ouders oneens",
        ["state:Pending"] = "nog geen antwoord",
        ["state:NotAsked"] = "niet gevraagd",
        ["state:Expired"] = "verlopen",
        ["state:NeedsPupilConsent"] = "leerling (16+) beslist",
        ["outcome:Granted"] = "toestemming",
        ["outcome:Refused"] = "geweigerd",
        ["method:ParentApp"] = "ouderapp",
        ["method:Paper"] = "papier",
        ["method:Email"] = "e-mail",
        ["method:Web"] = "web",
        ["method:InPerson"] = "persoonlijk",
        ["kind:Removal"] = "verwijderen",
        ["kind:DoNotReprint"] = "niet herdrukken of opnieuw uitdelen",
        ["takedown:Open"] = "open",
        ["takedown:Done"] = "afgerond",
        ["takedown:Acknowledged"] = "bevestigd",
        [$"reason:{ConsentReasons.GrantedByGuardian}"] = "toestemming van een ouder",
        [$"reason:{ConsentReasons.GrantedByAllGuardians}"] = "toestemming van alle ouders",
        [$"reason:{ConsentReasons.GrantedByPupil}"] = "toestemming van de leerling",
        [$"reason:{ConsentReasons.RefusedByGuardian}"] = "geweigerd door een ouder",
        [$"reason:{ConsentReasons.RefusedByPupil}"] = "geweigerd door de leerling",
        [$"reason:{ConsentReasons.GuardiansDisagree}"] = "ouders zijn het oneens",
        [$"reason:{ConsentReasons.AwaitingOtherGuardian}"] = "wacht op de andere ouder",
        [$"reason:{ConsentReasons.NoAnswer}"] = "geen antwoord",
        [$"reason:{ConsentReasons.NotAsked}"] = "niet gevraagd",
        [$"reason:{ConsentReasons.NoGuardianWithAuthority}"] = "geen ouder met gezag",
        [$"reason:{ConsentReasons.ConsentExpired}"] = "toestemming verlopen",
        [$"reason:{ConsentReasons.FormVersionWithdrawn}"] = "formulierversie ingetrokken",
        [$"reason:{ConsentReasons.PupilIs16}"] = "leerling is 16 en beslist zelf",
        [$"reason:{ConsentReasons.PupilLeft}"] = "leerling heeft de school verlaten",
        [$"reason:{ConsentReasons.ChannelChanged}"] = "kanaal gewijzigd",
        [$"reason:{ConsentReasons.ChannelRetired}"] = "kanaal buiten gebruik",
        ["pupil:Active"] = "ingeschreven",
        ["pupil:Left"] = "uitgeschreven",
    });

    private static readonly PrintedTerms En = new(new Dictionary<string, string>
    {
        ["audience:Public"] = "public",
        ["audience:Closed"] = "closed",
        ["recall:Removable"] = "yes, removable",
        ["recall:NotRecallable"] = "no, cannot be recalled (printed)",
        ["media:Photo"] = "photo",
        ["media:Film"] = "film",
        ["media:Audio"] = "audio",
        ["state:Granted"] = "granted",
        ["state:Refused"] = "refused",
        ["state:Conflict"] = "guardians disagree",
        ["state:Pending"] = "no answer yet",
        ["state:NotAsked"] = "not asked",
        ["state:Expired"] = "expired",
        ["state:NeedsPupilConsent"] = "pupil (16+) decides",
        ["outcome:Granted"] = "granted",
        ["outcome:Refused"] = "refused",
        ["method:ParentApp"] = "parents' app",
        ["method:Paper"] = "paper",
        ["method:Email"] = "e-mail",
        ["method:Web"] = "web",
        ["method:InPerson"] = "in person",
        ["kind:Removal"] = "removal",
        ["kind:DoNotReprint"] = "do not reprint or hand out again",
        ["takedown:Open"] = "open",
        ["takedown:Done"] = "done",
        ["takedown:Acknowledged"] = "acknowledged",
        [$"reason:{ConsentReasons.GrantedByGuardian}"] = "granted by a guardian",
        [$"reason:{ConsentReasons.GrantedByAllGuardians}"] = "granted by all guardians",
        [$"reason:{ConsentReasons.GrantedByPupil}"] = "granted by the pupil",
        [$"reason:{ConsentReasons.RefusedByGuardian}"] = "refused by a guardian",
        [$"reason:{ConsentReasons.RefusedByPupil}"] = "refused by the pupil",
        [$"reason:{ConsentReasons.GuardiansDisagree}"] = "guardians disagree",
        [$"reason:{ConsentReasons.AwaitingOtherGuardian}"] = "awaiting the other guardian",
        [$"reason:{ConsentReasons.NoAnswer}"] = "no answer",
        [$"reason:{ConsentReasons.NotAsked}"] = "not asked",
        [$"reason:{ConsentReasons.NoGuardianWithAuthority}"] = "no guardian with parental authority",
        [$"reason:{ConsentReasons.ConsentExpired}"] = "consent expired",
        [$"reason:{ConsentReasons.FormVersionWithdrawn}"] = "form version withdrawn",
        [$"reason:{ConsentReasons.PupilIs16}"] = "pupil is 16 and decides",
        [$"reason:{ConsentReasons.PupilLeft}"] = "pupil left the school",
        [$"reason:{ConsentReasons.ChannelChanged}"] = "channel changed",
        [$"reason:{ConsentReasons.ChannelRetired}"] = "channel retired",
        ["pupil:Active"] = "enrolled",
        ["pupil:Left"] = "left",
    });
}
