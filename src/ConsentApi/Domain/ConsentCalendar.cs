using System.Collections.Concurrent;

namespace ConsentApi.Domain;

/// <summary>
/// The one calendar of consent. Dutch law counts local days, so "today", the 16th birthday and school-year windows are
/// days in the organisation's time zone (default Europe/Amsterdam), never UTC dates.
/// </summary>
public sealed class ConsentCalendar
{
    public const string DefaultTimeZone = "Europe/Amsterdam";

    private static readonly ConcurrentDictionary<string, ConsentCalendar> Calendars = new(StringComparer.Ordinal);

    private ConsentCalendar(TimeZoneInfo zone) => Zone = zone;

    public TimeZoneInfo Zone { get; }

    public static ConsentCalendar Default => For(DefaultTimeZone);

    /// <summary>The calendar of an IANA time zone ("Europe/Amsterdam").</summary>
    public static ConsentCalendar For(string timeZone) =>
        Calendars.GetOrAdd(timeZone, id => new ConsentCalendar(TimeZoneInfo.FindSystemTimeZoneById(id)));

    /// <summary>Whether <paramref name="timeZone"/> is an IANA time zone this machine knows.</summary>
    public static bool IsKnown(string timeZone) =>
        timeZone.Contains('/', StringComparison.Ordinal) && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone)
        && zone.HasIanaId;

    /// <summary>The local day <paramref name="moment"/> falls on.</summary>
    public DateOnly DayOf(DateTimeOffset moment) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(moment, Zone).DateTime);

    /// <summary>The moment a local day begins.</summary>
    public DateTimeOffset StartOf(DateOnly day)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue);
        // A zone that skips midnight (none in Europe) starts the day at the first moment that exists.
        while (Zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }
        return new DateTimeOffset(midnight, Zone.GetUtcOffset(midnight)).ToUniversalTime();
    }

    /// <summary>
    /// The day a pupil born on <paramref name="dateOfBirth"/> turns 16. Someone born on 29 February turns a year older on
    /// 1 March in a year without one, as Dutch law counts it.
    /// </summary>
    public static DateOnly SixteenthBirthday(DateOnly dateOfBirth) => Birthday(dateOfBirth, 16);

    public static DateOnly Birthday(DateOnly dateOfBirth, int years) =>
        dateOfBirth is { Month: 2, Day: 29 } && !DateTime.IsLeapYear(dateOfBirth.Year + years)
            ? new DateOnly(dateOfBirth.Year + years, 3, 1)
            : dateOfBirth.AddYears(years);

    /// <summary>Whether the pupil is 16 or older at <paramref name="moment"/>: from the first local moment of the 16th birthday.</summary>
    public bool IsSixteen(DateOnly dateOfBirth, DateTimeOffset moment) => DayOf(moment) >= SixteenthBirthday(dateOfBirth);

    /// <summary>Whether the pupil is 16 or older on <paramref name="day"/>.</summary>
    public static bool IsSixteenOn(DateOnly dateOfBirth, DateOnly day) => day >= SixteenthBirthday(dateOfBirth);

    /// <summary>
    /// The last date of birth of someone who is 16 on <paramref name="day"/>: everyone born on or before it is, nobody born
    /// later is (the 16th birthday never comes earlier for a later date of birth). Lets a query over many pupils compare
    /// dates instead of spelling the birthday rule again.
    /// </summary>
    public static DateOnly LastBirthDateSixteenOn(DateOnly day)
    {
        var born = day.AddYears(-16).AddDays(-2);
        while (IsSixteenOn(born.AddDays(1), day))
        {
            born = born.AddDays(1);
        }
        return born;
    }
}
