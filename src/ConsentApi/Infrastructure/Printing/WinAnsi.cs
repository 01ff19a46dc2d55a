using System.Globalization;
using System.Text;

namespace ConsentApi.Infrastructure.Printing;

/// <summary>
/// Text in the encoding of the PDF standard fonts (WinAnsi, Windows code page 1252), which holds every Dutch and English
/// letter, and the advance widths of Helvetica and Helvetica-Bold from their Adobe metrics, to wrap lines where a reader
/// will draw them. A character the encoding lacks prints as "?".
/// </summary>
internal static class WinAnsi
{
    /// <summary>Widths in 1/1000 em of ASCII 32–126, Helvetica.</summary>
    private static readonly short[] Regular =
    [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
        556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
        722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
        556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
        260, 334, 584,
    ];

    /// <summary>Widths in 1/1000 em of ASCII 32–126, Helvetica-Bold.</summary>
    private static readonly short[] Bold =
    [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
        556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
        722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611,
        556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389,
        280, 389, 584,
    ];

    /// <summary>The characters of code page 1252 between 0x80 and 0x9F (the rest of 0xA0–0xFF is Latin-1 itself).</summary>
    private static readonly Dictionary<char, byte> Extras = new()
    {
        ['€'] = 0x80, ['‚'] = 0x82, ['ƒ'] = 0x83, ['„'] = 0x84, ['…'] = 0x85, ['†'] = 0x86, ['‡'] = 0x87, ['ˆ'] = 0x88,
        ['‰'] = 0x89, ['Š'] = 0x8A, ['‹'] = 0x8B, ['Œ'] = 0x8C, ['Ž'] = 0x8E, ['‘'] = 0x91, ['’'] = 0x92, ['“'] = 0x93,
        ['”'] = 0x94, ['•'] = 0x95, ['–'] = 0x96, ['—'] = 0x97, ['˜'] = 0x98, ['™'] = 0x99, ['š'] = 0x9A, ['›'] = 0x9B,
        ['œ'] = 0x9C, ['ž'] = 0x9E, ['Ÿ'] = 0x9F,
    };

    private static readonly Dictionary<byte, short> ExtraWidths = new()
    {
        [0x80] = 556, [0x82] = 222, [0x83] = 556, [0x84] = 333, [0x85] = 1000, [0x86] = 556, [0x87] = 556, [0x88] = 333,
        [0x89] = 1000, [0x8A] = 667, [0x8B] = 333, [0x8C] = 1000, [0x8E] = 611, [0x91] = 222, [0x92] = 222, [0x93] = 333,
        [0x94] = 333, [0x95] = 350, [0x96] = 556, [0x97] = 1000, [0x98] = 333, [0x99] = 1000, [0x9A] = 500, [0x9B] = 333,
        [0x9C] = 944, [0x9E] = 500, [0x9F] = 667,
    };

    public static byte Encode(char c) => c switch
    {
        >= ' ' and <= '~' => (byte)c,
        >= '\u00A0' and <= '\u00FF' => (byte)c,
        '\t' => (byte)' ',
        _ => Extras.TryGetValue(c, out var code) ? code : (byte)'?',
    };

    /// <summary>The width of a text in points at a font size.</summary>
    public static double Width(string text, double size, bool bold)
    {
        var units = 0;
        foreach (var c in text)
        {
            units += Units(Encode(c), c, bold);
        }
        return units * size / 1000;
    }

    private static int Units(byte code, char c, bool bold)
    {
        var widths = bold ? Bold : Regular;
        if (code is >= 0x20 and <= 0x7E)
        {
            return widths[code - 0x20];
        }
        if (ExtraWidths.TryGetValue(code, out var extra))
        {
            return extra;
        }
        // A Latin-1 letter with a mark (é, ë, ï, ç) is as wide as its letter.
        var letter = c.ToString().Normalize(NormalizationForm.FormD)[0];
        return letter is >= ' ' and <= '~' && char.IsLetter(letter) ? widths[letter - 0x20] : 556;
    }

    /// <summary>A PDF string literal of the text in WinAnsi: parentheses and backslashes escaped, other bytes as octal.</summary>
    public static string Literal(string text)
    {
        var literal = new StringBuilder(text.Length + 2).Append('(');
        foreach (var c in text)
        {
            var code = Encode(c);
            if (code is (byte)'(' or (byte)')' or (byte)'\\')
            {
                literal.Append('\\').Append((char)code);
            }
            else if (code is >= 0x20 and <= 0x7E)
            {
                literal.Append((char)code);
            }
            else
            {
                literal.Append('\\').Append(Convert.ToString(code, 8).PadLeft(3, '0'));
            }
        }
        return literal.Append(')').ToString();
    }

    /// <summary>A text string for the document information (UTF-16 with a byte order mark, as hexadecimal).</summary>
    public static string InfoString(string text) =>
        "<FEFF" + string.Concat(text.Select(c => ((int)c).ToString("X4", CultureInfo.InvariantCulture))) + ">";
}
