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

public sealed class GetConsentOverviewHandler(ConsentDbContext db, ConsentFactsReader reader, CurrentClient client, TimeProvider clock)
    : IQueryHandler<GetConsentOverviewQuery, ConsentOverviewResponse>
{
    public async ValueTask<ConsentOverviewResponse> Handle(GetConsentOverviewQuery query, CancellationToken ct)
    {
        var (at, asKnownAt) = ConsentFactQueries.MomentsOf(query.At, query.AsKnownAt, clock);
        var group = await (from g in db.Groups.AsNoTracking()
                           join s in db.Schools.VisibleTo(client) on g.SchoolId equals s.Id
                           where g.Id == query.GroupId && g.SchoolId == query.SchoolId
                           select new { g.Id, g.Name, g.SchoolYear, SchoolId = s.Id, SchoolName = s.Name, s.OrganisationId })
                        .SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException("Group", query.GroupId);

        var pupilIds = await reader.PupilsOfGroupAsync(group.Id, at, asKnownAt, ct);
        var facts = await reader.ReadAsync(new FactsRequest(group.OrganisationId, pupilIds, [group.SchoolId], null, at, asKnownAt), ct);

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
        var timeZone = facts.Pupils.Values.FirstOrDefault()?.Policy.TimeZone
                       ?? (await db.Organisations.Where(o => o.Id == group.OrganisationId).Select(o => o.TimeZone).SingleAsync(ct));
        return new ConsentOverviewResponse(group.SchoolId, group.SchoolName, group.Id, group.Name, group.SchoolYear, at, asKnownAt,
            timeZone, columns, rows);
    }
}
