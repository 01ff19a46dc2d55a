namespace ConsentApi.Infrastructure.Csv;

/// <summary>One row of a CSV file, its values by column.</summary>
/// <param name="line">The line the row starts on (from 1), for errors.</param>
public sealed class CsvRow(int line, IReadOnlyList<string> fields, IReadOnlyDictionary<CsvColumn, int> positions)
{
    public int Line { get; } = line;

    /// <summary>The trimmed value of the column; null when the file has no such column or the cell is blank.</summary>
    public string? this[CsvColumn column] =>
        positions.TryGetValue(column, out var i) && i < fields.Count && fields[i].Trim() is { Length: > 0 } value ? value : null;

    /// <summary>An error about this row's value in <paramref name="column"/>, named by its spreadsheet cell ("C5").</summary>
    public CsvError Error(CsvColumn column, string message) =>
        new(Line, positions.TryGetValue(column, out var i) ? CsvCells.Reference(i, Line) : $"line {Line}", column.Name, message);

    /// <summary>An error about the row as a whole.</summary>
    public CsvError Error(string message) => CsvError.OnLine(Line, message);
}

public static class CsvCells
{
    /// <summary>The spreadsheet's name of a cell: column 0 on line 5 is "A5", column 27 "AB5".</summary>
    public static string Reference(int column, int line)
    {
        var letters = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + (n - 1) % 26) + letters;
        }
        return $"{letters}{line}";
    }
}
