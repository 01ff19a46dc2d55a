using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConsentApi.Domain.Consent;

/// <summary>A consent form of an organisation (or of one of its schools), in versions.</summary>
public sealed class ConsentForm
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }

    /// <summary>Null for a form of the whole organisation.</summary>
    public Guid? SchoolId { get; init; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public List<ConsentFormVersion> Versions { get; init; } = [];
}

public enum FormVersionStatus
{
    Draft,
    Published,
}

/// <summary>
/// The text a guardian consents to and the items it asks. Editable while a draft; immutable once published, when its
/// content hash is fixed: a decision names the version, so the hash proves which text was agreed to.
/// </summary>
public sealed class ConsentFormVersion
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid FormId { get; init; }
    public int Number { get; init; }
    public FormVersionStatus Status { get; private set; } = FormVersionStatus.Draft;
    public required string TextNl { get; set; }
    public string? TextEn { get; set; }
    public ConsentValidity Validity { get; set; }

    /// <summary>"2026-2027" for <see cref="ConsentValidity.SchoolYear"/>; null for until-withdrawn.</summary>
    public string? SchoolYear { get; set; }
    public List<ConsentFormItem> Items { get; init; } = [];
    public string? ContentHash { get; private set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? PublishedAt { get; private set; }

    /// <summary>When a later version of the form was published; answers given to this one still count until they expire.</summary>
    public DateTimeOffset? SupersededAt { get; set; }

    public bool IsPublished => Status == FormVersionStatus.Published;

    public void Publish(DateTimeOffset at)
    {
        Status = FormVersionStatus.Published;
        PublishedAt = at;
        ContentHash = ComputeContentHash();
    }

    /// <summary>SHA-256 over a canonical JSON of everything a guardian agrees to: texts, items, validity.</summary>
    public string ComputeContentHash()
    {
        var canonical = JsonSerializer.Serialize(new
        {
            textNl = TextNl,
            textEn = TextEn,
            validity = Validity.ToString(),
            schoolYear = SchoolYear,
            items = Items.OrderBy(i => i.MediaType).ThenBy(i => i.ChannelKey, StringComparer.Ordinal)
                .Select(i => $"{i.MediaType}:{i.ChannelKey}").ToArray(),
        });
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>One thing a form version asks: a media type on a channel.</summary>
public sealed class ConsentFormItem
{
    public Guid VersionId { get; init; }
    public Guid OrganisationId { get; init; }
    public MediaType MediaType { get; init; }
    public required string ChannelKey { get; init; }
}
