using ConsentApi.Domain;
using ConsentApi.Domain.Imports;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Pupils;
using ConsentApi.Features.Roster;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Imports;

/// <summary>
/// Imports an EDEXML file into the roster sync: groups by key, pupils by key (their external id), absent pupils leave.
/// EDEXML holds no guardians, so the sync keeps the school's guardians and every pupil's guardian links as they are.
/// </summary>
public sealed class EdexmlImportProcessor(ConsentDbContext db, ISender sender, TimeProvider clock) : IImportProcessor
{
    public ImportKind Kind => ImportKind.Edexml;

    public IReadOnlyList<string> ContentTypes => EdexmlImport.ContentTypes;

    public async ValueTask<ImportOutcome> RunAsync(ImportRun run, CancellationToken ct)
    {
        var brinCode = await db.Schools.AsNoTracking().Where(s => s.Id == run.SchoolId).Select(s => s.BrinCode).SingleAsync(ct);
        var today = (await db.CalendarAsync(run.OrganisationId, ct)).DayOf(clock.GetUtcNow());
        EdexmlFile file;
        await using (var content = await run.OpenFileAsync(ct))
        {
            file = await EdexmlReader.ReadAsync(content, run.Errors, run.Progress, RosterRequest.MaxPupils, RosterRequest.MaxGroups);
        }
        run.Progress.SetTotal(file.Pupils.Count);
        if (run.Errors.Any)
        {
            return new ImportOutcome(new { });
        }
        var roster = EdexmlChecks.ToRoster(file, brinCode, today, run.Errors);
        if (roster is null)
        {
            return new ImportOutcome(new { });
        }
        return new ImportOutcome(await sender.Send(new SyncRosterCommand(run.SchoolId, roster, KeepGuardianLinks: true), ct));
    }
}

/// <summary>What an EDEXML file must hold to become a roster, each problem reported with its line and element path.</summary>
public static class EdexmlChecks
{
    /// <returns>The roster, or null when the file has errors (all of them reported).</returns>
    public static RosterRequest? ToRoster(EdexmlFile file, string schoolBrinCode, DateOnly today, ImportErrors errors)
    {
        const string school = "/EDEX/school";
        if (file.SchoolLine is null)
        {
            errors.Add(1, school, null, "The file has no <school> element: it names neither its BRIN code nor its school year.");
            return null;
        }
        if (file.Version is { } version && !(version.Value.StartsWith("1.", StringComparison.Ordinal) || version.Value.StartsWith("2.", StringComparison.Ordinal)))
        {
            errors.Add(version.Line, school + "/xsdversie", "xsdversie",
                $"EDEXML version '{version.Value}' is not supported; versions 1.0.3, 2.0 and 2.1 are.");
        }
        CheckBrinCode(file, schoolBrinCode, errors);
        var schoolYear = file.SchoolYear?.Value;
        if (schoolYear is null || !SchoolYears.IsValid(schoolYear))
        {
            errors.Add(file.SchoolYear?.Line ?? file.SchoolLine, school + "/schooljaar", "schooljaar",
                "The school year is missing or not two consecutive years such as 2026-2027.");
        }
        if (file.Truncated)
        {
            errors.Add(null, "/EDEX", null,
                $"The file holds more than {RosterRequest.MaxPupils} pupils or {RosterRequest.MaxGroups} groups, more than one school's roster may.");
        }

        var groups = new LimitedList<GroupRequest>();
        var groupKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in file.Groups)
        {
            if (Key(group.Key, group.Line, group.Path, errors) is not { } key)
            {
                continue;
            }
            if (!groupKeys.Add(key))
            {
                errors.Add(group.Line, group.Path, "key", $"The group key '{key}' occurs twice.");
            }
            var name = group.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > FieldLengths.GroupName)
            {
                errors.Add(group.Line, group.Path + "/naam", "naam", $"A group's name is 1 to {FieldLengths.GroupName} characters.");
                continue;
            }
            groups.Add(new GroupRequest(key, name, schoolYear ?? ""));
        }

        var pupils = new LimitedList<RosterPupil>();
        var pupilKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pupil in file.Pupils)
        {
            if (ToRosterPupil(pupil, groupKeys, pupilKeys, today, errors) is { } wanted)
            {
                pupils.Add(wanted);
            }
        }
        return errors.Any ? null : new RosterRequest(groups, pupils, new LimitedList<GuardianRequest>());
    }

    private static RosterPupil? ToRosterPupil(EdexmlPupil pupil, HashSet<string> groupKeys, HashSet<string> pupilKeys, DateOnly today,
        ImportErrors errors)
    {
        var key = Key(pupil.Key, pupil.Line, pupil.Path, errors);
        if (key is not null && !pupilKeys.Add(key))
        {
            errors.Add(pupil.Line, pupil.Path, "key", $"The pupil key '{key}' occurs twice.");
        }
        var name = DisplayName(pupil);
        if (name.Length is 0 or > FieldLengths.Name)
        {
            errors.Add(pupil.Line, pupil.Path + "/achternaam", "achternaam",
                $"A pupil needs a name (roepnaam, voornamen or achternaam) of at most {FieldLengths.Name} characters.");
        }
        DateOnly? dateOfBirth = null;
        if (pupil.DateOfBirth is not { } given)
        {
            errors.Add(pupil.Line, pupil.Path + "/geboortedatum", "geboortedatum",
                "The date of birth is missing; consent depends on it (from 16 the pupil decides).");
        }
        else if (!EdexmlReader.TryParseDate(given.Value, out var date))
        {
            errors.Add(given.Line, pupil.Path + "/geboortedatum", "geboortedatum", "The date of birth is not a date such as 2016-03-14.");
        }
        else
        {
            try
            {
                PupilRules.EnsurePlausibleDateOfBirth(date, today, "geboortedatum");
                dateOfBirth = date;
            }
            catch (RequestValidationException e)
            {
                errors.Add(given.Line, pupil.Path + "/geboortedatum", "geboortedatum", e.Errors.First().Value[0]);
            }
        }
        string? groupKey = null;
        if (pupil.Group is { } group)
        {
            groupKey = group.Key;
            if (string.IsNullOrEmpty(groupKey) || !groupKeys.Contains(groupKey))
            {
                errors.Add(group.Line, pupil.Path + "/groep", "key",
                    string.IsNullOrEmpty(groupKey) ? "The group reference has no key." : $"The file has no group with key '{groupKey}'.");
            }
        }
        return key is null || dateOfBirth is null || name.Length is 0 or > FieldLengths.Name
            ? null
            : new RosterPupil(key, name, dateOfBirth, groupKey, null);
    }

    private static string? Key(string? key, int line, string path, ImportErrors errors)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > FieldLengths.ExternalId)
        {
            errors.Add(line, path, "key", $"The key attribute is missing, empty or longer than {FieldLengths.ExternalId} characters.");
            return null;
        }
        return key;
    }

    /// <summary>"Sanne de Vries": the name the pupil is called by, the prefix and the family name.</summary>
    public static string DisplayName(EdexmlPupil pupil)
    {
        var given = pupil.CallName is { Length: > 0 } call ? call : pupil.GivenNames?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return string.Join(' ', new[] { given, pupil.Prefix, pupil.FamilyName }
            .Where(part => !string.IsNullOrWhiteSpace(part))
            .Select(part => string.Join(' ', part!.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
    }

    /// <summary>
    /// The file must be the school's own: its BRIN code (four characters, <c>99ZZ</c>) and, when both name one, its
    /// location (the dependancecode, or the two digits after the BRIN code) equal the school's.
    /// </summary>
    private static void CheckBrinCode(EdexmlFile file, string schoolBrinCode, ImportErrors errors)
    {
        const string path = "/EDEX/school/brincode";
        if (file.BrinCode is not { } brin || brin.Value.Length == 0)
        {
            errors.Add(file.SchoolLine, path, "brincode",
                "The file names no BRIN code, so it cannot be checked to be this school's; export it with the school's BRIN code.");
            return;
        }
        var fileCode = brin.Value.ToUpperInvariant();
        var fileLocation = fileCode.Length > 4 ? fileCode[4..] : file.DependanceCode is { Length: > 0 } d && d != "00" ? d : null;
        var ownCode = schoolBrinCode.ToUpperInvariant();
        var ownLocation = ownCode.Length > 4 ? ownCode[4..] : null;
        var sameSchool = fileCode.Length >= 4 && ownCode.Length >= 4 && fileCode[..4] == ownCode[..4]
                         && (fileLocation is null || ownLocation is null || fileLocation == ownLocation);
        if (!sameSchool)
        {
            errors.Add(brin.Line, path, "brincode",
                $"The file is for BRIN code '{brin.Value}', but this school's BRIN code is '{schoolBrinCode}'. Upload it to the school it belongs to.");
        }
    }
}

public static class EdexmlImport
{
    public static readonly string[] ContentTypes = ["application/xml", "text/xml"];

    public static RouteHandlerBuilder MapUploadEdexml(this RouteGroupBuilder group) =>
        group.MapUploadImport(ImportKind.Edexml, "UploadEdexml", "Import a school's roster from an EDEXML file",
            $"""
            An EDEXML file (the Edu-K exchange format that ParnasSys, Esis, Somtoday and other pupil administrations export;
            versions 1.0.3, 2.0 and 2.1) brings the school's groups and pupils in step with it, like the roster sync: groups
            (`<groepen>/<groep key>`: key, `naam`; the school year from `<school>/<schooljaar>`) and pupils
            (`<leerlingen>/<leerling key>`: the key is the pupil's external id; the name from `roepnaam` (or the first of
            `voornamen`), `voorvoegsel` and `achternaam`; `geboortedatum`; the class from `<groep key>`) are created or
            updated by key, and pupils of the school the file lacks are marked `left`. EDEXML holds no guardians: the
            school's guardians and every pupil's guardian links stay as they are. The file's `<brincode>` must be the
            school's. Every pupil needs a date of birth. At most {RosterRequest.MaxPupils} pupils. The file is read as a
            stream, never whole. Each problem is reported with its line and element path (e.g.
            `/EDEX/leerlingen/leerling[12]/geboortedatum`); one problem fails the job and changes nothing. The job's
            `result` has the counts of the roster sync.
            """, ContentTypes);
}
