using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Domain.Publishing;
using ConsentApi.Infrastructure.Contract;

namespace ConsentApi.Features.Takedowns;

/// <summary>A task to take a publication down because consent ended for pupils shown in it.</summary>
/// <param name="Status">`open` until someone takes the item down, then `done`; a `do-not-reprint` takedown ends `acknowledged`.</param>
/// <param name="Kind">`removal`: take the item down. `do-not-reprint`: the item is on a channel that cannot be recalled
/// (printed matter already handed out); do not reprint it or hand it out again.</param>
/// <param name="Pupils">The pupils whose consent no longer allows the publication, each with the state and reason found.</param>
public sealed record TakedownResponse(
    Guid Id,
    Guid SchoolId,
    Guid PublicationId,
    TakedownStatus Status,
    TakedownKind Kind,
    DateTimeOffset OpenedAt,
    DateTimeOffset? CompletedAt,
    [property: MaxLength(FieldLengths.Name)] string? CompletedBy,
    [property: MaxLength(FieldLengths.Note)] string? CompletionNote,
    [property: MaxLength(200)] IReadOnlyList<TakedownPupilResponse> Pupils);

public sealed record TakedownPupilResponse(
    Guid PupilId,
    ConsentState State,
    [property: MaxLength(FieldLengths.Reason), OneOf(typeof(ConsentReason))] string Reason,
    DateTimeOffset AddedAt);

internal static class TakedownMapping
{
    public static TakedownResponse ToResponse(this Takedown t) => new(t.Id, t.SchoolId, t.PublicationId, t.Status, t.Kind, t.OpenedAt,
        t.CompletedAt, t.CompletedBy, t.CompletionNote,
        t.Pupils.OrderBy(p => p.AddedAt).ThenBy(p => p.PupilId).Select(p => new TakedownPupilResponse(p.PupilId, p.State, p.Reason, p.AddedAt)).ToList());
}
