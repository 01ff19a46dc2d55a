using ConsentApi.Infrastructure.Http;

namespace ConsentApi.Tests.Infrastructure;

/// <summary>The system clock moved by <see cref="Offset"/>, at the database's precision like the app's own.</summary>
public sealed class TravellingClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => Moments.Normalise(TimeProvider.System.GetUtcNow() + Offset);
}
