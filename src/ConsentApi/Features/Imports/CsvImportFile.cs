using ConsentApi.Infrastructure.Csv;

namespace ConsentApi.Features.Imports;

/// <summary>What both CSV kinds share: the content types they accept and reading the file's rows into the job's errors.</summary>
internal static class CsvImportFile
{
    /// <summary>Spreadsheet programs and browsers label a CSV file in all these ways (Windows browsers as Excel's type).</summary>
    public static readonly IReadOnlyList<string> ContentTypes = ["text/csv", "application/vnd.ms-excel", "text/plain"];

    /// <summary>How many rows one file may have.</summary>
    public const int MaxRows = 50_000;

    /// <summary>
    /// Reads the file's rows, streamed, reporting every problem of its form to the job; <paramref name="onRow"/> gets each
    /// readable row. Returns the reader (for its encoding and separator), or null when the file cannot be read at all.
    /// </summary>
    public static async Task<CsvReader?> ReadAsync(
        ImportRun run, IReadOnlyList<CsvColumn> columns, Action<CsvRow> onRow, CancellationToken ct)
    {
        await using var stream = await run.OpenFileAsync(ct);
        try
        {
            var reader = await CsvReader.OpenAsync(stream, columns, ct);
            var rows = 0;
            await foreach (var row in reader.RowsAsync(e => Report(run, e), ct))
            {
                if (++rows > MaxRows)
                {
                    Report(run, row.Error($"The file has more than {MaxRows} rows; split it."));
                    break;
                }
                onRow(row);
                run.Progress.Advance();
            }
            return reader;
        }
        catch (CsvFormatException e)
        {
            foreach (var error in e.Errors)
            {
                Report(run, error);
            }
            return null;
        }
    }

    public static void Report(ImportRun run, CsvError error) => run.Errors.Add(error.Line, error.Path, error.Field, error.Message);

    /// <summary>A required value: reports its absence.</summary>
    public static string? Required(ImportRun run, CsvRow row, CsvColumn column, int maxLength)
    {
        var value = row[column];
        if (value is null)
        {
            Report(run, row.Error(column, $"The {column.Name} is empty."));
        }
        else if (value.Length > maxLength)
        {
            Report(run, row.Error(column, $"The {column.Name} is longer than {maxLength} characters."));
            return null;
        }
        return value;
    }
}
