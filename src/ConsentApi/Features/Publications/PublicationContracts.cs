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

/// <summary>A registered publication.</summary>
/// <param name="Status">`online`, or `removed` once taken down or withdrawn from the register.</param>
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
    [property: MaxLength(CheckPublicationRequest.MaxPupils)] IReadOnlyList<Guid> PupilIds);

/// <summary>Why a publication is withdrawn from the register.</summary>
public sealed record RemovePublicationRequest([property: StringLength(FieldLengths.Note, MinimumLength = 1)] string? Note);

internal static class PublicationMapping
{
    public static PublicationResponse ToResponse(this Publication p) => new(p.Id, p.SchoolId, p.ChannelKey, p.MediaType, p.Title,
        p.Url, p.Location, p.PublishedAt, p.RegisteredAt, p.PublishedWithoutCheck, p.Status, p.RemovedAt, p.RemovalNote,
        p.Pupils.Select(x => x.PupilId).Order().ToList());
}
