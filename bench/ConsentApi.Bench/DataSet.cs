using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace ConsentApi.Bench;

/// <summary>A benchmark scale: how many schools and pupils one organisation has.</summary>
/// <param name="SyncedSchools">
/// How many schools are synced through the API; the others are copies of them written in SQL (see
/// <see cref="DataSet.GenerateAsync"/>), because 4,000 roster syncs would take most of an hour. Null: every school.
/// </param>
public sealed record Scale(string Name, int Schools, int Pupils, int? SyncedSchools = null)
{
    public static readonly Scale Small = new("small", 13, 3_000);
    public static readonly Scale Large = new("large", 500, 125_000);
    public static readonly Scale Xl = new("xl", 4_000, 1_000_000, SyncedSchools: 40);

    public static Scale Parse(string name) => name switch
    {
        "small" => Small,
        "large" => Large,
        "xl" => Xl,
        _ => throw new ArgumentException($"Unknown scale '{name}': use small, large or xl."),
    };
}

/// <summary>What a generated data set holds that the scenarios need: the organisation, keys and the form version.</summary>
public sealed record DataSetInfo(Guid OrganisationId, string AdminKey, string ClientKey, Guid ClientId, Guid FormVersionId)
{
    public static async Task<DataSetInfo> ReadAsync(NpgsqlConnection db)
    {
        var values = new Dictionary<string, string>();
        await using (var reader = await new NpgsqlCommand("SELECT key, value FROM bench_meta", db).ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                values[reader.GetString(0)] = reader.GetString(1);
            }
        }
        return new DataSetInfo(Guid.Parse(values["organisationId"]), values["adminKey"], values["clientKey"], Guid.Parse(values["clientId"]),
            Guid.Parse(values["formVersionId"]));
    }

    public async Task WriteAsync(NpgsqlConnection db)
    {
        await Sql.ExecuteAsync(db, "CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)");
        foreach (var (key, value) in new Dictionary<string, string>
                 {
                     ["organisationId"] = OrganisationId.ToString(), ["adminKey"] = AdminKey, ["clientKey"] = ClientKey,
                     ["clientId"] = ClientId.ToString(), ["formVersionId"] = FormVersionId.ToString(),
                 })
        {
            await using var insert = new NpgsqlCommand("INSERT INTO bench_meta VALUES ($1, $2)", db) { Parameters = { new() { Value = key }, new() { Value = value } } };
            await insert.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>
/// Builds a data set the way a school board fills the product: the organisation, its client, form and schools through
/// the API, every school's roster through the roster sync, and then a year of guardians' answers (with some
/// withdrawals) written straight into the decisions table, because two million answers through HTTP would take hours.
/// </summary>
public static class DataSet
{
    public const int Seed = 20261124;

    private static readonly string[] MediaTypes = ["photo", "film", "audio"];

    private static readonly string[] ClientScopes = ["roster:read", "roster:write", "consent:read", "consent:write"];

    public static readonly string[] Channels = ["newsletter", "parent-app", "school-guide", "social-media", "website"];

    public static string SchoolYear(DateTime today) =>
        today.Month >= 8 ? $"{today.Year}-{today.Year + 1}" : $"{today.Year - 1}-{today.Year}";

    public static async Task<DataSetInfo> GenerateAsync(Scale scale, Uri api, string bootstrapKey, NpgsqlConnection db, Action<string> log)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromMinutes(5) };
        var organisation = await SendAsync(http, bootstrapKey, HttpMethod.Post, "/v1/organisations", new { name = "Stichting Openbaar Onderwijs Benchmark" });
        var organisationId = (Guid)organisation["organisation"]!["id"]!;
        var adminKey = (string)organisation["adminClient"]!["apiKey"]!;
        var client = await SendAsync(http, adminKey, HttpMethod.Post, "/v1/api-clients", new
        {
            name = "School administration system",
            scopes = ClientScopes,
            schoolIds = Array.Empty<Guid>(),
        });
        var clientKey = (string)client["apiKey"]!;
        var clientId = (Guid)client["client"]!["id"]!;

        var form = await SendAsync(http, adminKey, HttpMethod.Post, "/v1/consent-forms", new { name = "Toestemming beeldmateriaal" });
        await SendAsync(http, adminKey, HttpMethod.Post, $"/v1/consent-forms/{form["id"]}/versions", new
        {
            textNl = "Wij vragen uw toestemming om foto's, films en geluidsopnamen van uw kind te publiceren.",
            validity = "until-withdrawn",
            items = MediaTypes.SelectMany(m => Channels.Select(c => new { mediaType = m, channel = c })).ToArray(),
        });
        var version = await SendAsync(http, adminKey, HttpMethod.Post, $"/v1/consent-forms/{form["id"]}/versions/1/publish", null);
        var versionId = (Guid)version["id"]!;
        await Sql.ExecuteAsync(db, $"UPDATE consent_form_versions SET published_at = now() - interval '400 days' WHERE id = '{versionId}'");

        var random = new Random(Seed);
        var schoolYear = SchoolYear(DateTime.UtcNow);
        var synced = scale.SyncedSchools ?? scale.Schools;
        for (var i = 0; i < synced; i++)
        {
            var school = await SendAsync(http, adminKey, HttpMethod.Post, "/v1/schools",
                new { name = $"Basisschool {i + 1}", brinCode = $"{i / 100:D2}BR{i % 100:D2}" });
            var pupils = scale.Pupils / scale.Schools + (i < scale.Pupils % scale.Schools ? 1 : 0);
            await SendAsync(http, clientKey, HttpMethod.Put, $"/v1/schools/{school["id"]}/roster", Rosters.School(random, $"S{i + 1}", pupils, schoolYear));
            if ((i + 1) % 50 == 0)
            {
                log($"{i + 1} of {synced} schools synced");
            }
        }

        if (synced < scale.Schools)
        {
            log($"copying the {synced} synced schools {scale.Schools / synced - 1} times in SQL");
            await Sql.ExecuteAsync(db, CopySchoolsSql, ("organisation", organisationId), ("copies", scale.Schools / synced));
            // Millions of rows: the indexes are built once afterwards instead of kept up to date row by row, and the
            // per-row foreign key checks are skipped (every reference comes from rows just read).
            log("writing a year of decisions (indexes built afterwards)");
            await Sql.ExecuteAsync(db, WithoutIndexesSql.Replace("{insert}", DecisionsSql, StringComparison.Ordinal),
                ("organisation", organisationId), ("version", versionId), ("client", clientId));
        }
        else
        {
            log("writing a year of decisions");
            await Sql.ExecuteAsync(db, DecisionsSql, ("organisation", organisationId), ("version", versionId), ("client", clientId));
        }
        await Sql.ExecuteAsync(db, "VACUUM ANALYZE");
        var info = new DataSetInfo(organisationId, adminKey, clientKey, clientId, versionId);
        await info.WriteAsync(db);
        return info;
    }

    /// <summary>
    /// Consent history only grows: a board that asks every year has about ten decisions per person and item after ten
    /// years. Gives every person's decisions on every item (pupil, item, guardian) an older history, so that each holds
    /// at least <paramref name="depth"/> decisions: one a year before the earliest, given and recorded a year apart
    /// each, with outcomes alternating (the one before a grant is a refusal and the other way round). The latest
    /// decisions, and so every answer about now, stay as they were. All decisions are then written again in the order
    /// recorded, as a decade of appends would have left them: recording order (sequence) follows the moment recorded.
    /// (The table's indexes other than the primary key are dropped while it is rewritten and built again afterwards.)
    /// </summary>
    public static async Task DeepenAsync(NpgsqlConnection db, int depth) =>
        await Sql.ExecuteAsync(db, DeepenSql, ("depth", depth));

    private const string DeepenSql = """
        CREATE TEMP TABLE earliest AS
          SELECT * FROM (
            SELECT d.*, count(*) OVER (PARTITION BY pupil_id, media_type, channel_key, guardian_id) AS held,
                   row_number() OVER (PARTITION BY pupil_id, media_type, channel_key, guardian_id ORDER BY given_at, sequence) AS n
            FROM decisions d) d
          WHERE n = 1 AND held < @depth;
        CREATE TEMP TABLE deepened AS
          SELECT id, organisation_id, pupil_id, batch_id, form_version_id, media_type, channel_key, outcome, guardian_id, method,
                 given_at, recorded_at, recorded_by_client_id, proof_reference, language, note, sequence
          FROM decisions;
        INSERT INTO deepened
          SELECT md5(e.id::text || '/' || k)::uuid, e.organisation_id, e.pupil_id, md5(e.batch_id::text || '/' || k)::uuid,
                 e.form_version_id, e.media_type, e.channel_key,
                 CASE WHEN k % 2 = 0 THEN e.outcome WHEN e.outcome = 'Granted' THEN 'Refused' ELSE 'Granted' END,
                 e.guardian_id, e.method, e.given_at - k * interval '1 year', e.recorded_at - k * interval '1 year',
                 e.recorded_by_client_id, e.proof_reference, e.language, e.note, 0
          FROM earliest e CROSS JOIN LATERAL generate_series(1, @depth - e.held) k;
        CREATE TEMP TABLE decision_indexes AS
          SELECT indexname, indexdef FROM pg_indexes
          WHERE schemaname = current_schema() AND tablename = 'decisions' AND indexname <> 'pk_decisions';
        DO $$ DECLARE i record; BEGIN
          FOR i IN SELECT indexname FROM decision_indexes LOOP EXECUTE format('DROP INDEX %I', i.indexname); END LOOP;
        END $$;
        ALTER TABLE decisions DISABLE TRIGGER decisions_never_truncated;
        TRUNCATE decisions;
        ALTER TABLE decisions ENABLE TRIGGER decisions_never_truncated;
        INSERT INTO decisions (id, sequence, organisation_id, pupil_id, batch_id, form_version_id, media_type, channel_key, outcome,
                               guardian_id, method, given_at, recorded_at, recorded_by_client_id, proof_reference, language, note)
          OVERRIDING SYSTEM VALUE
          SELECT id, row_number() OVER (ORDER BY recorded_at, sequence, given_at), organisation_id, pupil_id, batch_id, form_version_id,
                 media_type, channel_key, outcome, guardian_id, method, given_at, recorded_at, recorded_by_client_id, proof_reference,
                 language, note
          FROM deepened
          ORDER BY recorded_at, sequence, given_at;
        SELECT setval(pg_get_serial_sequence('decisions', 'sequence'), (SELECT max(sequence) FROM decisions));
        DO $$ DECLARE i record; BEGIN
          FOR i IN SELECT indexdef FROM decision_indexes LOOP EXECUTE i.indexdef; END LOOP;
        END $$;
        DROP TABLE earliest, deepened, decision_indexes;
        """;

    public static async Task<JsonObject> SendAsync(HttpClient http, string key, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>
    /// Copies the organisation's synced schools (<c>@copies</c> - 1 times) with everything a roster sync wrote for them:
    /// groups, guardians and what the school knows of them, pupils and guardian links (their history rows follow from the
    /// tables' triggers, as in a sync). Copy k of school n becomes school k × synced + n, with its number in its name,
    /// BRIN code and every external id; ids are the source's with the random part replaced (the UUIDv7 time prefix kept).
    /// Each copied table's columns are read from the catalogue, so that a column a migration adds is copied too. Rows
    /// are written school by school, as syncs one after the other leave them.
    /// </summary>
    private const string CopySchoolsSql = """
        CREATE FUNCTION pg_temp.copy_id(id uuid, k int) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
          SELECT (substr(replace(id::text, '-', ''), 1, 13) || substr(md5(id::text || '/' || k), 1, 3) || '8'
                  || substr(md5(id::text || '/' || k), 4, 15))::uuid
        $$;
        CREATE TEMP TABLE source_schools AS
          SELECT id, substring(name FROM '(\d+)$')::int AS n FROM schools WHERE organisation_id = @organisation;
        CREATE TEMP TABLE school_copies AS
          SELECT s.id AS source_id, s.n, k, k * (SELECT count(*) FROM source_schools)::int + s.n AS j, pg_temp.copy_id(s.id, k) AS id
          FROM source_schools s CROSS JOIN generate_series(1, @copies - 1) k;
        CREATE FUNCTION pg_temp.copy_table(name text, source text, ordering text) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
          columns text;
          selected text;
        BEGIN
          SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
                 string_agg(CASE
                     WHEN name = 'schools' AND column_name = 'name' THEN '''Basisschool '' || c.j'
                     WHEN name = 'schools' AND column_name = 'brin_code'
                       THEN 'lpad(((c.j - 1) / 100)::text, 2, ''0'') || ''BR'' || lpad(((c.j - 1) % 100)::text, 2, ''0'')'
                     WHEN name = 'schools' AND column_name = 'id' OR column_name = 'school_id' THEN 'c.id'
                     WHEN column_name IN ('id', 'group_id', 'pupil_id', 'guardian_id') THEN format('pg_temp.copy_id(t.%I, c.k)', column_name)
                     WHEN column_name = 'external_id' THEN 'regexp_replace(t.external_id, ''^S\d+-'', ''S'' || c.j || ''-'')'
                     ELSE format('t.%I', column_name) END, ', ' ORDER BY ordinal_position)
          INTO columns, selected
          FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = name
            AND is_generated = 'NEVER' AND coalesce(identity_generation, '') <> 'ALWAYS';
          EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %s ORDER BY %s', name, columns, selected, source, ordering);
        END $$;
        SELECT pg_temp.copy_table('schools', 'schools t JOIN school_copies c ON c.source_id = t.id', 'c.k, c.n');
        SELECT pg_temp.copy_table('groups', 'groups t JOIN school_copies c ON c.source_id = t.school_id', 'c.k, c.n, t.ctid');
        SELECT pg_temp.copy_table('guardians',
          'guardians t JOIN school_copies c ON c.n = substring(t.external_id FROM ''^S(\d+)-'')::int', 'c.k, c.n, t.ctid');
        SELECT pg_temp.copy_table('guardian_schools', 'guardian_schools t JOIN school_copies c ON c.source_id = t.school_id', 'c.k, c.n, t.ctid');
        SELECT pg_temp.copy_table('pupils', 'pupils t JOIN school_copies c ON c.source_id = t.school_id', 'c.k, c.n, t.ctid');
        SELECT pg_temp.copy_table('guardian_links',
          'guardian_links t JOIN pupils p ON p.id = t.pupil_id JOIN school_copies c ON c.source_id = p.school_id', 'c.k, c.n, t.ctid');
        DROP TABLE source_schools, school_copies;
        """;

    /// <summary>
    /// Runs <c>{insert}</c>, which fills the decisions table, with the table's secondary indexes dropped and built again
    /// afterwards and no foreign key checks. With those, the table's triggers are off too, so each person's newest
    /// decision per item (decision_heads, which the inserting statement's trigger keeps) is written afterwards, as the
    /// migration that brought it in did.
    /// </summary>
    private const string WithoutIndexesSql = """
        CREATE TEMP TABLE decision_indexes AS
          SELECT indexname, indexdef FROM pg_indexes
          WHERE schemaname = current_schema() AND tablename = 'decisions' AND indexname <> 'pk_decisions';
        DO $$ DECLARE i record; BEGIN
          FOR i IN SELECT indexname FROM decision_indexes LOOP EXECUTE format('DROP INDEX %I', i.indexname); END LOOP;
        END $$;
        SET session_replication_role = replica;
        {insert}
        SET session_replication_role = DEFAULT;
        DO $$ DECLARE i record; BEGIN
          FOR i IN SELECT indexdef FROM decision_indexes LOOP EXECUTE i.indexdef; END LOOP;
        END $$;
        DROP TABLE decision_indexes;
        TRUNCATE decision_heads;
        INSERT INTO decision_heads (pupil_id, media_type, channel_key, guardian_id, given_at, sequence, id, outcome, form_version_id, recorded_at)
          SELECT DISTINCT ON (pupil_id, media_type, channel_key, guardian_id)
                 pupil_id, media_type, channel_key, guardian_id, given_at, sequence, id, outcome, form_version_id, recorded_at
          FROM decisions
          ORDER BY pupil_id, media_type, channel_key, guardian_id, given_at DESC, sequence DESC;
        """;

    /// <summary>
    /// The first guardian with authority answers 85 times in 100, a second one 35 times in 100, each answering all 15
    /// items (refusing about one in eight) on a day of the past year; 8 in 100 answerers later withdraw two items.
    /// </summary>
    private const string DecisionsSql = """
        SELECT setseed(0.20261124);
        CREATE FUNCTION pg_temp.uuid7(at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
          SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3)
                  || '8' || substr(md5(random()::text), 1, 15))::uuid
        $$;
        CREATE TEMP TABLE items AS
          SELECT m.media_type, c.channel_key, row_number() OVER () AS ord
          FROM (VALUES ('Photo'), ('Film'), ('Audio')) m(media_type),
               (VALUES ('newsletter'), ('parent-app'), ('school-guide'), ('social-media'), ('website')) c(channel_key);
        CREATE TEMP TABLE answerers AS
          SELECT l.pupil_id, l.guardian_id, p.organisation_id,
                 row_number() OVER (PARTITION BY l.pupil_id ORDER BY g.external_id) AS rank
          FROM guardian_links l JOIN pupils p ON p.id = l.pupil_id JOIN guardians g ON g.id = l.guardian_id
          WHERE l.has_parental_authority AND p.organisation_id = @organisation
          ORDER BY p.external_id, g.external_id;
        CREATE TEMP TABLE answers AS
          SELECT pupil_id, guardian_id, organisation_id,
                 now() - interval '365 days' + random() * interval '360 days' AS given_at,
                 CASE WHEN r < 0.7 THEN 'ParentApp' WHEN r < 0.9 THEN 'Paper' ELSE 'Email' END AS method,
                 random() < 0.08 AS withdraws
          FROM (SELECT a.*, random() AS answer, random() AS r FROM answerers a) a
          WHERE answer < CASE WHEN rank = 1 THEN 0.85 ELSE 0.35 END;
        ALTER TABLE answers ADD COLUMN batch_id uuid, ADD COLUMN withdrawal_batch_id uuid;
        UPDATE answers SET batch_id = pg_temp.uuid7(given_at), withdrawal_batch_id = pg_temp.uuid7(given_at + interval '30 days');
        INSERT INTO decisions (id, organisation_id, pupil_id, batch_id, form_version_id, media_type, channel_key, outcome, guardian_id,
                               method, given_at, recorded_at, recorded_by_client_id, language)
          SELECT pg_temp.uuid7(given_at), organisation_id, pupil_id, batch_id, @version, media_type, channel_key, outcome, guardian_id,
                 method, given_at, recorded_at, @client, 'nl'
          FROM (
            SELECT a.pupil_id, a.guardian_id, a.organisation_id, a.given_at, a.method, a.batch_id, i.media_type, i.channel_key, i.ord,
                   CASE WHEN random() < 0.88 THEN 'Granted' ELSE 'Refused' END AS outcome,
                   a.given_at + interval '3 minutes' AS recorded_at
            FROM answers a CROSS JOIN items i
            UNION ALL
            SELECT a.pupil_id, a.guardian_id, a.organisation_id, a.given_at + interval '30 days', a.method, a.withdrawal_batch_id,
                   i.media_type, i.channel_key, i.ord, 'Refused',
                   a.given_at + interval '30 days 3 minutes'
            FROM answers a JOIN items i ON i.ord IN (1 + (abs(hashtext(a.pupil_id::text)) % 15), 1 + (abs(hashtext(a.guardian_id::text)) % 15))
            WHERE a.withdraws AND a.given_at + interval '30 days' < now()
          ) d
          ORDER BY given_at, pupil_id, guardian_id, ord;
        """;
}
