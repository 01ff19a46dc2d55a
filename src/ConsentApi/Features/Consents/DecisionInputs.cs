using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace ConsentApi.Features.Consents;

/// <summary>
/// What <see cref="DecisionRecorder"/> checks a decision against, read in one batch of statements under the pupil's lock:
/// the pupil (if the caller may see it) with its organisation's name, its enrolment and the organisation's policy at the
/// moment given, the form version with its items, the deciding guardian's visibility and authority now and then, and the
/// names of the organisation's channels (for the receipt).
/// </summary>
internal sealed class DecisionInputs
{
    public sealed record PupilFacts(Guid SchoolId, DateOnly DateOfBirth, DateTimeOffset? ErasedAt, string OrganisationName);

    public sealed record WhenGivenFacts(PupilStatus Status, ConsentPolicy Policy);

    public sealed record VersionFacts(
        Guid Id, Guid FormId, Guid? SchoolId, int Number, FormVersionStatus Status, DateTimeOffset? PublishedAt, DateTimeOffset? SupersededAt,
        DateTimeOffset? WithdrawnAt, ConsentValidity Validity, string? SchoolYear, bool HasEnglishText, string ContentHash,
        List<(MediaType MediaType, string Channel)> Items);

    public sealed record GuardianFacts(bool Visible, bool? AuthorityNow, bool? AuthorityThen);

    public PupilFacts? Pupil { get; private set; }
    public WhenGivenFacts? WhenGiven { get; private set; }
    public VersionFacts? Version { get; private set; }
    public GuardianFacts? Guardian { get; private set; }
    public Dictionary<string, string> ChannelNames { get; } = new(StringComparer.Ordinal);

    public static DecisionInputs AddTo(ReadBatch batch, CurrentClient client, Guid pupilId, RecordDecisionsRequest request, DateTimeOffset givenAt)
    {
        var inputs = new DecisionInputs();
        var organisationId = client.OrganisationId;
        var schools = new NpgsqlParameter
        {
            Value = client.IsLimitedToSchools ? client.SchoolIds.ToArray() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid,
        };
        batch.Add("""
            SELECT p.school_id, p.date_of_birth, p.erased_at, o.name
            FROM pupils p JOIN organisations o ON o.id = p.organisation_id
            WHERE p.id = $1 AND p.organisation_id = $2 AND ($3::uuid[] IS NULL OR p.school_id = ANY($3))
            """, [pupilId, organisationId, schools], async (reader, ct) =>
        {
            if (await reader.ReadAsync(ct))
            {
                inputs.Pupil = new PupilFacts(reader.GetGuid(0), reader.GetFieldValue<DateOnly>(1),
                    await reader.IsDBNullAsync(2, ct) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3));
            }
        });
        batch.Add("""
            SELECT e.status, pol.grant_requires, pol.school_year_end_month, pol.school_year_end_day, pol.time_zone
            FROM (SELECT status FROM pupil_enrolments WHERE pupil_id = $1 AND valid_from <= $3
                  ORDER BY valid_from DESC, id DESC LIMIT 1) e
            CROSS JOIN (SELECT grant_requires, school_year_end_month, school_year_end_day, time_zone FROM policy_changes
                  WHERE organisation_id = $2 AND valid_from <= $3
                  ORDER BY valid_from DESC, id DESC LIMIT 1) pol
            """, [pupilId, organisationId, givenAt], async (reader, ct) =>
        {
            if (await reader.ReadAsync(ct))
            {
                inputs.WhenGiven = new WhenGivenFacts(Enum.Parse<PupilStatus>(reader.GetString(0)),
                    new ConsentPolicy(Enum.Parse<GrantRequires>(reader.GetString(1)), reader.GetInt32(2), reader.GetInt32(3), reader.GetString(4)));
            }
        });
        batch.Add("""
            SELECT v.id, v.form_id, f.school_id, v.number, v.status, v.published_at, v.superseded_at, v.withdrawn_at, v.validity,
                   v.school_year, v.text_en IS NOT NULL, v.content_hash, i.media_type, i.channel_key
            FROM consent_form_versions v
            JOIN consent_forms f ON f.id = v.form_id AND f.organisation_id = $2
            LEFT JOIN consent_form_items i ON i.version_id = v.id
            WHERE v.id = $1
            """, [request.FormVersionId!.Value, organisationId], async (reader, ct) =>
        {
            while (await reader.ReadAsync(ct))
            {
                inputs.Version ??= new VersionFacts(reader.GetGuid(0), reader.GetGuid(1), await reader.IsDBNullAsync(2, ct) ? null : reader.GetGuid(2),
                    reader.GetInt32(3), Enum.Parse<FormVersionStatus>(reader.GetString(4)), NullableMoment(reader, 5), NullableMoment(reader, 6),
                    NullableMoment(reader, 7), Enum.Parse<ConsentValidity>(reader.GetString(8)),
                    await reader.IsDBNullAsync(9, ct) ? null : reader.GetString(9), reader.GetBoolean(10),
                    await reader.IsDBNullAsync(11, ct) ? "" : reader.GetString(11), []);
                if (!await reader.IsDBNullAsync(12, ct))
                {
                    inputs.Version.Items.Add((Enum.Parse<MediaType>(reader.GetString(12)), reader.GetString(13)));
                }
            }
        });
        if (request.DecidedBy == DecidedBy.Guardian && request.GuardianId is { } guardianId)
        {
            batch.Add("""
                SELECT EXISTS (
                           SELECT 1 FROM guardians g
                           WHERE g.id = $1 AND g.organisation_id = $3
                             AND ($4::uuid[] IS NULL
                                  OR EXISTS (SELECT 1 FROM guardian_schools k WHERE k.guardian_id = g.id AND k.school_id = ANY($4)))),
                       (SELECT has_parental_authority FROM guardian_links WHERE pupil_id = $2 AND guardian_id = $1),
                       (SELECT has_parental_authority FROM guardian_link_changes
                        WHERE pupil_id = $2 AND guardian_id = $1 AND valid_from <= $5
                        ORDER BY valid_from DESC, id DESC LIMIT 1)
                """, [guardianId, pupilId, organisationId, schools.Clone(), givenAt], async (reader, ct) =>
            {
                await reader.ReadAsync(ct);
                inputs.Guardian = new GuardianFacts(reader.GetBoolean(0),
                    await reader.IsDBNullAsync(1, ct) ? null : reader.GetBoolean(1), await reader.IsDBNullAsync(2, ct) ? null : reader.GetBoolean(2));
            });
        }
        batch.Add("SELECT key, name_nl FROM channels WHERE organisation_id = $1", [organisationId], async (reader, ct) =>
        {
            while (await reader.ReadAsync(ct))
            {
                inputs.ChannelNames[reader.GetString(0)] = reader.GetString(1);
            }
        });
        return inputs;
    }

    private static DateTimeOffset? NullableMoment(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
