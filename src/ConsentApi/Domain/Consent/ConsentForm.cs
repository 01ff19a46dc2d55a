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

/// <summary>Where a form version is in its life.</summary>
public enum FormVersionStatus
{
    /// <summary>Being written: may change, not asked of anyone.</summary>
    Draft,

    /// <summary>Asked of guardians; its text and items never change again.</summary>
    Published,

    /// <summary>Published once, then taken back: no longer asked, and grants given to it no longer count.</summary>
    Withdrawn,
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

    /// <summary>When the version was withdrawn: from then on it is not asked, and grants given to it end.</summary>
    public DateTimeOffset? WithdrawnAt { get; private set; }

    /// <summary>Why it was withdrawn, for the school's own record.</summary>
    public string? WithdrawalReason { get; private set; }

    /// <summary>Published and not withdrawn: it can be asked.</summary>
    public bool IsPublished => Status == FormVersionStatus.Published;

    public bool IsDraft => Status == FormVersionStatus.Draft;

    public void Publish(DateTimeOffset at)
    {
        Status = FormVersionStatus.Published;
        PublishedAt = at;
        ContentHash = ComputeContentHash();
    }

    /// <summary>Takes a published version back. Its content and hash stay: decisions keep naming the text they answered.</summary>
    public void Withdraw(DateTimeOffset at, string? reason)
    {
        Status = FormVersionStatus.Withdrawn;
        WithdrawnAt = at;
        WithdrawalReason = reason;
    }

    /// <summary>
    /// Why a grant given at <paramref name="givenAt"/> cannot count, or null if it can: the version was withdrawn or
    /// superseded by then, or its school year had ended on that local day. Judged at the moment given, so a paper form
    /// signed before the change and keyed in later still counts.
    /// </summary>
    public string? WhyGrantCannotCount(DateTimeOffset givenAt, ConsentPolicy policy) =>
        WhyGrantCannotCount(Number, WithdrawnAt, SupersededAt, Validity, SchoolYear, givenAt, policy);

    /// <summary>The same, for a version read as plain values.</summary>
    public static string? WhyGrantCannotCount(int number, DateTimeOffset? withdrawnAt, DateTimeOffset? supersededAt,
        ConsentValidity validity, string? schoolYear, DateTimeOffset givenAt, ConsentPolicy policy) =>
        withdrawnAt <= givenAt ? $"Form version {number} was withdrawn; consent can still be withdrawn under it, but not granted."
        : supersededAt <= givenAt ? $"Form version {number} was superseded by a later version; grant consent under the current version."
        : validity == ConsentValidity.SchoolYear && schoolYear is { } year && policy.Calendar.DayOf(givenAt) > policy.LastDayOf(year)
            ? $"School year {year} had ended; consent for it can still be withdrawn, but not granted."
        : null;

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
