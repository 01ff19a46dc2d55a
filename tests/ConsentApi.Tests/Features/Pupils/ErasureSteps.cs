using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using Npgsql;

namespace ConsentApi.Tests.Features.Pupils;

/// <summary>The steps the erasure and retention fixtures share: leaving, erasing, and looking for words anywhere in the database.</summary>
public static class ErasureSteps
{
    /// <summary>Marks the pupil left on <paramref name="leftOn"/> (today when null), keeping their details.</summary>
    public static async Task LeaveAsync(HttpClient client, Guid pupilId, DateOnly? leftOn = null)
    {
        var pupil = await (await client.GetAsync($"/v1/pupils/{pupilId}")).ReadObjectAsync();
        var response = await client.PutAsJsonAsync($"/v1/pupils/{pupilId}", new
        {
            externalId = (string)pupil["externalId"]!, displayName = (string)pupil["displayName"]!,
            dateOfBirth = (string)pupil["dateOfBirth"]!, status = "left", leftOn = leftOn?.ToString("yyyy-MM-dd"),
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    public static Task<HttpResponseMessage> SendEraseAsync(HttpClient client, Guid pupilId) =>
        client.PostAsync($"/v1/pupils/{pupilId}/erasure", null);

    /// <summary>Erases the pupil and expects 200; returns the erasure record.</summary>
    public static async Task<JsonObject> EraseAsync(HttpClient client, Guid pupilId)
    {
        var response = await SendEraseAsync(client, pupilId);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    /// <summary>A word as JSON writes it by default (an accented letter escaped), besides the word itself.</summary>
    public static IEnumerable<string> Spellings(string word) =>
        new[] { word, JsonEncodedText.Encode(word).ToString() }.Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Every place in the database that holds one of <paramref name="words"/>: each text, character, JSON and text-array
    /// column of every table (case-insensitively), and each bytea column for the word's UTF-8 bytes. As the owner, who
    /// reads everything. Returns "table.column: word (n rows)".
    /// </summary>
    public static async Task<List<string>> FindAsync(ConsentApiFactory factory, IReadOnlyCollection<string> words)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionStringOf(factory.ConnectionString));
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column, string Type)>();
        await using (var command = new NpgsqlCommand("""
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')
                   OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_bpchar', '_json', '_jsonb')))
            ORDER BY c.table_name, c.column_name
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        Assert.That(columns.Select(c => $"{c.Table}.{c.Column}"), Is.SupersetOf(new[]
        {
            "pupils.display_name", "pupils.external_id", "guardians.display_name", "guardian_schools.display_name",
            "decisions.note", "decisions.proof_reference", "proof_files.file_name", "proof_file_chunks.data",
            "idempotency_keys.response", "outbox_events.payload", "webhook_attempt.error", "audit_events.request_id",
        }), "the scan covers the columns personal data can be in");

        var hits = new List<string>();
        foreach (var (table, column, type) in columns)
        {
            foreach (var word in words)
            {
                var sql = type == "bytea"
                    ? $"SELECT count(*) FROM \"{table}\" WHERE position(@bytes IN \"{column}\") > 0"
                    : $"SELECT count(*) FROM \"{table}\" WHERE strpos(lower(\"{column}\"::text), lower(@word)) > 0";
                await using var count = new NpgsqlCommand(sql, connection);
                if (type == "bytea")
                {
                    count.Parameters.AddWithValue("bytes", Encoding.UTF8.GetBytes(word));
                }
                else
                {
                    count.Parameters.AddWithValue("word", word);
                }
                var rows = (long)(await count.ExecuteScalarAsync())!;
                if (rows > 0)
                {
                    hits.Add($"{table}.{column}: {word} ({rows} rows)");
                }
            }
        }
        return hits;
    }

    /// <summary>Runs <paramref name="sql"/> as the database's owner, who holds every privilege: only the triggers stop it.</summary>
    public static async Task AsOwnerAsync(ConsentApiFactory factory, string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionStringOf(factory.ConnectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
