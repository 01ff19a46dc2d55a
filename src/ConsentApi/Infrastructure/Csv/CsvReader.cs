using System.Runtime.CompilerServices;
using System.Text;
using ConsentApi.Infrastructure.Http;

namespace ConsentApi.Infrastructure.Csv;

/// <summary>
/// Reads a CSV file as Dutch spreadsheets write it, row by row from the stream: RFC 4180 quoting (separators, doubled
/// quotes and line breaks inside quoted fields), LF or CRLF, a header line whose separator (";" or ",") decides the
/// file's, blank lines and rows of only separators skipped. Excel's optional first line "sep=;" is honoured. Encodings:
/// see <see cref="CsvLines"/>.
/// </summary>
public sealed class CsvReader
{
    /// <summary>A single value longer than this is not a spreadsheet cell.</summary>
    public const int MaxFieldChars = 4_000;

    private readonly CsvLines _lines;
    private readonly Dictionary<CsvColumn, int> _positions;
    private readonly int _headerCount;

    private CsvReader(CsvLines lines, char separator, Dictionary<CsvColumn, int> positions, int headerCount)
    {
        _lines = lines;
        Separator = separator;
        _positions = positions;
        _headerCount = headerCount;
    }

    public char Separator { get; }

    /// <summary>"utf-8" or "windows-1252".</summary>
    public string EncodingName => _lines.EncodingName;

    /// <summary>Reads the header and matches it to <paramref name="columns"/>; throws <see cref="CsvFormatException"/> naming every
    /// unknown, repeated or missing column.</summary>
    public static async Task<CsvReader> OpenAsync(Stream stream, IReadOnlyList<CsvColumn> columns, CancellationToken ct)
    {
        var lines = new CsvLines(stream);
        string? header;
        char? declared = null;
        do
        {
            header = await lines.ReadLineAsync(ct);
            if (header is not null && header.StartsWith("sep=", StringComparison.OrdinalIgnoreCase) && header.Length == 5 && declared is null)
            {
                declared = header[4];
                header = "";
            }
        }
        while (header is not null && header.Trim().Length == 0);
        var expected = string.Join(", ", columns.Select(c => c.Name));
        if (header is null)
        {
            throw new CsvFormatException(Math.Max(1, lines.Number), $"The file is empty; its first line is the header: {expected}.");
        }

        var separator = declared ?? DetectSeparator(header);
        var names = SplitLine(header, separator, lines.Number);
        var line = lines.Number;
        var positions = new Dictionary<CsvColumn, int>();
        var errors = new List<CsvError>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i].Trim();
            if (name.Length == 0)
            {
                errors.Add(new(line, CsvCells.Reference(i, line), null, "A column has no name."));
            }
            else if (columns.FirstOrDefault(c => c.Matches(name)) is not { } column)
            {
                errors.Add(new(line, CsvCells.Reference(i, line), null, $"Unknown column '{Shorten(name)}'; the columns are: {expected}."));
            }
            else if (!positions.TryAdd(column, i))
            {
                errors.Add(new(line, CsvCells.Reference(i, line), column.Name, $"The column '{column.Name}' occurs twice."));
            }
        }
        errors.AddRange(columns.Where(c => c.Required && !positions.ContainsKey(c))
            .Select(c => CsvError.OnLine(line, $"The header lacks the column '{c.Name}'{Aliases(c)}.")));
        if (errors.Count > 0)
        {
            throw new CsvFormatException(errors);
        }
        return new CsvReader(lines, separator, positions, names.Count);
    }

    /// <summary>
    /// The rows after the header. A row with more values than the header has columns is reported by
    /// <paramref name="onError"/> and skipped, as is one holding control characters; a file that cannot be read further
    /// throws <see cref="CsvFormatException"/>.
    /// </summary>
    public async IAsyncEnumerable<CsvRow> RowsAsync(Action<CsvError> onError, [EnumeratorCancellation] CancellationToken ct)
    {
        while (await ReadRecordAsync(ct) is var (line, fields) && fields is not null)
        {
            if (fields.All(f => f.Trim().Length == 0))
            {
                continue;
            }
            if (fields.Count > _headerCount && fields.Skip(_headerCount).Any(f => f.Trim().Length > 0))
            {
                onError(CsvError.OnLine(line, $"The row has {fields.Count} values; the header has {_headerCount} columns."));
                continue;
            }
            if (fields.FindIndex(f => ControlCharacters.AreIn(f)) is var bad and >= 0)
            {
                onError(new(line, CsvCells.Reference(bad, line), _positions.FirstOrDefault(p => p.Value == bad).Key?.Name, ControlCharacters.Message));
                continue;
            }
            yield return new CsvRow(line, fields, _positions);
        }
    }

    private async Task<(int Line, List<string>? Fields)> ReadRecordAsync(CancellationToken ct)
    {
        var text = await _lines.ReadLineAsync(ct);
        if (text is null)
        {
            return (_lines.Number, null);
        }
        var start = _lines.Number;
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        while (true)
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c != '"')
                    {
                        field.Append(c);
                    }
                    else if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else if (c == Separator)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (c == '"' && field.ToString().Trim().Length == 0)
                {
                    // A quote opens a quoted field only at its start; elsewhere it is an ordinary character.
                    field.Clear();
                    quoted = true;
                }
                else
                {
                    field.Append(c);
                }
                if (field.Length > MaxFieldChars)
                {
                    throw new CsvFormatException(start, $"A value in the row starting on line {start} is longer than {MaxFieldChars} characters"
                        + (quoted ? "; is a quote left open?" : "."));
                }
            }
            if (!quoted)
            {
                fields.Add(field.ToString());
                return (start, fields);
            }
            field.Append('\n');
            text = await _lines.ReadLineAsync(ct)
                   ?? throw new CsvFormatException(start, $"A quoted value opened on line {start} is never closed.");
        }
    }

    /// <summary>The separator the header uses: the more frequent of ";" and "," outside quotes, ";" when equal.</summary>
    private static char DetectSeparator(string header)
    {
        int semicolons = 0, commas = 0;
        var quoted = false;
        foreach (var c in header)
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == ';') semicolons++;
            else if (!quoted && c == ',') commas++;
        }
        return commas > semicolons ? ',' : ';';
    }

    private static List<string> SplitLine(string line, char separator, int number)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"' && quoted && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == separator && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted)
        {
            throw new CsvFormatException(number, $"The header on line {number} has a quote that is never closed.");
        }
        fields.Add(field.ToString());
        return fields;
    }

    private static string Aliases(CsvColumn column) =>
        column.Aliases.Count == 0 ? "" : $" (or {string.Join(", ", column.Aliases.Select(a => $"'{a}'"))})";

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";
}
