namespace ConsentApi.Infrastructure.Csv;

/// <summary>
/// A column a CSV import knows: its documented English name and the other names a school's spreadsheet may give it (Dutch
/// ones). Matched ignoring case, spaces, underscores, hyphens and dots: "Pupil external id", "pupilExternalId" and
/// "pupil_external_id" are one name.
/// </summary>
public sealed class CsvColumn(string name, bool required, params string[] aliases)
{
    public string Name { get; } = name;

    public bool Required { get; } = required;

    public IReadOnlyList<string> Aliases { get; } = aliases;

    public bool Matches(string header)
    {
        var key = Normalise(header);
        return key == Normalise(Name) || Aliases.Any(a => Normalise(a) == key);
    }

    private static string Normalise(string header) =>
        new([.. header.Trim().ToLowerInvariant().Where(c => c is not (' ' or '_' or '-' or '.'))]);
}
