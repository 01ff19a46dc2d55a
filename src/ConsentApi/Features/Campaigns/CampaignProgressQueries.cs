using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ConsentApi.Features.Campaigns;

/// <summary>
/// Per requested pupil: how many of the form's items are answered by whoever decides, and whom to remind. Under 16 an item
/// is answered when a guardian with parental authority answered it, or, under the organisation's `all-guardians` policy,
/// when every one of them did; from 16 when the pupil did. Counted by the database in one statement per read, however
/// many pupils the campaign asks; the 16th birthday is not spelled in SQL: the calendar gives the last date of birth of
/// a 16-year-old today, and the statement compares dates.
/// </summary>
internal static class CampaignProgressQueries
{
    /// <summary>What a read of progress needs to know besides the campaign: the policy and the last birth date of a 16-year-old.</summary>
    public sealed record ProgressContext(Campaign Campaign, DateOnly Today, bool EveryGuardian, DateOnly LastBirthDateSixteen);

    /// <param name="DecidesThemself">The pupil is 16 or older today: only their own answers count, and they are the one to remind.</param>
    /// <param name="Remind">The guardians with parental authority who still have to answer: all of them under `any-guardian` (one answer completes an item for everybody), those who have not answered every item under `all-guardians`; none from 16.</param>
    public sealed record RequestState(
        Guid PupilId, string ExternalId, string DisplayName, Guid? GroupId, bool DecidesThemself,
        List<(Guid GuardianId, string ExternalId)> Remind, int Answered, int Items);

    public static async Task<ProgressContext> ContextAsync(this ConsentDbContext db, Campaign campaign, DateTimeOffset now, CancellationToken ct)
    {
        var organisation = await db.Organisations.Where(o => o.Id == campaign.OrganisationId)
            .Select(o => new { o.TimeZone, o.GrantRequires }).SingleAsync(ct);
        var today = ConsentCalendar.For(organisation.TimeZone).DayOf(now);
        return new ProgressContext(campaign, today, organisation.GrantRequires == GrantRequires.AllGuardians,
            ConsentCalendar.LastBirthDateSixteenOn(today));
    }

    // The one spelling of "answered" ($1 campaign, $2 its form version, $3 the last birth date of a 16-year-old today,
    // $4 whether every guardian with authority must answer). answers: each item answered under the form version, once per
    // person who counts (the pupil from 16, else a guardian with parental authority now); items_answered: per pupil the
    // items answered by the pupil, by any such guardian, or under all-guardians by every one of them; states: per pupil.
    // A pupil's decisions are read from the decisions index (pupil first), which covers the form version. The requested
    // pupils can be narrowed (a page of non-responders counts only the pupils after its cursor).
    private static string States(string requestedFilter = "") => $$"""
        WITH form AS (SELECT count(*)::int AS items FROM consent_form_items WHERE version_id = $2),
        requested AS (
            SELECT p.id, p.external_id, p.display_name, p.group_id, p.date_of_birth <= $3 AS own
            FROM consent_requests r JOIN pupils p ON p.id = r.pupil_id
            WHERE r.campaign_id = $1 {{requestedFilter}}),
        authority AS (
            SELECT l.pupil_id, l.guardian_id
            FROM requested q JOIN guardian_links l ON l.pupil_id = q.id AND l.has_parental_authority
            WHERE NOT q.own),
        answers AS (
            SELECT DISTINCT d.pupil_id, d.media_type, d.channel_key, d.guardian_id
            FROM requested q
            JOIN decisions d ON d.pupil_id = q.id AND d.form_version_id = $2
            LEFT JOIN authority a ON a.pupil_id = d.pupil_id AND a.guardian_id = d.guardian_id
            WHERE (q.own AND d.guardian_id IS NULL) OR a.guardian_id IS NOT NULL),
        items_answered AS (
            SELECT i.pupil_id, count(*)::int AS answered
            FROM (SELECT pupil_id, media_type, channel_key, count(*) AS people FROM answers GROUP BY pupil_id, media_type, channel_key) i
            JOIN requested q ON q.id = i.pupil_id
            LEFT JOIN (SELECT pupil_id, count(*) AS people FROM authority GROUP BY pupil_id) n ON n.pupil_id = i.pupil_id
            WHERE q.own OR NOT $4 OR i.people = n.people
            GROUP BY i.pupil_id),
        states AS (
            SELECT q.id, q.external_id, q.display_name, q.group_id, q.own, coalesce(a.answered, 0) AS answered, f.items
            FROM requested q CROSS JOIN form f LEFT JOIN items_answered a ON a.pupil_id = q.id)
        """;

    /// <summary>Per group: requested, answered fully, answered partly, not answered.</summary>
    private static readonly string ProgressPerGroup = States() + "\n" + """
        SELECT s.group_id, g.name, count(*)::int,
               count(*) FILTER (WHERE s.answered >= s.items)::int,
               count(*) FILTER (WHERE s.answered > 0 AND s.answered < s.items)::int,
               count(*) FILTER (WHERE s.answered = 0)::int
        FROM states s LEFT JOIN groups g ON g.id = s.group_id
        GROUP BY s.group_id, g.name
        """;

    /// <summary>
    /// The order of the non-responders, which their cursor follows: by name ignoring case (upper-cased, then compared by
    /// code point, as .NET's ordinal-ignore-case compared them before the list was paged), then by id, which is unique:
    /// pupils of the same name keep one order from page to page.
    /// </summary>
    private static string ListOrder(string pupils) => $"""upper({pupils}.display_name) COLLATE "C", {pupils}.id""";

    /// <summary>
    /// The pupils not fully answered, one row per guardian to remind (one row with none when there is nobody), in
    /// <see cref="ListOrder"/>: only those after the pupil named by $5 (name) and $6 (id) when $6 is not null, and at most
    /// $7 of them when $7 is not null (a null limit is the whole list).
    /// </summary>
    private static readonly string NotFullyAnswered = States(
        $"""AND ($6::uuid IS NULL OR ({ListOrder("p")}) > (upper($5::text) COLLATE "C", $6::uuid))""") + "\n" + $$"""
        , per_guardian AS (
            SELECT pupil_id, guardian_id, count(*)::int AS answered FROM answers WHERE guardian_id IS NOT NULL GROUP BY pupil_id, guardian_id),
        page AS (
            SELECT s.* FROM states s WHERE s.answered < s.items ORDER BY {{ListOrder("s")}} LIMIT $7::int)
        SELECT s.id, s.external_id, s.display_name, s.group_id, s.own, s.answered, s.items, r.id, r.external_id
        FROM page s
        LEFT JOIN (
            SELECT a.pupil_id, g.id, g.external_id
            FROM authority a
            JOIN guardians g ON g.id = a.guardian_id
            LEFT JOIN per_guardian pg ON pg.pupil_id = a.pupil_id AND pg.guardian_id = a.guardian_id
            CROSS JOIN form f
            WHERE NOT $4 OR coalesce(pg.answered, 0) < f.items) r ON r.pupil_id = s.id
        ORDER BY {{ListOrder("s")}}
        """;

    /// <summary>The campaign's progress per group (pupils without a group under a null group), in one statement.</summary>
    public static async Task<List<(Guid? GroupId, string? GroupName, CampaignProgress Progress)>> ProgressPerGroupAsync(
        this ConsentDbContext db, ProgressContext context, CancellationToken ct)
    {
        var groups = new List<(Guid? GroupId, string? GroupName, CampaignProgress Progress)>();
        await db.ReadAsync(ProgressPerGroup, context, async reader =>
        {
            groups.Add((await reader.IsDBNullAsync(0, ct) ? null : reader.GetGuid(0), await reader.IsDBNullAsync(1, ct) ? null : reader.GetString(1),
                new CampaignProgress(reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5))));
        }, ct);
        return groups;
    }

    /// <summary>
    /// The requests not fully answered, with whom to remind, in one statement: in the list's order, those after the pupil
    /// <paramref name="after"/> names (by that pupil's name and id), at most <paramref name="take"/> of them (null: all).
    /// </summary>
    public static async Task<List<RequestState>> NotFullyAnsweredAsync(this ConsentDbContext db, ProgressContext context,
        (string DisplayName, Guid PupilId)? after, int? take, CancellationToken ct)
    {
        var states = new List<RequestState>();
        await db.ReadAsync(NotFullyAnswered, context, async reader =>
        {
            // A pupil's rows (one per guardian to remind) come together: the statement orders by pupil.
            var pupilId = reader.GetGuid(0);
            if (states.Count == 0 || states[^1].PupilId != pupilId)
            {
                states.Add(new RequestState(pupilId, reader.GetString(1), reader.GetString(2), await reader.IsDBNullAsync(3, ct) ? null : reader.GetGuid(3),
                    reader.GetBoolean(4), [], reader.GetInt32(5), reader.GetInt32(6)));
            }
            if (!await reader.IsDBNullAsync(7, ct))
            {
                states[^1].Remind.Add((reader.GetGuid(7), reader.GetString(8)));
            }
        }, ct,
            new() { Value = (object?)after?.DisplayName ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            new() { Value = (object?)after?.PupilId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
            new() { Value = (object?)take ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        return states;
    }

    public static CampaignProgress Sum(IEnumerable<CampaignProgress> groups)
    {
        var list = groups.ToList();
        return new CampaignProgress(list.Sum(g => g.Requested), list.Sum(g => g.AnsweredFully), list.Sum(g => g.AnsweredPartly),
            list.Sum(g => g.NotAnswered));
    }

    /// <summary>Runs one of the statements above on the context's connection, in its transaction when there is one.</summary>
    private static async Task ReadAsync(this ConsentDbContext db, string sql, ProgressContext context, Func<NpgsqlDataReader, Task> row, CancellationToken ct,
        params NpgsqlParameter[] more)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection())
            {
                Transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction,
                Parameters =
                {
                    new() { Value = context.Campaign.Id, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new() { Value = context.Campaign.FormVersionId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new() { Value = context.LastBirthDateSixteen, NpgsqlDbType = NpgsqlDbType.Date },
                    new() { Value = context.EveryGuardian, NpgsqlDbType = NpgsqlDbType.Boolean },
                },
            };
            command.Parameters.AddRange(more);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                await row(reader);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Asks every active pupil of the school who has no request yet in the school's open campaigns.</summary>
    public static async Task AddRequestsForOpenCampaignsAsync(
        this ConsentDbContext db, Guid organisationId, Guid schoolId, DateTimeOffset now, CancellationToken ct)
    {
        var today = (await db.CalendarAsync(organisationId, ct)).DayOf(now);
        var open = await db.Campaigns.Where(c => c.SchoolId == schoolId && c.ClosedAt == null && c.OpensOn <= today && c.ClosesOn >= today)
            .Select(c => c.Id).ToListAsync(ct);
        foreach (var campaignId in open)
        {
            var missing = await db.Pupils
                .Where(p => p.SchoolId == schoolId && p.Status == PupilStatus.Active
                            && !db.ConsentRequests.Any(r => r.CampaignId == campaignId && r.PupilId == p.Id))
                .Select(p => p.Id).ToListAsync(ct);
            db.ConsentRequests.AddRange(missing.Select(id => new ConsentRequest { CampaignId = campaignId, PupilId = id, CreatedAt = now }));
        }
    }
}
