using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class EvidenceAndSafeRetries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "takedowns",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            // Every pupil registered before recognisability was asked was declared recognisable.
            migrationBuilder.AddColumn<bool>(
                name: "recognisable",
                table: "publication_pupil",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "unrecognisable_declared_by",
                table: "publication_checks",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "unrecognisable_declared_by_client_id",
                table: "publication_checks",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "recognisable",
                table: "publication_check_pupils",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "recall",
                table: "channels",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "idempotency_keys",
                columns: table => new
                {
                    client_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    operation = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    fingerprint = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    response = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_keys", x => new { x.client_id, x.key });
                });

            migrationBuilder.CreateTable(
                name: "proof_files",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    pupil_id = table.Column<Guid>(type: "uuid", nullable: false),
                    batch_id = table.Column<Guid>(type: "uuid", nullable: false),
                    media_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    sha256 = table.Column<string>(type: "character varying(71)", maxLength: 71, nullable: false),
                    file_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    uploaded_by_client_id = table.Column<Guid>(type: "uuid", nullable: true),
                    uploaded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_proof_files", x => x.id);
                    table.CheckConstraint("ck_proof_files_size", "size > 0");
                    table.ForeignKey(
                        name: "fk_proof_files_pupils_pupil_id",
                        column: x => x.pupil_id,
                        principalTable: "pupils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "turning16_notices",
                columns: table => new
                {
                    pupil_id = table.Column<Guid>(type: "uuid", nullable: false),
                    occasion = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    birthday = table.Column<DateOnly>(type: "date", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_turning16_notices", x => new { x.pupil_id, x.occasion, x.birthday });
                    table.ForeignKey(
                        name: "fk_turning16_notices_organisations_organisation_id",
                        column: x => x.organisation_id,
                        principalTable: "organisations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_turning16_notices_pupils_pupil_id",
                        column: x => x.pupil_id,
                        principalTable: "pupils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "proof_file_chunks",
                columns: table => new
                {
                    proof_file_id = table.Column<Guid>(type: "uuid", nullable: false),
                    index = table.Column<int>(type: "integer", nullable: false),
                    data = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_proof_file_chunks", x => new { x.proof_file_id, x.index });
                    table.ForeignKey(
                        name: "fk_proof_file_chunks_proof_files_proof_file_id",
                        column: x => x.proof_file_id,
                        principalTable: "proof_files",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_keys_created_at",
                table: "idempotency_keys",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_proof_files_batch_id_id",
                table: "proof_files",
                columns: new[] { "batch_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_proof_files_pupil_id_id",
                table: "proof_files",
                columns: new[] { "pupil_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_turning16_notices_organisation_id",
                table: "turning16_notices",
                column: "organisation_id");

            migrationBuilder.Sql(ChannelRecallHistory);

            // Proof files are evidence like the decisions they prove: the database refuses to change or delete them. Their
            // content is already compressed (PDF streams, JPEG, PNG), so it is stored out of line without trying again.
            migrationBuilder.Sql("""
                ALTER TABLE proof_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
                CREATE FUNCTION proof_files_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% are append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
                END $$;
                CREATE TRIGGER proof_files_append_only BEFORE UPDATE OR DELETE ON proof_files
                    FOR EACH ROW EXECUTE FUNCTION proof_files_are_append_only();
                CREATE TRIGGER proof_files_never_truncated BEFORE TRUNCATE ON proof_files
                    FOR EACH STATEMENT EXECUTE FUNCTION proof_files_are_append_only();
                CREATE TRIGGER proof_file_chunks_append_only BEFORE UPDATE OR DELETE ON proof_file_chunks
                    FOR EACH ROW EXECUTE FUNCTION proof_files_are_append_only();
                CREATE TRIGGER proof_file_chunks_never_truncated BEFORE TRUNCATE ON proof_file_chunks
                    FOR EACH STATEMENT EXECUTE FUNCTION proof_files_are_append_only();
                """);
        }

        // Whether a channel's items can be recalled is kept in its history, as of when it was recorded; unlike the
        // audience it is not part of what was consented to, so it leaves meaning_since (and the grants) as they are.
        private const string ChannelRecallHistory = """
            ALTER TABLE channel_changes ADD COLUMN recall character varying(16) NOT NULL DEFAULT 'Removable';

            CREATE OR REPLACE FUNCTION record_channel_history() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                moment timestamptz := consent_now();
                since timestamptz;
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO channel_changes (organisation_id, channel_key, valid_from, recorded_at, audience, retired, meaning_since, recall)
                    VALUES (NEW.organisation_id, NEW.key, '-infinity', '-infinity', NEW.audience, NEW.retired_at IS NOT NULL, '-infinity', NEW.recall);
                ELSIF NEW.audience IS DISTINCT FROM OLD.audience OR (NEW.retired_at IS NULL) <> (OLD.retired_at IS NULL) THEN
                    INSERT INTO channel_changes (organisation_id, channel_key, valid_from, recorded_at, audience, retired, meaning_since, recall)
                    VALUES (NEW.organisation_id, NEW.key, moment, moment, NEW.audience, NEW.retired_at IS NOT NULL, moment, NEW.recall);
                ELSIF NEW.recall IS DISTINCT FROM OLD.recall THEN
                    SELECT h.meaning_since INTO since FROM channel_changes h
                    WHERE h.organisation_id = NEW.organisation_id AND h.channel_key = NEW.key
                    ORDER BY h.valid_from DESC, h.id DESC LIMIT 1;
                    INSERT INTO channel_changes (organisation_id, channel_key, valid_from, recorded_at, audience, retired, meaning_since, recall)
                    VALUES (NEW.organisation_id, NEW.key, moment, moment, NEW.audience, NEW.retired_at IS NOT NULL,
                        coalesce(since, '-infinity'), NEW.recall);
                END IF;
                RETURN NULL;
            END $$;
            """;

        private const string ChannelHistoryWithoutRecall = """
            CREATE OR REPLACE FUNCTION record_channel_history() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                moment timestamptz := consent_now();
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO channel_changes (organisation_id, channel_key, valid_from, recorded_at, audience, retired, meaning_since)
                    VALUES (NEW.organisation_id, NEW.key, '-infinity', '-infinity', NEW.audience, NEW.retired_at IS NOT NULL, '-infinity');
                ELSIF NEW.audience IS DISTINCT FROM OLD.audience OR (NEW.retired_at IS NULL) <> (OLD.retired_at IS NULL) THEN
                    INSERT INTO channel_changes (organisation_id, channel_key, valid_from, recorded_at, audience, retired, meaning_since)
                    VALUES (NEW.organisation_id, NEW.key, moment, moment, NEW.audience, NEW.retired_at IS NOT NULL, moment);
                END IF;
                RETURN NULL;
            END $$;
            -- Rows written for a change of recall alone repeat the meaning before them; they stay, harmless, without it.
            ALTER TABLE channel_changes DROP COLUMN recall;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER proof_file_chunks_never_truncated ON proof_file_chunks;
                DROP TRIGGER proof_file_chunks_append_only ON proof_file_chunks;
                DROP TRIGGER proof_files_never_truncated ON proof_files;
                DROP TRIGGER proof_files_append_only ON proof_files;
                DROP FUNCTION proof_files_are_append_only();
                """);

            migrationBuilder.Sql(ChannelHistoryWithoutRecall);

            migrationBuilder.DropTable(
                name: "idempotency_keys");

            migrationBuilder.DropTable(
                name: "proof_file_chunks");

            migrationBuilder.DropTable(
                name: "turning16_notices");

            migrationBuilder.DropTable(
                name: "proof_files");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "takedowns");

            migrationBuilder.DropColumn(
                name: "recognisable",
                table: "publication_pupil");

            migrationBuilder.DropColumn(
                name: "unrecognisable_declared_by",
                table: "publication_checks");

            migrationBuilder.DropColumn(
                name: "unrecognisable_declared_by_client_id",
                table: "publication_checks");

            migrationBuilder.DropColumn(
                name: "recognisable",
                table: "publication_check_pupils");

            migrationBuilder.DropColumn(
                name: "recall",
                table: "channels");
        }
    }
}
