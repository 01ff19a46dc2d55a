using ConsentApi.Domain;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>Days as the API counts them: local days in Europe/Amsterdam, the default organisation time zone.</summary>
public static class LocalDay
{
    public static DateOnly Today => ConsentCalendar.Default.DayOf(DateTimeOffset.UtcNow);
}
