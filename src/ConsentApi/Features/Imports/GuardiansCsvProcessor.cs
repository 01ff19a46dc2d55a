using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Imports;
using ConsentApi.Features.Pupils;
using ConsentApi.Features.Roster;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Csv;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Imports;

/// <summary>
/// A guardians file (<c>guardians-csv</c>): one row per guardian-pupil link. The file is the complete list of guardians
/// for each pupil it names: those pupils' links become exactly the file's (links it lacks are removed, their history
/// kept); pupils it does not name are untouched. Guardians are created or renamed as the roster sync does it.
/// </summary>
public sealed class GuardiansCsvProcessor(ConsentDbContext db, ISender sender) : IImportProcessor
{
    public static readonly CsvColumn Pupil = new("pupilExternalId", true, "leerlingnummer", "leerling id", "leerlingid", "pupil id");
    public static readonly CsvColumn Guardian = new("guardianExternalId", true, "ouder id", "ouderid", "verzorger id", "guardian id");
    public static readonly CsvColumn Name = new("guardianDisplayName", true, "naam ouder", "naam verzorger", "ouder naam", "guardian name");
    public static readonly CsvColumn Authority = new("hasParentalAuthority", true, "gezag", "ouderlijk gezag", "parental authority");
    public static readonly IReadOnlyList<CsvColumn> Columns = [Pupil, Guardian, Name, Authority];

    public ImportKind Kind => ImportKind.GuardiansCsv;

    public IReadOnlyList<string> ContentTypes => CsvImportFile.ContentTypes;

    public async ValueTask<ImportOutcome> RunAsync(ImportRun run, CancellationToken ct)
    {
        var rows = new List<GuardianRow>();
        var reader = await CsvImportFile.ReadAsync(run, Columns, row => Parse(run, row, rows), ct);
        if (reader is null)
        {
            return new ImportOutcome(new { });
        }
        run.Progress.SetTotal(rows.Count);
        CheckConsistency(run, rows);
        var pupils = await FindPupilsAsync(run, rows, ct);
        if (run.Errors.Any)
        {
            return new ImportOutcome(new { });
        }

        var applied = await sender.Send(new SetGuardianLinksCommand(run.SchoolId,
            rows.GroupBy(r => r.GuardianExternalId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().DisplayName, StringComparer.Ordinal),
            rows.GroupBy(r => pupils[r.PupilExternalId]).ToDictionary(g => g.Key,
                g => (IReadOnlyDictionary<string, bool>)g.ToDictionary(r => r.GuardianExternalId, r => r.HasParentalAuthority, StringComparer.Ordinal))), ct);

        var firstLine = rows.GroupBy(r => pupils[r.PupilExternalId]).ToDictionary(g => g.Key, g => g.Min(r => r.Line));
        var guardians = applied.Guardians.Values.ToList();
        var links = applied.Links.Values.ToList();
        return new ImportOutcome(new GuardiansCsvResult(
            reader.EncodingName, reader.Separator.ToString(), rows.Count, pupils.Count,
            new GuardiansCsvCounts(Count(guardians, RosterChange.Created), Count(guardians, RosterChange.Updated), Count(guardians, RosterChange.Unchanged)),
            new GuardianLinksCsvCounts(Count(links, RosterChange.Created), Count(links, RosterChange.Updated), Count(links, RosterChange.Unchanged),
                applied.Removed.Values.Sum(r => r.Count)),
            [.. rows.Select(r => new GuardiansCsvRowResult(r.Line, applied.Guardians[r.GuardianExternalId],
                applied.Links[(pupils[r.PupilExternalId], r.GuardianExternalId)]))],
            [.. applied.Removed.OrderBy(r => firstLine[r.Key]).SelectMany(r => r.Value.Select(g => new RemovedGuardianLink(firstLine[r.Key], g)))]));
    }

    private static int Count(List<RosterChange> changes, RosterChange change) => changes.Count(c => c == change);


    private static void Parse(ImportRun run, CsvRow row, List<GuardianRow> rows)
    {
        var pupil = CsvImportFile.Required(run, row, Pupil, FieldLengths.ExternalId);
        var guardian = CsvImportFile.Required(run, row, Guardian, FieldLengths.ExternalId);
        var name = CsvImportFile.Required(run, row, Name, FieldLengths.Name);
        var authorityText = CsvImportFile.Required(run, row, Authority, 10);
        bool? authority = authorityText is null ? null : CsvValues.ParseBoolean(authorityText);
        if (authorityText is not null && authority is null)
        {
            CsvImportFile.Report(run, row.Error(Authority, $"'{authorityText}' is not a yes or no; write {CsvValues.BooleansText}."));
        }
        if (pupil is not null && guardian is not null && name is not null && authority is not null)
        {
            rows.Add(new GuardianRow(row.Line, pupil, guardian, name, authority.Value));
        }
    }

    /// <summary>One link per pupil and guardian, one name per guardian, at most as many guardians per pupil as the API allows.</summary>
    private static void CheckConsistency(ImportRun run, List<GuardianRow> rows)
    {
        var links = new Dictionary<(string, string), int>();
        var names = new Dictionary<string, GuardianRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!links.TryAdd((row.PupilExternalId, row.GuardianExternalId), row.Line))
            {
                run.Errors.Add(row.Line, $"line {row.Line}", Guardian.Name,
                    $"This pupil and guardian are already linked on line {links[(row.PupilExternalId, row.GuardianExternalId)]}.");
            }
            if (!names.TryAdd(row.GuardianExternalId, row) && names[row.GuardianExternalId].DisplayName != row.DisplayName)
            {
                run.Errors.Add(row.Line, $"line {row.Line}", Name.Name,
                    $"The guardian '{row.GuardianExternalId}' has another name on line {names[row.GuardianExternalId].Line}.");
            }
        }
        foreach (var pupil in rows.GroupBy(r => r.PupilExternalId).Where(g => g.Count() > PupilRules.MaxGuardians))
        {
            var line = pupil.ElementAt(PupilRules.MaxGuardians).Line;
            run.Errors.Add(line, $"line {line}", Pupil.Name, $"A pupil has at most {PupilRules.MaxGuardians} guardians.");
        }
    }

    /// <summary>The school's pupils the file names, by external id; a pupil of another school, or none, is an error on its rows.</summary>
    private async Task<Dictionary<string, Guid>> FindPupilsAsync(ImportRun run, List<GuardianRow> rows, CancellationToken ct)
    {
        var found = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var chunk in rows.Select(r => r.PupilExternalId).Distinct(StringComparer.Ordinal).Chunk(1_000))
        {
            var schoolId = run.SchoolId;
            foreach (var pupil in await db.Pupils.AsNoTracking()
                         .Where(p => p.SchoolId == schoolId && chunk.Contains(p.ExternalId) && p.ErasedAt == null)
                         .Select(p => new { p.Id, p.ExternalId }).ToListAsync(ct))
            {
                found[pupil.ExternalId] = pupil.Id;
            }
        }
        foreach (var row in rows.Where(r => !found.ContainsKey(r.PupilExternalId)))
        {
            run.Errors.Add(row.Line, $"line {row.Line}", Pupil.Name, $"The school has no pupil '{row.PupilExternalId}'.");
        }
        return found;
    }

    private sealed record GuardianRow(int Line, string PupilExternalId, string GuardianExternalId, string DisplayName, bool HasParentalAuthority);
}

/// <summary>What a guardians file changed (in a dry run: would change).</summary>
/// <param name="Encoding">How the file was read: `utf-8` or `windows-1252`.</param>
/// <param name="Separator">`;` or `,`.</param>
/// <param name="Rows">The links the file lists.</param>
/// <param name="Pupils">The pupils it names; their links are now exactly the file's.</param>
/// <param name="RowResults">Per row: what happened to its guardian (as the school knows them) and to its link.</param>
/// <param name="RemovedLinks">Links of the named pupils that the file lacks, now removed: the line of the pupil's first row
/// and the guardian's external id.</param>
public sealed record GuardiansCsvResult(
    [property: MaxLength(12), OneOf(typeof(CsvFileEncoding))] string Encoding,
    [property: MaxLength(1), RegularExpression("^[;,]$")] string Separator,
    int Rows,
    int Pupils,
    GuardiansCsvCounts Guardians,
    GuardianLinksCsvCounts Links,
    [property: MaxLength(CsvImportFile.MaxRows)] IReadOnlyList<GuardiansCsvRowResult> RowResults,
    [property: MaxLength(CsvImportFile.MaxRows)] IReadOnlyList<RemovedGuardianLink> RemovedLinks);

public sealed record GuardiansCsvCounts(int Created, int Updated, int Unchanged);

public sealed record GuardianLinksCsvCounts(int Created, int Updated, int Unchanged, int Removed);

/// <param name="Guardian">`created` (new to the school), `updated` (renamed) or `unchanged`.</param>
/// <param name="Link">`created`, `updated` (parental authority changed) or `unchanged`.</param>
public sealed record GuardiansCsvRowResult(int Line, RosterChange Guardian, RosterChange Link);

public sealed record RemovedGuardianLink(int Line, [property: MaxLength(FieldLengths.ExternalId)] string GuardianExternalId);
