using ConsentApi.Domain.Imports;

namespace ConsentApi.Features.Imports;

/// <summary>The upload routes of the two CSV kinds; the format is documented in docs/imports.md.</summary>
public static class UploadCsvImportsEndpoints
{
    private const string Format = """
        A CSV file as a spreadsheet saves it: UTF-8 with or without byte order mark (a file without one that is not
        UTF-8 is read as Windows-1252, as Excel's "CSV (puntkomma)" writes it), `;` or `,` as separator (the header line's
        decides), RFC 4180 quoting, LF or CRLF. The first line is the header; column names are matched ignoring case,
        spaces, `_`, `-` and `.`, in English or Dutch; an unknown column is an error. Dates are `d-m-yyyy`, `dd-mm-yyyy` or
        `yyyy-mm-dd`; yes/no values `ja`/`nee`, `yes`/`no`, `true`/`false`, `waar`/`onwaar` or 1/0. Every error names
        its line and cell (`C5`) and column; blank rows are skipped. At most 50,000 rows.
        """;

    public static RouteHandlerBuilder MapUploadGuardiansCsv(this RouteGroupBuilder group) =>
        group.MapUploadImport(ImportKind.GuardiansCsv, "UploadGuardiansCsv", "Import guardians and their links from a CSV file",
            $"""
            One row per guardian-pupil link, with the columns `pupilExternalId` (leerlingnummer), `guardianExternalId`
            (ouder id), `guardianDisplayName` (naam ouder) and `hasParentalAuthority` (gezag). The file is the complete list
            of guardians of every pupil it names: their links become exactly the file's (links it lacks are removed; the
            history of every link is kept), pupils it does not name are untouched. Guardians are matched by external id
            within the organisation and created or renamed for this school as the roster sync does. A pupil the school
            does not have (one of another school included) is an error on its row. The `result` counts the guardians and
            links created, updated, unchanged and removed, with each row's outcome.

            {Format}
            """, [.. CsvImportFile.ContentTypes]);

    public static RouteHandlerBuilder MapUploadConsentFormsCsv(this RouteGroupBuilder group) =>
        group.MapUploadImport(ImportKind.ConsentFormsCsv, "UploadConsentFormsCsv", "Record paper consent forms from a CSV file",
            $"""
            One row per answer on a paper form, with the columns `pupilExternalId` (leerlingnummer), `guardianExternalId`
            (ouder id; the word `pupil` for the decision of a pupil of 16 or older), `mediaType` (`photo`/`foto`, `film`/`video`,
            `audio`/`geluid`), `channel` (kanaal: the channel's key), `outcome` (`granted`/`ja`/`toestemming`,
            `refused`/`nee`/`geen toestemming`), `dateGiven` (datum: the local day the form was signed, not in the future),
            and optionally `proofReference` (kenmerk), `formVersionId` and `note` (opmerking). A decision counts from the first
            moment of its day in the organisation's time zone (or from the version's publication, when that was later that
            day). Without `formVersionId` the version in force on that day is used, when the school has one form. Each
            person's answers for one pupil, form, day and proof reference are recorded as one call of RecordDecisions with
            method `paper` would record them (same checks, audit, events, takedowns) and get one receipt; the `result` lists
            per row `recorded` with its receipt, or `already-recorded` for an answer an earlier import recorded. A refusal is
            always recorded, also for a pupil who left.

            {Format}
            """, [.. CsvImportFile.ContentTypes]);
}
