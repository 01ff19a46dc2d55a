using System.Globalization;
using System.Xml;

namespace ConsentApi.Features.Imports;

/// <summary>What an EDEXML file says about the school, its groups and its pupils, with where each was found.</summary>
public sealed class EdexmlFile
{
    public int? SchoolLine { get; set; }
    public (string Value, int Line)? SchoolYear { get; set; }
    public (string Value, int Line)? BrinCode { get; set; }
    public string? DependanceCode { get; set; }
    public (string Value, int Line)? Version { get; set; }
    public List<EdexmlGroup> Groups { get; } = [];
    public List<EdexmlPupil> Pupils { get; } = [];

    /// <summary>The file held more pupils or groups than a roster may; the rest were not kept.</summary>
    public bool Truncated { get; set; }
}

/// <param name="Path">The element's path, e.g. <c>/EDEX/groepen/groep[2]</c>.</param>
public sealed record EdexmlGroup(string? Key, string? Name, int Line, string Path);

public sealed record EdexmlPupil(string? Key, string? FamilyName, string? Prefix, string? GivenNames, string? CallName,
    (string Value, int Line)? DateOfBirth, (string? Key, int Line)? Group, int Line, string Path);

/// <summary>
/// Reads an EDEXML file (versions 1.0.3, 2.0 and 2.1: the elements read here are the same in all three) forward only,
/// one element at a time, so that a file is never held whole in memory; what it keeps is the few fields a roster needs.
/// Not well-formed XML ends the read with an error naming the line; everything else is checked afterwards
/// (<see cref="EdexmlChecks"/>). Elements this import does not use (vestigingen, leerkrachten, samengestelde groepen,
/// toevoegingen, BSN and the like) are skipped unread.
/// </summary>
public static class EdexmlReader
{
    public const string Root = "EDEX";

    private static readonly XmlReaderSettings Settings = new()
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    public static async Task<EdexmlFile> ReadAsync(Stream content, ImportErrors errors, ImportProgress progress, int maxPupils, int maxGroups)
    {
        var file = new EdexmlFile();
        using var reader = XmlReader.Create(content, Settings);
        var lines = (IXmlLineInfo)reader;
        var path = "/";
        try
        {
            await reader.MoveToContentAsync();
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != Root)
            {
                errors.Add(lines.LineNumber, "/", null, $"The root element is <{reader.LocalName}>, not <{Root}>: this is not an EDEXML file.");
                return file;
            }
            path = "/" + Root;
            await ReadChildrenAsync(reader, async name =>
            {
                switch (name)
                {
                    case "school":
                        path = $"/{Root}/school";
                        await ReadSchoolAsync(reader, file);
                        break;
                    case "groepen":
                        path = $"/{Root}/groepen";
                        await ReadGroupsAsync(reader, file, maxGroups, p => path = p);
                        break;
                    case "leerlingen":
                        path = $"/{Root}/leerlingen";
                        await ReadPupilsAsync(reader, file, progress, maxPupils, p => path = p);
                        break;
                    default:
                        await reader.SkipAsync();
                        break;
                }
                path = "/" + Root;
            });
        }
        catch (XmlException e)
        {
            // The path is the last element read before the fault; the line (and the message's position) is where it is.
            errors.Add(e.LineNumber > 0 ? e.LineNumber : lines.LineNumber, path, null, $"The file is not well-formed XML: {e.Message}");
        }
        return file;
    }

    private static async Task ReadSchoolAsync(XmlReader reader, EdexmlFile file)
    {
        var lines = (IXmlLineInfo)reader;
        file.SchoolLine = lines.LineNumber;
        await ReadChildrenAsync(reader, async name =>
        {
            var line = lines.LineNumber;
            switch (name)
            {
                case "schooljaar":
                    file.SchoolYear = (await TextAsync(reader), line);
                    break;
                case "brincode":
                    file.BrinCode = (await TextAsync(reader), line);
                    break;
                case "dependancecode":
                    file.DependanceCode = await TextAsync(reader);
                    break;
                case "xsdversie":
                    file.Version = (await TextAsync(reader), line);
                    break;
                default:
                    await reader.SkipAsync();
                    break;
            }
        });
    }

    private static async Task ReadGroupsAsync(XmlReader reader, EdexmlFile file, int maxGroups, Action<string> at)
    {
        var lines = (IXmlLineInfo)reader;
        var index = 0;
        await ReadChildrenAsync(reader, async name =>
        {
            if (name != "groep")
            {
                // A samengestelde_groep (a composite group for some lessons) is not a class; pupils keep their own group.
                await reader.SkipAsync();
                return;
            }
            index++;
            var path = $"/{Root}/groepen/groep[{index}]";
            at(path);
            var line = lines.LineNumber;
            var key = reader.GetAttribute("key");
            string? groupName = null;
            await ReadChildrenAsync(reader, async child =>
            {
                if (child == "naam")
                {
                    groupName = await TextAsync(reader);
                }
                else
                {
                    await reader.SkipAsync();
                }
            });
            if (file.Groups.Count < maxGroups)
            {
                file.Groups.Add(new EdexmlGroup(key, groupName, line, path));
            }
            else
            {
                file.Truncated = true;
            }
        });
    }

    private static async Task ReadPupilsAsync(XmlReader reader, EdexmlFile file, ImportProgress progress, int maxPupils, Action<string> at)
    {
        var lines = (IXmlLineInfo)reader;
        var index = 0;
        await ReadChildrenAsync(reader, async name =>
        {
            if (name != "leerling")
            {
                await reader.SkipAsync();
                return;
            }
            index++;
            var path = $"/{Root}/leerlingen/leerling[{index}]";
            at(path);
            var line = lines.LineNumber;
            var key = reader.GetAttribute("key");
            string? familyName = null, prefix = null, givenNames = null, callName = null;
            (string, int)? dateOfBirth = null;
            (string?, int)? group = null;
            await ReadChildrenAsync(reader, async child =>
            {
                var childLine = lines.LineNumber;
                switch (child)
                {
                    case "achternaam": familyName = await TextAsync(reader); break;
                    case "voorvoegsel": prefix = await TextAsync(reader); break;
                    case "voornamen": givenNames = await TextAsync(reader); break;
                    case "roepnaam": callName = await TextAsync(reader); break;
                    case "geboortedatum": dateOfBirth = (await TextAsync(reader), childLine); break;
                    case "groep":
                        group = (reader.GetAttribute("key"), childLine);
                        await reader.SkipAsync();
                        break;
                    default: await reader.SkipAsync(); break;
                }
            });
            progress.Advance();
            if (file.Pupils.Count < maxPupils)
            {
                file.Pupils.Add(new EdexmlPupil(key, familyName, prefix, givenNames, callName, dateOfBirth, group, line, path));
            }
            else
            {
                file.Truncated = true;
            }
        });
    }

    /// <summary>
    /// Calls <paramref name="child"/> for each child element of the element the reader is on, which must read the child
    /// to its end; text between them is passed over. Leaves the reader after the element.
    /// </summary>
    private static async Task ReadChildrenAsync(XmlReader reader, Func<string, Task> child)
    {
        if (reader.IsEmptyElement)
        {
            await reader.ReadAsync();
            return;
        }
        await reader.ReadAsync();
        while (reader.NodeType != XmlNodeType.EndElement)
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                await child(reader.LocalName);
            }
            else if (!await reader.ReadAsync())
            {
                return;
            }
        }
        await reader.ReadAsync();
    }

    private static async Task<string> TextAsync(XmlReader reader) => (await reader.ReadElementContentAsStringAsync()).Trim();

    /// <summary>An <c>xs:date</c>: <c>yyyy-MM-dd</c>, optionally with a time zone (which a birthday ignores).</summary>
    public static bool TryParseDate(string text, out DateOnly date)
    {
        date = default;
        if (text.Length < 10)
        {
            return false;
        }
        var zone = text[10..];
        return (zone.Length == 0 || zone == "Z" || (zone.Length == 6 && zone[0] is '+' or '-' && zone[3] == ':'))
               && DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }
}
