using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ConsentApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static ConsentApi.Tests.Features.Publications.PublishingSteps;

namespace ConsentApi.Tests.Features.Consents;

/// <summary>
/// Scanned forms and letters kept as proof of a receipt's decisions: typed by their content, limited in size while they
/// are read, stored whole, given back byte for byte as an attachment, and listed in the consent history.
/// </summary>
public sealed class ProofFileTests : ApiTest
{
    private const int MaxBytes = 1024 * 1024;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["ProofFiles:MaxBytes"] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private sealed record Receipt(Tenant Tenant, Guid PupilId, Guid ReceiptId);

    /// <summary>A guardian's decision keyed in from <paramref name="method"/>; returns its receipt.</summary>
    private async Task<Receipt> RecordedAsync(string method = "paper")
    {
        var tenant = await CreateTenantAsync();
        var full = tenant.Full();
        var version = await PublishFormAsync(tenant.Admin(), ["photo:website"]);
        var pupilId = await CreatePupilAsync(full, tenant.SchoolId, "Sanne de Vries");
        var guardianId = await CreateGuardianAsync(full, "Marieke de Vries");
        await LinkAsync(full, pupilId, guardianId);
        var response = await full.PostAsJsonAsync($"/v1/pupils/{pupilId}/decisions", new
        {
            formVersionId = (Guid)version["id"]!, decidedBy = "guardian", guardianId, method,
            items = new[] { new { mediaType = "photo", channel = "website", outcome = "granted" } },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return new Receipt(tenant, pupilId, (Guid)(await response.ReadObjectAsync())["batchId"]!);
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, Guid receiptId, HttpContent content, string fileName) =>
        client.PostAsync($"/v1/receipts/{receiptId}/proof-files?fileName={Uri.EscapeDataString(fileName)}", content);

    private static ByteArrayContent Bytes(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    /// <summary>A file starting with <paramref name="signature"/> and <paramref name="length"/> bytes in all, the rest random.</summary>
    private static byte[] FileOf(byte[] signature, int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        signature.CopyTo(bytes, 0);
        return bytes;
    }

    private static readonly byte[] Pdf = "%PDF-1.7\n"u8.ToArray();
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0];
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The proof files and content pieces stored for <paramref name="receipt"/> (the fixture shares one database).</summary>
    private Task<int> StoredFilesAsync(Receipt receipt) =>
        Factory.QueryAsync(async db => await db.ProofFiles.CountAsync(f => f.BatchId == receipt.ReceiptId)
                                       + await db.ProofFileChunks.CountAsync(c => db.ProofFiles.Any(f => f.Id == c.ProofFileId
                                           && f.BatchId == receipt.ReceiptId)));

    private static string Sha256Of(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    [TestCase("application/pdf", "pdf", 600_000, TestName = "A scanned PDF form is kept with its hash and given back byte for byte")]
    [TestCase("image/jpeg", "jpg", 50_000, TestName = "A photographed letter as JPEG is kept with its hash and given back byte for byte")]
    [TestCase("image/png", "png", 1_000, TestName = "A PNG scan is kept with its hash and given back byte for byte")]
    public async Task Kept_and_given_back(string contentType, string extension, int length)
    {
        var receipt = await RecordedAsync();
        var bytes = FileOf(contentType switch { "application/pdf" => Pdf, "image/jpeg" => Jpeg, _ => Png }, length);

        // Sent as octet-stream under another name: the type comes from the content.
        var response = await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, Bytes(bytes, "application/octet-stream"),
            "Toestemming Sanne (getekend).scan");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var created = await response.ReadObjectAsync();
        var fileName = $"toestemming-sanne-getekend.{extension}";
        Assert.Multiple(() =>
        {
            Assert.That((string?)created["sha256"], Is.EqualTo(Sha256Of(bytes)));
            Assert.That((long?)created["size"], Is.EqualTo(length));
            Assert.That((string?)created["contentType"], Is.EqualTo(contentType));
            Assert.That((string?)created["fileName"], Is.EqualTo(fileName));
            Assert.That((Guid?)created["receiptId"], Is.EqualTo(receipt.ReceiptId));
            Assert.That((Guid?)created["pupilId"], Is.EqualTo(receipt.PupilId));
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/v1/receipts/{receipt.ReceiptId}/proof-files/{created["id"]}"));
        });

        var download = await receipt.Tenant.Full().GetAsync(response.Headers.Location);
        Assert.That(download.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var content = await download.Content.ReadAsByteArrayAsync();
        Assert.Multiple(() =>
        {
            Assert.That(content, Is.EqualTo(bytes));
            Assert.That(download.Content.Headers.ContentType?.MediaType, Is.EqualTo(contentType));
            Assert.That(download.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
            Assert.That(download.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Is.EqualTo(fileName));
            Assert.That(download.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
            Assert.That(download.Headers.GetValues("Repr-Digest").Single(),
                Is.EqualTo($"sha-256=:{Convert.ToBase64String(SHA256.HashData(bytes))}:"));
            Assert.That(string.Join(",", download.Headers.GetValues("Content-Security-Policy")), Does.Contain("sandbox"));
        });
    }

    [Test]
    public async Task A_pdf_name_with_html_content_is_refused_and_nothing_is_stored()
    {
        var receipt = await RecordedAsync();
        var html = "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"u8.ToArray();

        var response = await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, Bytes(html, "application/pdf"), "toestemming.pdf");

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        Assert.That((string?)problem["detail"], Does.Contain("PDF, JPEG or PNG"));
        Assert.That(await StoredFilesAsync(receipt), Is.Zero);
    }

    [Test]
    public async Task A_file_over_the_limit_is_refused_whether_its_length_is_declared_or_not_and_nothing_is_stored()
    {
        var receipt = await RecordedAsync();
        var bytes = FileOf(Pdf, MaxBytes + 1);

        var declared = await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, Bytes(bytes, "application/pdf"), "groot.pdf");
        await AssertProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");

        // Without a Content-Length the limit is found while reading.
        var streamed = new StreamContent(new UnknownLengthStream(bytes));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        Assert.That(streamed.Headers.ContentLength, Is.Null, "sent chunked, with no length to refuse it by");
        var undeclared = await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, streamed, "groot.pdf");
        await AssertProblemAsync(undeclared, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");

        Assert.That(await StoredFilesAsync(receipt), Is.Zero);
        // Exactly at the limit is accepted.
        var atLimit = await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, Bytes(FileOf(Pdf, MaxBytes), "application/pdf"), "net.pdf");
        Assert.That(atLimit.StatusCode, Is.EqualTo(HttpStatusCode.Created), await atLimit.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_decision_given_in_the_parents_app_cannot_get_a_proof_file()
    {
        var receipt = await RecordedAsync(method: "parent-app");

        var response = await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, Bytes(FileOf(Pdf, 1000), "application/pdf"), "form.pdf");

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
        Assert.That(await StoredFilesAsync(receipt), Is.Zero);
    }

    [TestCase("email")]
    [TestCase("in-person")]
    public async Task Decisions_by_email_or_in_person_can_get_a_proof_file(string method)
    {
        var receipt = await RecordedAsync(method);
        var response = await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, Bytes(FileOf(Png, 500), "image/png"), "brief.png");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Another_tenants_or_schools_receipt_is_not_found_for_upload_and_download()
    {
        var receipt = await RecordedAsync();
        var created = await (await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, Bytes(FileOf(Pdf, 1000), "application/pdf"), "f.pdf"))
            .ReadObjectAsync();
        var other = await CreateTenantAsync();
        var otherSchool = await receipt.Tenant.ClientWithAsync(["consent:read", "consent:write"], [receipt.Tenant.SchoolIds[1]]);

        foreach (var stranger in new[] { other.Full(), otherSchool })
        {
            await AssertProblemAsync(
                await UploadAsync(stranger, receipt.ReceiptId, Bytes(FileOf(Pdf, 1000), "application/pdf"), "f.pdf"),
                HttpStatusCode.NotFound, "not-found");
            await AssertProblemAsync(
                await stranger.GetAsync($"/v1/receipts/{receipt.ReceiptId}/proof-files/{created["id"]}"),
                HttpStatusCode.NotFound, "not-found");
        }
        Assert.That(await Factory.QueryAsync(db => db.ProofFiles.CountAsync(f => f.BatchId == receipt.ReceiptId)), Is.EqualTo(1));
    }

    [Test]
    public async Task Uploading_takes_the_consent_write_scope_and_downloading_consent_read()
    {
        var receipt = await RecordedAsync();
        var reader = await receipt.Tenant.ClientWithAsync(["consent:read"]);
        var writer = await receipt.Tenant.ClientWithAsync(["consent:write"]);

        await AssertProblemAsync(await UploadAsync(reader, receipt.ReceiptId, Bytes(FileOf(Pdf, 100), "application/pdf"), "f.pdf"),
            HttpStatusCode.Forbidden, "forbidden");
        var created = await UploadAsync(writer, receipt.ReceiptId, Bytes(FileOf(Pdf, 100), "application/pdf"), "f.pdf");
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await AssertProblemAsync(await writer.GetAsync(created.Headers.Location), HttpStatusCode.Forbidden, "forbidden");
        Assert.That((await reader.GetAsync(created.Headers.Location)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_consent_history_lists_the_proof_files_with_the_decisions_they_prove()
    {
        var receipt = await RecordedAsync();
        var bytes = FileOf(Jpeg, 2000);
        var created = await (await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, Bytes(bytes, "image/jpeg"), "brief.jpg"))
            .ReadObjectAsync();

        var history = await ItemsAsync(receipt.Tenant.Full(), $"/v1/pupils/{receipt.PupilId}/consents/history");

        var listed = history.Single()!["proofFiles"]!.AsArray().Single()!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.DeepEquals(listed, created), Is.True, listed.ToJsonString());
            Assert.That((string?)listed["sha256"], Is.EqualTo(Sha256Of(bytes)));
            Assert.That((string?)listed["contentType"], Is.EqualTo("image/jpeg"));
            Assert.That((long?)listed["size"], Is.EqualTo(2000));
            Assert.That(listed["uploadedByClientId"], Is.Not.Null);
            Assert.That(listed["uploadedAt"], Is.Not.Null);
        });
    }

    [Test]
    public async Task A_retry_with_the_same_idempotency_key_stores_the_file_once()
    {
        var receipt = await RecordedAsync();
        var bytes = FileOf(Pdf, 5000);
        async Task<HttpResponseMessage> Send(byte[] body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/receipts/{receipt.ReceiptId}/proof-files?fileName=f.pdf")
            {
                Content = Bytes(body, "application/pdf"),
            };
            request.Headers.Add("Idempotency-Key", "proof-retry-1");
            return await receipt.Tenant.Full().SendAsync(request);
        }

        var first = await Send(bytes);
        var retry = await Send(bytes);
        var other = await Send(FileOf(Pdf, 5000));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(retry.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        Assert.That((string?)(await retry.ReadObjectAsync())["id"], Is.EqualTo((string?)(await first.ReadObjectAsync())["id"]));
        await AssertProblemAsync(other, HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.That(await Factory.QueryAsync(db => db.ProofFiles.CountAsync(f => f.BatchId == receipt.ReceiptId)), Is.EqualTo(1));
    }

    [TestCase("UPDATE proof_files SET sha256 = 'sha256:' || repeat('0', 64) WHERE id = '{0}'")]
    [TestCase("DELETE FROM proof_files WHERE id = '{0}'")]
    [TestCase("UPDATE proof_file_chunks SET data = '\\x00' WHERE proof_file_id = '{0}'")]
    [TestCase("DELETE FROM proof_file_chunks WHERE proof_file_id = '{0}'")]
    public async Task The_database_keeps_proof_files_append_only(string statement)
    {
        var receipt = await RecordedAsync();
        var bytes = FileOf(Pdf, 3000);
        var created = await (await UploadAsync(receipt.Tenant.Full(), receipt.ReceiptId, Bytes(bytes, "application/pdf"), "f.pdf")).ReadObjectAsync();
        var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, (Guid)created["id"]!);

        var asApi = Assert.ThrowsAsync<PostgresException>(() => Factory.QueryAsync(db => db.Database.ExecuteSqlRawAsync(sql)));
        var asOwner = Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = new NpgsqlConnection(TestDatabase.OwnerConnectionStringOf(Factory.ConnectionString));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        });

        Assert.That(asApi!.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), "the API's role may not change proof files");
        Assert.That(asOwner!.SqlState, Is.EqualTo(PostgresErrorCodes.RestrictViolation), asOwner.Message);
        var download = await receipt.Tenant.Full().GetAsync($"/v1/receipts/{receipt.ReceiptId}/proof-files/{created["id"]}");
        Assert.That(await download.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
    }

    /// <summary>A body whose length is unknown until it ends, as a client streaming a scan sends it (chunked).</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }
}
