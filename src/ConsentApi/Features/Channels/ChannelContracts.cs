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
/// <param name="RetiredAt">When the channel was retired; a retired channel keeps its history but takes no new form items.</param>
public sealed record ChannelResponse(
    Guid Id,
    [property: MaxLength(FieldLengths.ChannelKey)] string Key,
    [property: MaxLength(FieldLengths.ChannelName)] string NameNl,
    [property: MaxLength(FieldLengths.ChannelName)] string? NameEn,
    ChannelAudience Audience,
    DateTimeOffset? RetiredAt);

/// <summary>A channel's names and audience.</summary>
/// <param name="NameNl">The name in Dutch, e.g. "Regionale pers".</param>
/// <param name="NameEn">The name in English, e.g. "Regional press".</param>
/// <param name="Audience">`public` or `closed`.</param>
public sealed record ChannelRequest(
    [property: Required, StringLength(FieldLengths.ChannelName, MinimumLength = 2)] string NameNl,
    [property: StringLength(FieldLengths.ChannelName, MinimumLength = 2)] string? NameEn,
    [property: Required] ChannelAudience? Audience);

/// <summary>A new channel of the organisation.</summary>
/// <param name="Key">Lower-case words joined by hyphens, e.g. `regional-press`; unique in the organisation and never changed.</param>
public sealed record CreateChannelRequest(
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2), RegularExpression(CreateChannelRequest.KeyPattern)] string Key,
    [property: Required, StringLength(FieldLengths.ChannelName, MinimumLength = 2)] string NameNl,
    [property: StringLength(FieldLengths.ChannelName, MinimumLength = 2)] string? NameEn,
    [property: Required] ChannelAudience? Audience)
{
    public const string KeyPattern = "^[a-z0-9]+(-[a-z0-9]+)*$";
}

[Mapper]
public static partial class ChannelMapper
{
    [MapperIgnoreSource(nameof(Channel.OrganisationId))]
    public static partial ChannelResponse ToResponse(this Channel channel);

    public static partial IQueryable<ChannelResponse> ProjectToResponse(this IQueryable<Channel> channels);
}
