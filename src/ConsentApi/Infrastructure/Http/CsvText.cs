namespace ConsentApi.Infrastructure.Http;

/// <summary>CSV for spreadsheets as well as programs: UTF-8 with a byte order mark, RFC 4180 quoting, no formulas.</summary>
public static class CsvText
{
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    /// <summary>The byte order mark that makes spreadsheet programs read the file as UTF-8.</summary>
    public const string ByteOrderMark = "\uFEFF";

    /// <summary>RFC 4180 quoting; a leading =, +, -, @ is neutralised so a spreadsheet never runs a value as a formula.</summary>
    public static string Field(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
