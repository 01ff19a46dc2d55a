namespace ConsentApi.Infrastructure.Csv;

/// <summary>One thing wrong in a CSV file: where (line, and the spreadsheet cell when there is one) and what.</summary>
/// <param name="Line">The line of the file, from 1; a row with a quoted line break is named by its first line.</param>
/// <param name="Path">The spreadsheet cell ("C5") when the error is about one value, else "line 5".</param>
/// <param name="Field">The column's documented name, when the error is about one column.</param>
public sealed record CsvError(int Line, string Path, string? Field, string Message)
{
    public static CsvError OnLine(int line, string message) => new(line, $"line {line}", null, message);
}

/// <summary>A file that cannot be read as CSV at all (its encoding, an unclosed quote, its header): no row can be trusted.</summary>
public sealed class CsvFormatException(IReadOnlyList<CsvError> errors) : Exception(errors[0].Message)
{
    public CsvFormatException(int line, string message) : this([CsvError.OnLine(line, message)])
    {
    }

    public IReadOnlyList<CsvError> Errors { get; } = errors;
}
