using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using ConsentApi.Domain.Imports;
using ConsentApi.Features.Imports;
using ConsentApi.Tests.Infrastructure;

[assembly: SuppressMessage("Naming", "CA1716", Scope = "namespace", Target = "~N:ConsentApi.Tests.Features.Imports",
    Justification = "Mirrors the feature folder of src.")]

namespace ConsentApi.Tests.Features.Imports;

/// <summary>
/// The building blocks the import fixtures share: uploading a file of any kind, waiting for its job to finish (by
/// polling its resource, never by sleeping a fixed time), and writing EDEXML files.
/// </summary>
public static class ImportSteps
{
    /// <summary>Long enough for a 20,000-pupil file on a busy two-core machine; a job that takes longer has hung.</summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    public static Task<HttpResponseMessage> UploadAsync(HttpClient client, Guid schoolId, string kind, byte[] file,
        string contentType = "application/xml", bool dryRun = false) =>
        UploadAsync(client, schoolId, kind, new ByteArrayContent(file), contentType, dryRun);

    public static Task<HttpResponseMessage> UploadAsync(HttpClient client, Guid schoolId, string kind, HttpContent content,
        string contentType = "application/xml", bool dryRun = false)
    {
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return client.PostAsync($"/v1/schools/{schoolId}/imports/{kind}{(dryRun ? "?dryRun=true" : "")}", content);
    }

    /// <summary>Uploads a file that must start a new job; returns the job as the 202 answered it.</summary>
    public static async Task<ImportJobResponse> StartAsync(HttpClient client, Guid schoolId, string kind, byte[] file,
        string contentType = "application/xml", bool dryRun = false)
    {
        var response = await UploadAsync(client, schoolId, kind, file, contentType, dryRun);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        var job = await response.ReadAsync<ImportJobResponse>();
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/v1/imports/{job.Id}"));
        return job;
    }

    /// <summary>Polls the job until it succeeded or failed, failing the test when that takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<ImportJobResponse> FinishedAsync(HttpClient client, Guid importId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? JobTimeout);
        while (true)
        {
            var job = await (await client.GetAsync($"/v1/imports/{importId}")).ReadAsync<ImportJobResponse>();
            if (job.Status is ImportStatus.Succeeded or ImportStatus.Failed)
            {
                return job;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Import {importId} is still {job.Status} after {timeout ?? JobTimeout}.");
            }
            await Task.Delay(50);
        }
    }

    public static async Task<ImportJobResponse> ImportAsync(HttpClient client, Guid schoolId, string kind, byte[] file,
        string contentType = "application/xml", bool dryRun = false) =>
        await FinishedAsync(client, (await StartAsync(client, schoolId, kind, file, contentType, dryRun)).Id);

    public static string Describe(ImportJobResponse job) =>
        $"{job.Status}: " + string.Join("; ", job.Errors.Select(e => $"line {e.Line} {e.Path}: {e.Message}"));
}

/// <summary>An EDEXML 2.1 file, written the way pupil administrations export one.</summary>
public sealed class EdexmlBuilder(string brinCode, string schoolYear = "2026-2027")
{
    public sealed record Group(string Key, string Name, string Year = "5");

    public sealed record Pupil(string Key, string CallName, string FamilyName, string? DateOfBirth, string? GroupKey, string? Prefix = null);

    public List<Group> Groups { get; } = [];
    public List<Pupil> Pupils { get; } = [];

    public EdexmlBuilder WithGroup(string key, string name)
    {
        Groups.Add(new Group(key, name));
        return this;
    }

    public EdexmlBuilder WithPupil(string key, string callName, string familyName, string? dateOfBirth = "2016-03-14",
        string? groupKey = null, string? prefix = null)
    {
        Pupils.Add(new Pupil(key, callName, familyName, dateOfBirth, groupKey, prefix));
        return this;
    }

    public byte[] ToBytes()
    {
        using var output = new MemoryStream();
        using (var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true))
        {
            WriteHead(writer);
            foreach (var pupil in Pupils)
            {
                WritePupil(writer, pupil);
            }
            WriteTail(writer);
        }
        return output.ToArray();
    }

    public override string ToString() => Encoding.UTF8.GetString(ToBytes());

    public void WriteHead(TextWriter writer)
    {
        writer.Write($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <EDEX xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="EDEXML.structuur.xsd">
              <school>
                <schooljaar>{schoolYear}</schooljaar>
                <brincode>{brinCode}</brincode>
                <dependancecode>00</dependancecode>
                <schoolkey>1</schoolkey>
                <aanmaakdatum>2026-09-01T08:00:00</aanmaakdatum>
                <auteur>Leerlingadministratie</auteur>
                <xsdversie>2.1</xsdversie>
              </school>
              <groepen>

            """);
        foreach (var group in Groups)
        {
            writer.Write($"""
                    <groep key="{Escape(group.Key)}">
                      <naam>{Escape(group.Name)}</naam>
                      <jaargroep>{group.Year}</jaargroep>
                    </groep>

                """);
        }
        writer.Write("  </groepen>\n  <leerlingen>\n");
    }

    public static void WritePupil(TextWriter writer, Pupil pupil)
    {
        writer.Write($"    <leerling key=\"{Escape(pupil.Key)}\">\n");
        writer.Write($"      <achternaam>{Escape(pupil.FamilyName)}</achternaam>\n");
        if (pupil.Prefix is not null)
        {
            writer.Write($"      <voorvoegsel>{Escape(pupil.Prefix)}</voorvoegsel>\n");
        }
        writer.Write($"      <roepnaam>{Escape(pupil.CallName)}</roepnaam>\n");
        if (pupil.DateOfBirth is not null)
        {
            writer.Write($"      <geboortedatum>{pupil.DateOfBirth}</geboortedatum>\n");
        }
        writer.Write("      <geslacht>0</geslacht>\n");
        if (pupil.GroupKey is not null)
        {
            writer.Write($"      <groep key=\"{Escape(pupil.GroupKey)}\"/>\n");
        }
        writer.Write("    </leerling>\n");
    }

    public static void WriteTail(TextWriter writer) => writer.Write("  </leerlingen>\n</EDEX>\n");

    private static string Escape(string text) => SecurityElement.Escape(text);
}

/// <summary>
/// A generated EDEXML file of <paramref name="pupils"/> pupils in 40 groups, written to the request as it is sent: the
/// test never holds the file.
/// </summary>
public sealed class GeneratedEdexmlContent(string brinCode, int pupils) : HttpContent
{
    public const int GroupCount = 40;

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        var builder = new EdexmlBuilder(brinCode);
        for (var g = 0; g < GroupCount; g++)
        {
            builder.WithGroup($"G{g}", $"Groep {g % 8 + 1}{(char)('a' + g / 8)}");
        }
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        builder.WriteHead(writer);
        for (var i = 0; i < pupils; i++)
        {
            EdexmlBuilder.WritePupil(writer, new EdexmlBuilder.Pupil($"LL{i:D6}", $"Kind{i}", $"Achternaam{i % 997}",
                new DateOnly(2014, 1, 1).AddDays(i % 3000).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                $"G{i % GroupCount}", i % 5 == 0 ? "van der" : null));
        }
        EdexmlBuilder.WriteTail(writer);
        await writer.FlushAsync();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
