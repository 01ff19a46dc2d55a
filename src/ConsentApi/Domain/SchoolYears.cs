namespace ConsentApi.Domain;

/// <summary>School years are written "2026-2027": a start year and the next.</summary>
public static class SchoolYears
{
    public const string Pattern = "^[0-9]{4}-[0-9]{4}$";

    public static bool IsValid(string schoolYear) =>
        schoolYear.Length == 9
        && int.TryParse(schoolYear.AsSpan(0, 4), out var start)
        && int.TryParse(schoolYear.AsSpan(5, 4), out var end)
        && schoolYear[4] == '-'
        && start is >= 2000 and < 2100
        && end == start + 1;
}
