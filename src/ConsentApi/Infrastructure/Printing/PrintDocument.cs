namespace ConsentApi.Infrastructure.Printing;

/// <summary>
/// A document for paper: a title, a few facts under it, and sections that each begin a new A4 page (a long section runs
/// on). It holds words only, already in the reader's language; <see cref="PrintHtml"/> and <see cref="PrintPdf"/> lay it
/// out the same way, in black on white, so that a photocopy or a fax keeps every mark.
/// </summary>
public sealed record PrintDocument(
    string Language,
    string Title,
    IReadOnlyList<PrintFact> Heading,
    IReadOnlyList<PrintSection> Sections,
    string Footer);

/// <summary>One part of a document, printed from the top of a new page.</summary>
public sealed record PrintSection(string Title, IReadOnlyList<PrintBlock> Blocks);

/// <summary>What a section holds, in order.</summary>
public abstract record PrintBlock;

/// <summary>A paragraph; its line breaks are kept (a consent form's text prints as it was shown).</summary>
public sealed record PrintText(string Text) : PrintBlock;

/// <summary>A small heading inside a section.</summary>
public sealed record PrintSubheading(string Text) : PrintBlock;

/// <summary>Labelled values, one per line: "Date of birth: 12-03-2016".</summary>
public sealed record PrintFacts(IReadOnlyList<PrintFact> Facts) : PrintBlock;

public sealed record PrintFact(string Label, string Value);

/// <summary>A table with a header row; <see cref="Empty"/> is printed instead when there are no rows.</summary>
public sealed record PrintTable(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, string Empty) : PrintBlock;
