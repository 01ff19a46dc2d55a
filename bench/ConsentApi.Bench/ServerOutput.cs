namespace ConsentApi.Bench;

/// <summary>
/// The last lines a server wrote to its console, numbered from its start: the servers log at Warning, so these are its
/// warnings and errors (an unhandled exception behind a 500, a pool that ran dry). Read after a load that had errors, to
/// say what the server made of them.
/// </summary>
public sealed class ServerOutput(int capacity = 200)
{
    private readonly Queue<string> lines = new();
    private long written;

    /// <summary>How many lines the server has written so far: a mark for <see cref="Since"/>.</summary>
    public long Mark
    {
        get
        {
            lock (lines)
            {
                return written;
            }
        }
    }

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (lines)
        {
            lines.Enqueue(line);
            written++;
            if (lines.Count > capacity)
            {
                lines.Dequeue();
            }
        }
    }

    /// <summary>The lines written after <paramref name="mark"/>, as many of them as are still kept (the latest).</summary>
    public IReadOnlyList<string> Since(long mark)
    {
        lock (lines)
        {
            var count = (int)Math.Min(Math.Max(written - mark, 0), lines.Count);
            return [.. lines.Skip(lines.Count - count)];
        }
    }

    /// <summary>After a load with failed requests, <see cref="Report"/>; after one without, nothing.</summary>
    public IEnumerable<string> ReportFailures(LoadResult result, string server, long mark) => result.Errors == 0 ? [] : Report(server, mark);

    /// <summary>Log lines for the output after <paramref name="mark"/>: at most <paramref name="most"/>, then how many more.</summary>
    public IEnumerable<string> Report(string server, long mark, int most = 20)
    {
        var since = Since(mark);
        if (since.Count == 0)
        {
            return [$"{server} wrote nothing to its console during the load: it logged no warning or error for the failed requests"];
        }
        var shown = since.Take(most).Select(line => $"{server} wrote: {line}");
        return since.Count > most ? [.. shown, $"{server} wrote {since.Count - most} more lines"] : shown;
    }
}
