using System.Security.Cryptography;

namespace ConsentApi.Infrastructure.Events;

/// <summary>
/// UUIDv7s that strictly increase within this process (RFC 9562, method 1: a 12-bit counter after the millisecond).
/// EF Core inserts rows saved together in key order, so the events of one transaction take their positions
/// (<see cref="OutboxEvent.Sequence"/>) in the order they happened. Order across transactions and instances does not
/// depend on these ids: the database assigns positions and the dispatcher waits for late commits.
/// </summary>
public static class SequentialIds
{
    private static readonly Lock Gate = new();
    private static long _lastMilliseconds;
    private static int _counter;

    public static Guid Next(DateTimeOffset now)
    {
        long milliseconds;
        int counter;
        lock (Gate)
        {
            milliseconds = Math.Max(now.ToUnixTimeMilliseconds(), _lastMilliseconds);
            if (milliseconds == _lastMilliseconds)
            {
                if (++_counter > 0xFFF)
                {
                    milliseconds++;
                    _counter = 0;
                }
            }
            else
            {
                _counter = 0;
            }
            _lastMilliseconds = milliseconds;
            counter = _counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(milliseconds >> (8 * (5 - i)));
        }
        bytes[6] = (byte)(0x70 | ((counter >> 8) & 0x0F));
        bytes[7] = (byte)counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
