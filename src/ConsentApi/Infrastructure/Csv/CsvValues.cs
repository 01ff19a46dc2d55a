using System.Globalization;

namespace ConsentApi.Infrastructure.Csv;

/// <summary>Values as Dutch spreadsheets write them.</summary>
public static class CsvValues
{
    private static readonly string[] DateFormats = ["d-M-yyyy", "yyyy-M-d"];

    public const string DateFormatsText = "d-m-yyyy (e.g. 5-9-2026 or 05-09-2026) or yyyy-mm-dd";

    public const string BooleansText = "ja/nee, yes/no, true/false, waar/onwaar or 1/0";

    /// <summary>A day as d-m-yyyy, dd-mm-yyyy (also with "/" or ".") or yyyy-mm-dd.</summary>
    public static bool TryParseDate(string value, out DateOnly date) =>
        DateOnly.TryParseExact(value.Trim().Replace('/', '-').Replace('.', '-'), DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.None, out date);

    /// <summary>ja/nee, yes/no, true/false, waar/onwaar (Dutch Excel's TRUE/FALSE), j/n, y/n, 1/0; any case.</summary>
    public static bool? ParseBoolean(string value) => value.Trim().ToLowerInvariant() switch
    {
        "ja" or "j" or "yes" or "y" or "true" or "waar" or "1" => true,
        "nee" or "n" or "no" or "false" or "onwaar" or "0" => false,
        _ => null,
    };
}
