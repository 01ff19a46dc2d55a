using System.Threading.Channels;

namespace ConsentApi.Infrastructure.Jobs;

/// <summary>
/// Tells a background worker that work may have become due. Signals coalesce: any number of them while the worker is busy
/// leave one wake behind, so a burst costs one pass, not one per signal. Each worker has its own subclass, so that each is
/// its own singleton.
/// </summary>
public abstract class WakeSignal
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Signal() => _signals.Writer.TryWrite(true);

    /// <summary>Completes when a signal came since the last wait, at once if one is waiting.</summary>
    public async Task WaitAsync(CancellationToken ct) => await _signals.Reader.ReadAsync(ct);
}
