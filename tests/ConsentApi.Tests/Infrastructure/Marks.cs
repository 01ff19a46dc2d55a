namespace ConsentApi.Tests.Infrastructure;

/// <summary>Moments between recordings, for asking what the record knew then (`asKnownAt`) or what held then (`at`).</summary>
public static class Marks
{
    /// <summary>A moment strictly after what was recorded so far and before whatever comes next, to the microsecond the database keeps.</summary>
    public static async Task<DateTimeOffset> NowAsync()
    {
        await Task.Delay(5);
        var now = DateTimeOffset.UtcNow;
        var mark = new DateTimeOffset(now.Ticks - now.Ticks % 10, TimeSpan.Zero);
        await Task.Delay(5);
        return mark;
    }
}
