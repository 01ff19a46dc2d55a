using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Features.Consents;

namespace ConsentApi.Features.Publications;

/// <summary>
/// A registered publication. `asKnownThen` and `asKnownNow` differ when something recorded after registration changed what
/// held at `publishedAt`, such as a paper refusal dated before publication but keyed in later.
/// </summary>
/// <param name="Status">`online`, or `removed` once taken down or withdrawn from the register.</param>
/// <param name="CheckId">The stored check the registration relied on; null for publications registered before checks were kept.</param>
/// <param name="AllowedAsKnownThen">Whether that check allowed every pupil shown (consent at `publishedAt` as known at registration).</param>
/// <param name="AsKnownThen">The stored check itself, never changed: in the registration's answer and GET by id; null in lists.</param>
/// <param name="AsKnownNow">Consent at `publishedAt` as the record stands now; given only by GET /v1/publications/{publicationId}.</param>
/// <param name="UnrecognisablePupilIds">Those of `pupilIds` shown unrecognisable (blurred, from behind); empty when every pupil is recognisable.</param>
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
    PublicationCheckResponse? AsKnownNow,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<Guid> UnrecognisablePupilIds);

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
/// <param name="UnrecognisablePupilIds">The pupils declared shown unrecognisable: they needed no consent.</param>
/// <param name="DeclaredByClientId">The API client that declared them; null when every pupil is recognisable.</param>
/// <param name="DeclaredBy">The person the client named as declaring it, if any.</param>
public sealed record StoredPublicationCheck(
    Guid CheckId,
    bool Allowed,
    DateTimeOffset At,
    DateTimeOffset AsKnownAt,
    MediaType MediaType,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    bool PublishedWithoutCheck,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<PupilCheckResult> Pupils,
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<Guid> UnrecognisablePupilIds,
    Guid? DeclaredByClientId,
    [property: MaxLength(FieldLengths.Name)] string? DeclaredBy);

internal static class PublicationMapping
{
    /// <summary>
    /// The publication with the summary of its stored check; with the whole check when <paramref name="withCheck"/>, and
    /// <paramref name="asKnownNow"/> when given.
    /// </summary>
    public static PublicationResponse ToResponse(this Publication p, bool withCheck = false, PublicationCheckResponse? asKnownNow = null) =>
        new(p.Id, p.SchoolId, p.ChannelKey, p.MediaType, p.Title, p.Url, p.Location, p.PublishedAt, p.RegisteredAt,
            p.PublishedWithoutCheck, p.Status, p.RemovedAt, p.RemovalNote, p.Pupils.Select(x => x.PupilId).Order().ToList(),
            p.Check?.Id, p.Check?.Allowed, withCheck && p.Check is { } check ? check.ToResponse() : null, asKnownNow,
            p.Pupils.Where(x => !x.Recognisable).Select(x => x.PupilId).Order().ToList());

    public static StoredPublicationCheck ToResponse(this PublicationCheck c) =>
        new(c.Id, c.Allowed, c.At, c.AsKnownAt, c.MediaType, c.ChannelKey, c.PublishedWithoutCheck,
            c.Pupils.OrderBy(x => x.PupilId).Select(x => new PupilCheckResult(x.PupilId, x.State, x.Reason, x.Allowed)).ToList(),
            c.Pupils.Where(x => !x.Recognisable).Select(x => x.PupilId).Order().ToList(), c.UnrecognisableDeclaredByClientId,
            c.UnrecognisableDeclaredBy);
}
