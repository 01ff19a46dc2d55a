using System.Text;
using ConsentApi.Infrastructure.Csv;

namespace ConsentApi.Tests.Infrastructure.Csv;

/// <summary>CSV as Dutch spreadsheets write it: separators, quoting, encodings, header names and the lines errors name.</summary>
public sealed class CsvReaderTests
{
    private static readonly CsvColumn Pupil = new("pupilExternalId", required: true, "leerlingnummer");
    private static readonly CsvColumn Name = new("guardianDisplayName", required: true, "naam ouder");
    private static readonly CsvColumn Note = new("note", required: false, "opmerking");
    private static readonly CsvColumn[] Columns = [Pupil, Name, Note];

    private static Stream Bytes(params byte[][] parts) => new MemoryStream([.. parts.SelectMany(p => p)]);

    private static Stream Utf8(string text, bool bom = false) =>
        Bytes(bom ? [0xEF, 0xBB, 0xBF] : [], Encoding.UTF8.GetBytes(text));

    private static async Task<(CsvReader Reader, List<CsvRow> Rows, List<CsvError> Errors)> ReadAsync(Stream stream)
    {
        var reader = await CsvReader.OpenAsync(stream, Columns, CancellationToken.None);
        var errors = new List<CsvError>();
        var rows = new List<CsvRow>();
        await foreach (var row in reader.RowsAsync(errors.Add, CancellationToken.None))
        {
            rows.Add(row);
        }
        return (reader, rows, errors);
    }

    private static string Values(CsvRow row) => $"{row.Line}|{row[Pupil]}|{row[Name]}|{row[Note]}";

    [Test]
    public async Task A_semicolon_file_with_a_byte_order_mark_and_CRLF_reads_with_the_line_of_every_row()
    {
        var (reader, rows, errors) = await ReadAsync(Utf8("Leerlingnummer;Naam ouder;Opmerking\r\nLL1;Marieke de Vries;\r\nLL2;Joost Jansen;ok\r\n\r\n;;\r\n", bom: true));
        Assert.Multiple(() =>
        {
            Assert.That(reader.Separator, Is.EqualTo(';'));
            Assert.That(reader.EncodingName, Is.EqualTo("utf-8"));
            Assert.That(rows.Select(Values), Is.EqualTo(new[] { "2|LL1|Marieke de Vries|", "3|LL2|Joost Jansen|ok" }));
            Assert.That(errors, Is.Empty);
        });
    }

    [Test]
    public async Task A_comma_file_with_LF_and_without_a_byte_order_mark_reads_the_same()
    {
        var (reader, rows, _) = await ReadAsync(Utf8("pupilExternalId,guardianDisplayName\nLL1,Marieke de Vries\nLL2,Joost Jansen"));
        Assert.That(reader.Separator, Is.EqualTo(','));
        Assert.That(rows.Select(Values), Is.EqualTo(new[] { "2|LL1|Marieke de Vries|", "3|LL2|Joost Jansen|" }));
    }

    [Test]
    public async Task Quoted_values_hold_separators_doubled_quotes_and_line_breaks_and_the_next_row_keeps_its_true_line()
    {
        var (_, rows, _) = await ReadAsync(Utf8(
            "pupil external id;Guardian_Display_Name;NOTE\r\n\"LL;1\";\"Marieke \"\"Mieke\"\" de Vries\";\"two\r\nlines\"\r\nLL2;Joost;x\r\n"));
        Assert.That(rows.Select(Values), Is.EqualTo(new[] { "2|LL;1|Marieke \"Mieke\" de Vries|two\nlines", "4|LL2|Joost|x" }));
    }

    [Test]
    public async Task Excels_sep_line_decides_the_separator()
    {
        var (reader, rows, _) = await ReadAsync(Utf8("sep=,\r\nleerlingnummer,naam ouder\r\nLL1,Jansen;Joost\r\n"));
        Assert.That(reader.Separator, Is.EqualTo(','));
        Assert.That(rows.Select(Values), Is.EqualTo(new[] { "3|LL1|Jansen;Joost|" }));
    }

    [Test]
    public async Task A_Windows_1252_file_from_Excel_is_read_as_such()
    {
        var text = "leerlingnummer;naam ouder\r\nLL1;Zoë Müller-Çelik\r\n";
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var (reader, rows, _) = await ReadAsync(new MemoryStream(Encoding.GetEncoding(1252).GetBytes(text)));
        Assert.That(reader.EncodingName, Is.EqualTo("windows-1252"));
        Assert.That(rows.Select(Values), Is.EqualTo(new[] { "2|LL1|Zoë Müller-Çelik|" }));
    }

    [Test]
    public void Invalid_UTF_8_in_a_file_that_says_it_is_UTF_8_names_its_line()
    {
        var file = Bytes(Encoding.UTF8.GetBytes("\uFEFFleerlingnummer;naam ouder\r\nLL1;Zoë\r\nLL2;"), [0xC3, 0x28], "\r\n"u8.ToArray());
        var e = Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync(file))!;
        Assert.That(e.Errors.Single().Line, Is.EqualTo(3));
        Assert.That(e.Message, Does.Contain("Line 3 is not valid UTF-8"));
    }

    [Test]
    public void A_UTF_16_file_is_refused_with_what_to_do()
    {
        var e = Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync(new MemoryStream(Encoding.Unicode.GetPreamble().Concat(
            Encoding.Unicode.GetBytes("leerlingnummer\tnaam ouder")).ToArray())))!;
        Assert.That(e.Message, Does.Contain("UTF-16").And.Contain("CSV UTF-8"));
    }

    [Test]
    public void A_quote_that_is_never_closed_names_the_line_it_opened_on()
    {
        var e = Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync(Utf8("leerlingnummer;naam ouder\nLL1;Jansen\nLL2;\"Joost\nLL3;Piet\n")))!;
        Assert.That(e.Errors.Single().Line, Is.EqualTo(3));
    }

    [Test]
    public void Unknown_repeated_and_missing_columns_are_each_named()
    {
        var e = Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync(Utf8("leerlingnummer;Leerling nummer;e-mail\nLL1;x;y\n")))!;
        Assert.That(e.Errors.Select(x => $"{x.Path} {x.Message}"), Is.EqualTo(new[]
        {
            "B1 The column 'pupilExternalId' occurs twice.",
            "C1 Unknown column 'e-mail'; the columns are: pupilExternalId, guardianDisplayName, note.",
            "line 1 The header lacks the column 'guardianDisplayName' (or 'naam ouder').",
        }));
    }

    [Test]
    public void An_empty_file_says_what_its_header_should_be()
    {
        var e = Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync(Utf8("\r\n\r\n", bom: true)))!;
        Assert.That(e.Message, Does.Contain("pupilExternalId, guardianDisplayName, note"));
    }

    [Test]
    public async Task A_row_with_more_values_than_columns_or_control_characters_is_an_error_for_its_cell_and_the_rest_reads()
    {
        var (_, rows, errors) = await ReadAsync(Utf8("leerlingnummer;naam ouder\nLL1;Jansen;extra\nLL2;Pi\u0007et\nLL3;Joost;;\n"));
        Assert.That(rows.Select(Values), Is.EqualTo(new[] { "4|LL3|Joost|" }));
        Assert.That(errors.Select(x => $"{x.Line} {x.Path} {x.Field}"), Is.EqualTo(new[] { "2 line 2 ", "3 B3 guardianDisplayName" }));
    }

    [Test]
    public async Task A_row_error_names_the_spreadsheet_cell()
    {
        var (_, rows, _) = await ReadAsync(Utf8("opmerking;leerlingnummer;naam ouder\nx;LL1;Jansen\n"));
        var error = rows[0].Error(Name, "bad");
        Assert.That((error.Line, error.Path, error.Field), Is.EqualTo((2, "C2", "guardianDisplayName")));
    }

    [TestCase(0, 1, "A1")]
    [TestCase(25, 7, "Z7")]
    [TestCase(26, 7, "AA7")]
    [TestCase(27, 12, "AB12")]
    public void Cells_are_named_as_spreadsheets_name_them(int column, int line, string reference) =>
        Assert.That(CsvCells.Reference(column, line), Is.EqualTo(reference));

    [TestCase("5-9-2026", "2026-09-05")]
    [TestCase("05-09-2026", "2026-09-05")]
    [TestCase("31-12-2026", "2026-12-31")]
    [TestCase("2026-09-05", "2026-09-05")]
    [TestCase("5/9/2026", "2026-09-05")]
    [TestCase(" 29-2-2028 ", "2028-02-29")]
    public void Dates_read_in_Dutch_and_ISO_order(string text, string expected)
    {
        Assert.That(CsvValues.TryParseDate(text, out var date), Is.True);
        Assert.That(date, Is.EqualTo(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase("29-2-2027")]
    [TestCase("9-5-26")]
    [TestCase("2026-13-01")]
    [TestCase("09/05/2026 10:00")]
    [TestCase("gisteren")]
    public void Anything_else_is_not_a_date(string text) => Assert.That(CsvValues.TryParseDate(text, out _), Is.False);

    [TestCase("ja", true)]
    [TestCase("JA", true)]
    [TestCase("yes", true)]
    [TestCase("True", true)]
    [TestCase("WAAR", true)]
    [TestCase("1", true)]
    [TestCase("nee", false)]
    [TestCase("no", false)]
    [TestCase("false", false)]
    [TestCase("ONWAAR", false)]
    [TestCase("0", false)]
    [TestCase("misschien", null)]
    [TestCase("2", null)]
    public void Booleans_read_in_Dutch_and_English(string text, bool? expected) =>
        Assert.That(CsvValues.ParseBoolean(text), Is.EqualTo(expected));

    [Test]
    public async Task A_large_file_is_read_row_by_row_from_the_stream()
    {
        var stream = new CountingStream(Utf8("leerlingnummer;naam ouder\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"LL{i};Ouder {i}\n"))));
        var reader = await CsvReader.OpenAsync(stream, Columns, CancellationToken.None);
        await using var rows = reader.RowsAsync(_ => { }, CancellationToken.None).GetAsyncEnumerator();
        Assert.That(await rows.MoveNextAsync(), Is.True);
        Assert.That(stream.BytesRead, Is.LessThan(stream.Length / 4), "the first row is read without reading the whole file");
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
