using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Csv;

namespace ConsentApi.Features.Imports;

/// <summary>One answer from a paper consent form: one row of a <c>consent-forms-csv</c> file, its values read.</summary>
/// <param name="GuardianExternalId">The guardian who signed; null when the pupil (16 or older) decided.</param>
/// <param name="Source">The row as read, for errors that name its cells.</param>
internal sealed record PaperFormRow(
    CsvRow Source, int Line, string PupilExternalId, string? GuardianExternalId, MediaType MediaType, string Channel, ConsentOutcome Outcome,
    DateOnly DateGiven, string? ProofReference, Guid? FormVersionId, string? Note);

/// <summary>The columns of a paper consent forms file and the values they accept, in English and Dutch.</summary>
internal static class PaperFormRows
{
    public const string PupilWord = "pupil";

    public static readonly CsvColumn Pupil = new("pupilExternalId", true, "leerlingnummer", "leerling id", "leerlingid", "pupil id");
    public static readonly CsvColumn DecidedBy = new("guardianExternalId", true, "ouder id", "ouderid", "verzorger id", "ondertekend door", "decided by");
    public static readonly CsvColumn MediaType = new("mediaType", true, "media", "soort", "soort beeldmateriaal");
    public static readonly CsvColumn Channel = new("channel", true, "kanaal");
    public static readonly CsvColumn Outcome = new("outcome", true, "besluit", "antwoord", "toestemming");
    public static readonly CsvColumn DateGiven = new("dateGiven", true, "datum", "datum ondertekend", "ondertekend op", "getekend op");
    public static readonly CsvColumn Proof = new("proofReference", false, "kenmerk", "bewijs", "documentnummer");
    public static readonly CsvColumn FormVersion = new("formVersionId", false, "formulierversie", "form version");
    public static readonly CsvColumn Note = new("note", false, "opmerking");
    public static readonly IReadOnlyList<CsvColumn> Columns = [Pupil, DecidedBy, MediaType, Channel, Outcome, DateGiven, Proof, FormVersion, Note];

    /// <summary>The row's values, or null after reporting what is wrong with them; <paramref name="today"/> is the local day.</summary>
    public static PaperFormRow? Parse(ImportRun run, CsvRow row, DateOnly today)
    {
        var valid = true;
        void Fail(CsvColumn column, string message)
        {
            CsvImportFile.Report(run, row.Error(column, message));
            valid = false;
        }

        var pupil = CsvImportFile.Required(run, row, Pupil, FieldLengths.ExternalId);
        var decidedBy = CsvImportFile.Required(run, row, DecidedBy, FieldLengths.ExternalId);
        var mediaText = CsvImportFile.Required(run, row, MediaType, FieldLengths.MediaTypeName);
        var channel = CsvImportFile.Required(run, row, Channel, FieldLengths.ChannelKey)?.ToLowerInvariant();
        var outcomeText = CsvImportFile.Required(run, row, Outcome, 40);
        var dateText = CsvImportFile.Required(run, row, DateGiven, 20);
        valid = pupil is not null && decidedBy is not null && mediaText is not null && channel is not null && outcomeText is not null
                && dateText is not null;

        var media = mediaText is null ? null : ParseMediaType(mediaText);
        if (mediaText is not null && media is null)
        {
            Fail(MediaType, $"'{mediaText}' is not a media type; write photo (foto), film (video) or audio (geluid).");
        }
        var outcome = outcomeText is null ? null : ParseOutcome(outcomeText);
        if (outcomeText is not null && outcome is null)
        {
            Fail(Outcome, $"'{outcomeText}' is not an answer; write granted (ja, toestemming) or refused (nee, geen toestemming).");
        }
        var date = default(DateOnly);
        if (dateText is not null && !CsvValues.TryParseDate(dateText, out date))
        {
            Fail(DateGiven, $"'{dateText}' is not a date; write {CsvValues.DateFormatsText}.");
        }
        else if (dateText is not null && date > today)
        {
            Fail(DateGiven, $"The date given, {date:d-M-yyyy}, lies in the future.");
        }
        var proof = row[Proof];
        if (proof is { Length: > FieldLengths.ProofReference })
        {
            Fail(Proof, $"The proofReference is longer than {FieldLengths.ProofReference} characters.");
        }
        var note = row[Note];
        if (note is { Length: > FieldLengths.Note })
        {
            Fail(Note, $"The note is longer than {FieldLengths.Note} characters.");
        }
        Guid? version = null;
        if (row[FormVersion] is { } versionText)
        {
            if (Guid.TryParse(versionText, out var id))
            {
                version = id;
            }
            else
            {
                Fail(FormVersion, $"'{versionText}' is not a form version id; leave the column empty for the version in force on the date given.");
            }
        }
        return valid
            ? new PaperFormRow(row, row.Line, pupil!, IsPupil(decidedBy!) ? null : decidedBy, media!.Value, channel!, outcome!.Value, date, proof,
                version, note)
            : null;
    }

    private static bool IsPupil(string decidedBy) =>
        decidedBy.Equals(PupilWord, StringComparison.OrdinalIgnoreCase) || decidedBy.Equals("leerling", StringComparison.OrdinalIgnoreCase);

    public static MediaType? ParseMediaType(string text) => text.Trim().ToLowerInvariant() switch
    {
        "photo" or "foto" or "foto's" or "fotos" => Domain.Consent.MediaType.Photo,
        "film" or "video" => Domain.Consent.MediaType.Film,
        "audio" or "geluid" => Domain.Consent.MediaType.Audio,
        _ => null,
    };

    public static ConsentOutcome? ParseOutcome(string text) => text.Trim().ToLowerInvariant() switch
    {
        "granted" or "ja" or "yes" or "toestemming" or "akkoord" => ConsentOutcome.Granted,
        "refused" or "nee" or "no" or "geen toestemming" or "geweigerd" or "withdrawn" or "ingetrokken" => ConsentOutcome.Refused,
        _ => null,
    };
}
