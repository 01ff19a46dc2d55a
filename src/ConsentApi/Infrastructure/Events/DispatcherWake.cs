using ConsentApi.Infrastructure.Jobs;

namespace ConsentApi.Infrastructure.Events;

/// <summary>Tells the webhook dispatcher that deliveries may have become due (a commit that wrote events).</summary>
public sealed class DispatcherWake : WakeSignal
{
}
