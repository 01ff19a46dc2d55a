using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;

namespace ConsentApi.Features.Publications;

/// <summary>An item the school published, to register.</summary>
/// <param name="Title">What it is, e.g. "Foto's projectweek groep 5b".</param>
/// <param name="Url">Where it is online, if it has an address.</param>
/// <param name="Location">Where it is otherwise, e.g. "Schoolgids 2026-2027, p. 12"; give this or `url`.</param>
/// <param name="PublishedAt">When it went online; the check runs at this moment. Defaults to now.</param>
/// <param name="PupilIds">The pupils recognisable in it.</param>
/// <param name="PublishedWithoutCheck">Register it although consent does not allow it (for the record): a takedown opens at once.</param>
public sealed record RegisterPublicationRequest(
    [property: Required] Guid? SchoolId,
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2)] string Channel,
    [property: Required] MediaType? MediaType,
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 2)] string Title,
    [property: Url, StringLength(FieldLengths.Url)] string? Url,
    [property: StringLength(FieldLengths.Location, MinimumLength = 2)] string? Location,
    DateTimeOffset? PublishedAt,
    [property: Required, MinLength(1), MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<Guid> PupilIds,
    bool? PublishedWithoutCheck);

/// <summary>
/// A registered publication. `asKnownThen` and `asKnownNow` differ when something recorded after registration changed what
/// held at `publishedAt`, such as a paper refusal dated before publication but keyed in later.
/// </summary>
/// <param name="Status">`online`, or `removed` once taken down or withdrawn from the register.</param>
/// <param name="CheckId">The stored check the registration relied on; null for publications registered before checks were kept.</param>
/// <param name="AllowedAsKnownThen">Whether that check allowed every pupil shown (consent at `publishedAt` as known at registration).</param>
/// <param name="AsKnownThen">The stored check itself, never changed: in the registration's answer and GET by id; null in lists.</param>
/// <param name="AsKnownNow">Consent at `publishedAt` as the record stands now; given only by GET /v1/publications/{publicationId}.</param>
public sealed record PublicationResponse(
    Guid Id,
    Guid SchoolId,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    MediaType MediaType,
    [property: MaxLength(FieldLengths.Name)] string Title,
    [property: MaxLength(FieldLengths.Url)] string? Url,
    [property: MaxLength(FieldLengths.Location)] string? Location,
    DateTimeOffset PublishedAt,
    DateTimeOffset RegisteredAt,
    bool PublishedWithoutCheck,
    PublicationStatus Status,
    DateTimeOffset? RemovedAt,
    [property: MaxLength(FieldLengths.Note)] string? RemovalNote,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<Guid> PupilIds,
    Guid? CheckId,
    bool? AllowedAsKnownThen,
    StoredPublicationCheck? AsKnownThen,
    PublicationCheckResponse? AsKnownNow);

/// <summary>
/// The publication check a registration relied on, stored when it was registered and never changed: the proof that the
/// publication was lawful when it was made (GDPR art. 7(1), 5(2)).
/// </summary>
/// <param name="CheckId">Identifies the stored check.</param>
/// <param name="Allowed">True only if every pupil's consent was `granted`.</param>
/// <param name="At">The moment consent was checked for: the publication's `publishedAt`.</param>
/// <param name="AsKnownAt">What the record knew: the moment of registration; decisions recorded later are not in it.</param>
/// <param name="PublishedWithoutCheck">Registered although `allowed` was false (`publishedWithoutCheck` in the request).</param>
/// <param name="Pupils">Each pupil shown, with the state and reason then.</param>
public sealed record StoredPublicationCheck(
    Guid CheckId,
    bool Allowed,
    DateTimeOffset At,
    DateTimeOffset AsKnownAt,
    MediaType MediaType,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    bool PublishedWithoutCheck,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<PupilCheckResult> Pupils);

/// <summary>Why a publication is withdrawn from the register.</summary>
public sealed record RemovePublicationRequest([property: StringLength(FieldLengths.Note, MinimumLength = 1)] string? Note);

internal static class PublicationMapping
{
    /// <summary>
    /// The publication with the summary of its stored check; with the whole check when <paramref name="withCheck"/>, and
    /// <paramref name="asKnownNow"/> when given.
    /// </summary>
    public static PublicationResponse ToResponse(this Publication p, bool withCheck = false, PublicationCheckResponse? asKnownNow = null) =>
        new(p.Id, p.SchoolId, p.ChannelKey, p.MediaType, p.Title, p.Url, p.Location, p.PublishedAt, p.RegisteredAt,
            p.PublishedWithoutCheck, p.Status, p.RemovedAt, p.RemovalNote, p.Pupils.Select(x => x.PupilId).Order().ToList(),
            p.Check?.Id, p.Check?.Allowed, withCheck && p.Check is { } check ? check.ToResponse() : null, asKnownNow);

    public static StoredPublicationCheck ToResponse(this PublicationCheck c) =>
        new(c.Id, c.Allowed, c.At, c.AsKnownAt, c.MediaType, c.ChannelKey, c.PublishedWithoutCheck,
            c.Pupils.OrderBy(x => x.PupilId).Select(x => new PupilCheckResult(x.PupilId, x.State, x.Reason, x.Allowed)).ToList());
}
