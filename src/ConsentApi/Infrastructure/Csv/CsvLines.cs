using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace ConsentApi.Infrastructure.Csv;

/// <summary>
/// The physical lines of a file, read from the stream one at a time (never the whole file), each decoded on its own so
/// that an encoding error names its line. UTF-8 with or without byte order mark. A file without one whose first line
/// that is not ASCII is not UTF-8 either is read as Windows-1252, the encoding Excel's "CSV (puntkomma)" writes on a
/// Dutch Windows; one that mixes both (UTF-8 earlier, something else later) is refused, as is UTF-16.
/// </summary>
internal sealed class CsvLines(Stream stream)
{
    /// <summary>Longer lines are not a spreadsheet's: refused before they are held in memory.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private static readonly Encoding Utf8Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly Lazy<Encoding> Windows1252 = new(() =>
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    });

    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly ArrayBufferWriter<byte> _line = new();
    private int _start, _end;
    private bool _endOfStream, _hasByteOrderMark, _sawUtf8, _isWindows1252;

    /// <summary>The number (from 1) of the line last read.</summary>
    public int Number { get; private set; }

    /// <summary>"utf-8" or "windows-1252": how the file was read.</summary>
    public string EncodingName => _isWindows1252 ? "windows-1252" : "utf-8";

    /// <summary>The next line without its line break (LF or CRLF), or null at the end of the file.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken ct)
    {
        _line.Clear();
        while (true)
        {
            if (_start == _end)
            {
                if (_endOfStream || (_end = await stream.ReadAsync(_buffer, ct)) == 0)
                {
                    _endOfStream = true;
                    _start = _end = 0;
                    if (_line.WrittenCount == 0)
                    {
                        return null;
                    }
                    Number++;
                    return Decode(_line.WrittenSpan);
                }
                _start = 0;
            }
            var span = _buffer.AsSpan(_start, _end - _start);
            var newline = span.IndexOf((byte)'\n');
            Append(newline >= 0 ? span[..newline] : span);
            if (newline >= 0)
            {
                _start += newline + 1;
                Number++;
                return Decode(_line.WrittenSpan);
            }
            _start = _end;
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_line.WrittenCount + bytes.Length > MaxLineBytes)
        {
            throw new CsvFormatException(Number + 1, $"Line {Number + 1} is longer than {MaxLineBytes / 1024} KiB; this is not a spreadsheet's CSV.");
        }
        _line.Write(bytes);
    }

    private string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }
        if (Number == 1)
        {
            if (bytes.StartsWith("\uFEFF"u8))
            {
                _hasByteOrderMark = true;
                bytes = bytes[3..];
            }
            else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            {
                throw new CsvFormatException(1,
                    "The file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" or \"CSV (puntkomma)\" instead.");
            }
        }
        if (_isWindows1252)
        {
            return Windows1252.Value.GetString(bytes);
        }
        if (Utf8.IsValid(bytes))
        {
            _sawUtf8 |= bytes.ContainsAnyExceptInRange((byte)0, (byte)0x7F);
            return Utf8Strict.GetString(bytes);
        }
        if (_hasByteOrderMark || _sawUtf8)
        {
            throw new CsvFormatException(Number,
                $"Line {Number} is not valid UTF-8, although the file {(_hasByteOrderMark ? "starts with a UTF-8 byte order mark" : "is UTF-8 before it")}; save the file again as \"CSV UTF-8\".");
        }
        _isWindows1252 = true;
        return Windows1252.Value.GetString(bytes);
    }
}
