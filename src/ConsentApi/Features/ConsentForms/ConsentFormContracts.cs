using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain;

namespace ConsentApi.Features.ConsentForms;

/// <summary>A consent form and its versions.</summary>
/// <param name="SchoolId">The school the form is for; null for a form of the whole organisation.</param>
public sealed record ConsentFormResponse(
    Guid Id,
    Guid? SchoolId,
    [property: MaxLength(FieldLengths.Name)] string Name,
    DateTimeOffset CreatedAt,
    [property: MaxLength(1000)] IReadOnlyList<FormVersionSummary> Versions);

/// <summary>A version of a form, without its text.</summary>
/// <param name="ContentHash">`sha256:` and the hex SHA-256 of the version's canonical content; set when published.</param>
public sealed record FormVersionSummary(
    Guid Id,
    [property: Range(1, 1000)] int Number,
    FormVersionStatus Status,
    [property: MaxLength(FieldLengths.ContentHash)] string? ContentHash,
    DateTimeOffset? PublishedAt,
    DateTimeOffset? SupersededAt,
    DateTimeOffset? WithdrawnAt);

/// <summary>A version of a consent form: the text guardians agree to and the items it asks.</summary>
/// <param name="Number">1 for the first version of the form, then 2, 3, ...</param>
/// <param name="Status">`draft` (editable), `published` (immutable; decisions can be recorded against it) or `withdrawn`
/// (taken back: no longer asked, grants given to it no longer count, only refusals can be recorded).</param>
/// <param name="ContentHash">`sha256:` and the hex SHA-256 of the canonical content (texts, items, validity); fixed when published.</param>
/// <param name="SupersededAt">When a later version of the form was published. Answers given to this version still count until they
/// expire; new grants under it are refused.</param>
/// <param name="WithdrawnAt">When the version was withdrawn: from then on grants given to it no longer count.</param>
/// <param name="WithdrawalReason">Why it was withdrawn, if a reason was given.</param>
public sealed record FormVersionResponse(
    Guid Id,
    Guid FormId,
    [property: Range(1, 1000)] int Number,
    FormVersionStatus Status,
    [property: MaxLength(FieldLengths.FormText)] string TextNl,
    [property: MaxLength(FieldLengths.FormText)] string? TextEn,
    ConsentValidity Validity,
    [property: MaxLength(FieldLengths.SchoolYear)] string? SchoolYear,
    [property: MaxLength(FormVersionRequest.MaxItems)] IReadOnlyList<ConsentItem> Items,
    [property: MaxLength(FieldLengths.ContentHash)] string? ContentHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PublishedAt,
    DateTimeOffset? SupersededAt,
    DateTimeOffset? WithdrawnAt,
    [property: MaxLength(FieldLengths.Note)] string? WithdrawalReason);

/// <summary>One thing consent is asked for: a media type on a channel.</summary>
/// <param name="Channel">The channel's key, e.g. `social-media`.</param>
public sealed record ConsentItem(
    [property: Required] MediaType? MediaType,
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2)] string Channel);

/// <summary>The content of a form version.</summary>
/// <param name="TextNl">The consent text in Dutch, as the guardian reads it.</param>
/// <param name="TextEn">The same text in English, if offered.</param>
/// <param name="Validity">`until-withdrawn` or `school-year` (ends on the organisation's school-year end).</param>
/// <param name="SchoolYear">With `school-year` validity: the school year the consent is for, e.g. "2026-2027".</param>
/// <param name="Items">What the form asks: media type × channel, each once.</param>
public sealed record FormVersionRequest(
    [property: Required, StringLength(FieldLengths.FormText, MinimumLength = 10)] string TextNl,
    [property: StringLength(FieldLengths.FormText, MinimumLength = 10)] string? TextEn,
    [property: Required] ConsentValidity? Validity,
    [property: StringLength(FieldLengths.SchoolYear, MinimumLength = 9), RegularExpression(SchoolYears.Pattern)] string? SchoolYear,
    [property: Required, MinLength(1), MaxLength(FormVersionRequest.MaxItems)] IReadOnlyList<ConsentItem> Items)
{
    public const int MaxItems = 60;
}

internal static class FormMapping
{
    public static FormVersionResponse ToResponse(this ConsentFormVersion v) => new(
        v.Id, v.FormId, v.Number, v.Status, v.TextNl, v.TextEn, v.Validity, v.SchoolYear,
        v.Items.OrderBy(i => i.MediaType).ThenBy(i => i.ChannelKey, StringComparer.Ordinal)
            .Select(i => new ConsentItem(i.MediaType, i.ChannelKey)).ToList(),
        v.ContentHash, v.CreatedAt, v.PublishedAt, v.SupersededAt, v.WithdrawnAt, v.WithdrawalReason);

    public static FormVersionSummary ToSummary(this ConsentFormVersion v) =>
        new(v.Id, v.Number, v.Status, v.ContentHash, v.PublishedAt, v.SupersededAt, v.WithdrawnAt);

    public static ConsentFormResponse ToResponse(this ConsentForm form) =>
        new(form.Id, form.SchoolId, form.Name, form.CreatedAt, form.Versions.OrderBy(v => v.Number).Select(ToSummary).ToList());
}
