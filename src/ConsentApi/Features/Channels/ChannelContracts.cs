using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using Riok.Mapperly.Abstractions;

namespace ConsentApi.Features.Channels;

/// <summary>Where material is published.</summary>
/// <param name="Key">The channel's identifier within the organisation, e.g. `social-media`. Never changes.</param>
/// <param name="NameNl">The name in Dutch, as shown to guardians.</param>
/// <param name="NameEn">The name in English, if any.</param>
/// <param name="Audience">`public` (anyone can see it) or `closed` (only the school community).</param>
/// <param name="Recall">`removable`, or `not-recallable` for printed matter: its takedowns ask not to reprint or hand out again.</param>
/// <param name="RetiredAt">When the channel was retired; a retired channel keeps its history but takes no new form items.</param>
public sealed record ChannelResponse(
    Guid Id,
    [property: MaxLength(FieldLengths.ChannelKey)] string Key,
    [property: MaxLength(FieldLengths.ChannelName)] string NameNl,
    [property: MaxLength(FieldLengths.ChannelName)] string? NameEn,
    ChannelAudience Audience,
    DateTimeOffset? RetiredAt,
    ChannelRecall Recall);

[Mapper]
public static partial class ChannelMapper
{
    [MapperIgnoreSource(nameof(Channel.OrganisationId))]
    public static partial ChannelResponse ToResponse(this Channel channel);

    public static partial IQueryable<ChannelResponse> ProjectToResponse(this IQueryable<Channel> channels);
}
