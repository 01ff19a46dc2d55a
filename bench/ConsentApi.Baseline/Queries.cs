using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using Npgsql;

namespace ConsentApi.Baseline;

/// <summary>The organisation whose data the baseline serves (it authenticates nobody).</summary>
public sealed record Tenant(Guid OrganisationId);

/// <summary>
/// The API's reads, by hand: the same facts statements (<see cref="ConsentFactsReader"/> on a plain connection), the same
/// rules, the same response records; none of the layers around them.
/// </summary>
public static class Queries
{
    public static async Task<PublicationCheckResponse?> CheckAsync(NpgsqlDataSource db, Tenant tenant, CheckPublicationRequest request, CancellationToken ct)
    {
        var at = Now();
        var item = (request.MediaType!.Value, request.Channel);
        var pupilIds = request.PupilIds.Distinct().ToList();
        await using var connection = await db.OpenConnectionAsync(ct);
        var facts = await ConsentFactsReader.ReadAsync(connection, null,
            new FactsRequest(tenant.OrganisationId, pupilIds, null, item, at, at), ct);
        if (pupilIds.Any(id => !facts.Pupils.ContainsKey(id)))
        {
            return null;
        }
        var results = pupilIds.Select(id =>
        {
            var consent = facts.Evaluate(id, item);
            return new PupilCheckResult(id, consent.State, consent.Reason, consent.Allowed);
        }).ToList();
        return new PublicationCheckResponse(results.All(r => r.Allowed), at, at, item.Item1, item.Channel, results);
    }

    public static async Task<ConsentMatrixResponse?> MatrixAsync(NpgsqlDataSource db, Tenant tenant, Guid pupilId, CancellationToken ct)
    {
        var at = Now();
        await using var connection = await db.OpenConnectionAsync(ct);
        var facts = await ConsentFactsReader.ReadAsync(connection, null, new FactsRequest(tenant.OrganisationId, [pupilId], null, null, at, at) { WithDecisionDetails = true }, ct);
        if (!facts.Pupils.ContainsKey(pupilId))
        {
            return null;
        }
        var items = facts.ChannelItems.Concat(facts.ItemsOf(pupilId)).Distinct()
            .OrderBy(i => i.MediaType).ThenBy(i => i.Channel, StringComparer.Ordinal);
        var pupil = facts.Pupils[pupilId];
        var pupilIs16 = pupil.Policy.Calendar.IsSixteen(pupil.DateOfBirth, at);
        return new ConsentMatrixResponse(pupilId, at, at, items.Select(item =>
        {
            var result = facts.Evaluate(pupilId, item);
            var basis = result.Basis.Select(b => b.Id).ToHashSet();
            return new ConsentItemState(item.MediaType, item.Channel, result.State, result.Reason, result.Allowed,
                facts.DecisionsOf(pupilId, item).Where(r => basis.Contains(r.Id) || (pupilIs16 && r.GuardianId is not null))
                    .Select(r => r.ToResponse(pupilIs16)).ToList());
        }).ToList());
    }

    public static async Task<ConsentOverviewResponse?> OverviewAsync(NpgsqlDataSource db, Tenant tenant, Guid schoolId, Guid groupId, CancellationToken ct)
    {
        var at = Now();
        await using var connection = await db.OpenConnectionAsync(ct);
        var facts = await ConsentFactsReader.ReadAsync(connection, null,
            new FactsRequest(tenant.OrganisationId, [], [schoolId], null, at, at) { GroupId = groupId }, ct);
        if (facts.Group is not { } g)
        {
            return null;
        }

        var columns = facts.ChannelItems.Distinct().OrderBy(i => i.MediaType).ThenBy(i => i.Channel, StringComparer.Ordinal)
            .Select(i => new OverviewColumn(i.MediaType, i.Channel, facts.Channels[i.Channel].NameNl))
            .ToList();
        var sheet = facts.Pupils.Values
            .OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.Id)
            .Select(p => new OverviewPupil(p.Id, p.ExternalId, p.DisplayName, columns.Select(c =>
            {
                var consent = facts.Evaluate(p.Id, (c.MediaType, c.Channel));
                return new OverviewCell(c.MediaType, c.Channel, consent.State, consent.Reason, consent.Allowed);
            }).ToList()))
            .ToList();
        return new ConsentOverviewResponse(schoolId, g.SchoolName, groupId, g.Name, g.SchoolYear, at, at, g.TimeZone, columns, sheet);
    }

    /// <summary>Now, to the microsecond PostgreSQL keeps, as the API's clock gives it.</summary>
    private static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
