using System.Text.Json.Serialization;

namespace ConsentApi.Features.Imports;

/// <summary>How a CSV file's bytes were read.</summary>
public enum CsvFileEncoding
{
    /// <summary>UTF-8, with or without a byte order mark.</summary>
    [JsonStringEnumMemberName("utf-8")]
    Utf8,

    /// <summary>Windows-1252, as Excel's "CSV (puntkomma)" writes: the file had no BOM and was not valid UTF-8.</summary>
    [JsonStringEnumMemberName("windows-1252")]
    Windows1252,
}

/// <summary>What a paper-form row came to.</summary>
public enum PaperFormRowStatus
{
    /// <summary>Recorded as a decision (in a dry run: would be).</summary>
    Recorded,

    /// <summary>The same answer was recorded by an earlier import; not recorded twice.</summary>
    AlreadyRecorded,
}
