using System.Threading.Channels;

namespace ConsentApi.Infrastructure.Events;

/// <summary>
/// Tells the dispatcher that deliveries may have become due. Signals coalesce: any number of them while the dispatcher
/// is busy leave one wake behind, so a burst of commits costs one pass, not one per commit.
/// </summary>
public sealed class DispatcherWake
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Signal() => _signals.Writer.TryWrite(true);

    /// <summary>Completes when a signal came since the last wait, at once if one is waiting.</summary>
    public async Task WaitAsync(CancellationToken ct) => await _signals.Reader.ReadAsync(ct);
}
