using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <summary>A class sheet: every pupil of a group against every media type and channel, at a moment.</summary>
/// <param name="TimeZone">The organisation's time zone at the moment: the printed sheet shows its moment in it.</param>
/// <param name="Columns">The items, in the order each pupil's cells follow: photo, film, audio; channels by key.</param>
/// <param name="Pupils">The pupils in the group at the moment (as known then), sorted by name.</param>
public sealed record ConsentOverviewResponse(
    Guid SchoolId,
    [property: MaxLength(FieldLengths.Name)] string SchoolName,
    Guid GroupId,
    [property: MaxLength(FieldLengths.GroupName)] string GroupName,
    [property: MaxLength(FieldLengths.SchoolYear)] string SchoolYear,
    DateTimeOffset At,
    DateTimeOffset AsKnownAt,
    [property: MaxLength(FieldLengths.TimeZone)] string TimeZone,
    [property: MaxLength(300)] IReadOnlyList<OverviewColumn> Columns,
    [property: MaxLength(2000)] IReadOnlyList<OverviewPupil> Pupils);

/// <summary>One item of the sheet.</summary>
public sealed record OverviewColumn(
    MediaType MediaType,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    [property: MaxLength(FieldLengths.ChannelName)] string ChannelName);

/// <summary>One pupil's row of the sheet.</summary>
public sealed record OverviewPupil(
    Guid PupilId,
    [property: MaxLength(FieldLengths.ExternalId)] string ExternalId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    [property: MaxLength(300)] IReadOnlyList<OverviewCell> Cells);

/// <summary>One pupil's consent for one item.</summary>
public sealed record OverviewCell(
    MediaType MediaType,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    ConsentState State,
    [property: MaxLength(FieldLengths.Reason), OneOf(typeof(ConsentReason))] string Reason,
    bool Allowed);

public sealed record GetConsentOverviewQuery(Guid SchoolId, Guid GroupId, DateTimeOffset? At, DateTimeOffset? AsKnownAt = null)
    : IQuery<ConsentOverviewResponse>;

public sealed class GetConsentOverviewHandler(ConsentFactsReader reader, CurrentClient client, TimeProvider clock)
    : IQueryHandler<GetConsentOverviewQuery, ConsentOverviewResponse>
{
    public async ValueTask<ConsentOverviewResponse> Handle(GetConsentOverviewQuery query, CancellationToken ct)
    {
        var (at, asKnownAt) = ConsentFactQueries.MomentsOf(query.At, query.AsKnownAt, clock);
        // The group, its pupils at the moment and their facts in one round trip.
        var facts = client.MaySee(query.SchoolId)
            ? await reader.ReadAsync(new FactsRequest(client.OrganisationId, [], [query.SchoolId], null, at, asKnownAt) { GroupId = query.GroupId }, ct)
            : null;
        var group = facts?.Group ?? throw new NotFoundException("Group", query.GroupId);

        var columns = facts.ChannelItems.InReadingOrder()
            .Select(i => new OverviewColumn(i.MediaType, i.ChannelKey, facts.Channels[i.ChannelKey].NameNl))
            .ToList();
        var rows = facts.Pupils.Values
            .OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.Id)
            .Select(p => new OverviewPupil(p.Id, p.ExternalId, p.DisplayName, columns.Select(c =>
            {
                var consent = facts.Evaluate(p.Id, (c.MediaType, c.Channel));
                return new OverviewCell(c.MediaType, c.Channel, consent.State, consent.Reason, consent.Allowed);
            }).ToList()))
            .ToList();
        return new ConsentOverviewResponse(group.SchoolId, group.SchoolName, group.Id, group.Name, group.SchoolYear, at, asKnownAt,
            group.TimeZone, columns, rows);
    }
}
