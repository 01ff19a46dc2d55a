using System.Text.Json;
using Npgsql;

namespace ConsentApi.Bench;

/// <summary>The requests each scenario cycles through, drawn from the data set in a fixed pseudo-random order.</summary>
public static class Workloads
{
    private static readonly string[] MediaTypes = ["photo", "film", "audio"];

    /// <summary>Checks of 30 pupils of one school (a class photo), over 200 groups and all 15 items.</summary>
    public static async Task<List<WorkRequest>> PublicationChecksAsync(NpgsqlConnection db)
    {
        var groups = await GroupsAsync(db);
        var checks = new List<WorkRequest>();
        foreach (var (schoolId, groupId) in groups)
        {
            var pupils = await Sql.ListAsync(db, $"""
                SELECT id FROM pupils WHERE school_id = '{schoolId}' AND status = 'Active'
                ORDER BY group_id = '{groupId}' DESC, md5(id::text) LIMIT 30
                """, r => r.GetGuid(0));
            var item = checks.Count;
            checks.Add(new WorkRequest("POST", "/v1/publication-checks", JsonSerializer.Serialize(new
            {
                pupilIds = pupils,
                mediaType = MediaTypes[item % 3],
                channel = DataSet.Channels[item / 3 % 5],
            })));
        }
        return checks;
    }

    public static async Task<List<WorkRequest>> ConsentMatricesAsync(NpgsqlConnection db) =>
        (await Sql.ListAsync(db, "SELECT id FROM pupils WHERE status = 'Active' ORDER BY md5(id::text) LIMIT 500", r => r.GetGuid(0)))
        .Select(id => new WorkRequest("GET", $"/v1/pupils/{id}/consents", null))
        .ToList();

    public static async Task<List<WorkRequest>> ClassOverviewsAsync(NpgsqlConnection db) =>
        (await GroupsAsync(db))
        .Select(g => new WorkRequest("GET", $"/v1/schools/{g.SchoolId}/groups/{g.GroupId}/consent-overview", null))
        .ToList();

    /// <summary>A guardian answering all 15 items in the parents' app, for 2,000 different guardian–pupil pairs.</summary>
    public static async Task<List<WorkRequest>> DecisionsAsync(NpgsqlConnection db, Guid formVersionId)
    {
        var pairs = await Sql.ListAsync(db, """
            SELECT l.pupil_id, l.guardian_id FROM guardian_links l JOIN pupils p ON p.id = l.pupil_id
            WHERE l.has_parental_authority AND p.status = 'Active'
            ORDER BY md5(l.pupil_id::text || l.guardian_id::text) LIMIT 2000
            """, r => (PupilId: r.GetGuid(0), GuardianId: r.GetGuid(1)));
        return pairs.Select((pair, n) => new WorkRequest("POST", $"/v1/pupils/{pair.PupilId}/decisions", JsonSerializer.Serialize(new
        {
            formVersionId,
            decidedBy = "guardian",
            guardianId = pair.GuardianId,
            method = "parent-app",
            items = MediaTypes.SelectMany(m => DataSet.Channels.Select(c => new { mediaType = m, channel = c }))
                .Select((item, i) => new { item.mediaType, item.channel, outcome = (i + n) % 7 == 0 ? "refused" : "granted" })
                .ToArray(),
        }))).ToList();
    }

    private static Task<List<(Guid SchoolId, Guid GroupId)>> GroupsAsync(NpgsqlConnection db) =>
        Sql.ListAsync(db, "SELECT school_id, id FROM groups ORDER BY md5(id::text) LIMIT 200", r => (r.GetGuid(0), r.GetGuid(1)));
}
