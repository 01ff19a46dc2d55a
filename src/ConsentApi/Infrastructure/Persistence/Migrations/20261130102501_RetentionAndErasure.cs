using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RetentionAndErasure : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "erased_at",
                table: "pupils",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "erased_at",
                table: "proof_files",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "keep_months_after_leaving",
                table: "organisations",
                type: "integer",
                nullable: false,
                defaultValue: 24);

            migrationBuilder.CreateTable(
                name: "pupil_erasures",
                columns: table => new
                {
                    pupil_id = table.Column<Guid>(type: "uuid", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    school_id = table.Column<Guid>(type: "uuid", nullable: false),
                    erased_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    erased_by_client_id = table.Column<Guid>(type: "uuid", nullable: true),
                    decision_notes = table.Column<int>(type: "integer", nullable: false),
                    proof_files = table.Column<int>(type: "integer", nullable: false),
                    guardians = table.Column<int>(type: "integer", nullable: false),
                    stored_responses = table.Column<int>(type: "integer", nullable: false),
                    event_records = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pupil_erasures", x => x.pupil_id);
                    table.ForeignKey(
                        name: "fk_pupil_erasures_pupils_pupil_id",
                        column: x => x.pupil_id,
                        principalTable: "pupils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_pupils_awaiting_erasure",
                table: "pupils",
                column: "left_on",
                filter: "status = 'Left' AND erased_at IS NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_pupils_erased_left",
                table: "pupils",
                sql: "erased_at IS NULL OR status = 'Left'");

            migrationBuilder.AddCheckConstraint(
                name: "ck_organisations_keep_months_after_leaving",
                table: "organisations",
                sql: "keep_months_after_leaving BETWEEN 1 AND 120");

            migrationBuilder.CreateIndex(
                name: "ix_pupil_erasures_organisation_id_erased_at",
                table: "pupil_erasures",
                columns: new[] { "organisation_id", "erased_at" });

            // Append-only and erasure both hold, structurally: the evidence triggers still refuse every change except the
            // erasure's, and that only for a pupil already marked erased (pupils.erased_at, set first in the same
            // transaction). No session flag can switch them off.
            migrationBuilder.Sql(ErasureTriggers);

            // Wakes the webhook dispatchers when deliveries become due: a NOTIFY on consent_outbox, which PostgreSQL hands to
            // the listeners only when the writing transaction commits (a rolled-back one wakes nobody), and once per
            // transaction however many rows it wrote. A trigger, not a call in the app, so that every writer of deliveries
            // (commands, the takedown sweep, the turning-16 and retention jobs, a resend) wakes them without knowing of them.
            migrationBuilder.Sql("""
                CREATE FUNCTION webhook_deliveries_wake() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('consent_outbox', '');
                    RETURN NULL;
                END $$;

                CREATE TRIGGER webhook_deliveries_wake_on_insert AFTER INSERT ON webhook_deliveries
                    FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_wake();

                -- A resend puts a delivery back in the queue; the dispatcher's own recording (delivered, given up, a retry
                -- moved later) must not wake it again.
                CREATE TRIGGER webhook_deliveries_wake_on_resend AFTER UPDATE ON webhook_deliveries
                    FOR EACH ROW WHEN (NEW.status = 'Pending' AND (OLD.status <> 'Pending' OR NEW.next_attempt_at < OLD.next_attempt_at))
                    EXECUTE FUNCTION webhook_deliveries_wake();
                """);
        }

        private const string ErasureTriggers = """
            -- A decision may lose its note and proof reference, and nothing else, once its pupil is erased.
            CREATE OR REPLACE FUNCTION decisions_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' THEN
                    IF NEW.note IS NULL AND NEW.proof_reference IS NULL
                       AND (to_jsonb(NEW) - 'note' - 'proof_reference') = (to_jsonb(OLD) - 'note' - 'proof_reference')
                       AND EXISTS (SELECT FROM pupils p WHERE p.id = OLD.pupil_id AND p.erased_at IS NOT NULL) THEN
                        RETURN NEW;
                    END IF;
                END IF;
                RAISE EXCEPTION 'decisions are append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
            END $$;

            -- A proof file of an erased pupil may be marked erased and renamed 'erased' (its hash, size and type stay), and
            -- then lose its content; nothing else.
            CREATE OR REPLACE FUNCTION proof_files_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'proof_files' THEN
                    IF OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND NEW.file_name = 'erased'
                       AND (to_jsonb(NEW) - 'file_name' - 'erased_at') = (to_jsonb(OLD) - 'file_name' - 'erased_at')
                       AND EXISTS (SELECT FROM pupils p WHERE p.id = OLD.pupil_id AND p.erased_at IS NOT NULL) THEN
                        RETURN NEW;
                    END IF;
                ELSIF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'proof_file_chunks' THEN
                    IF EXISTS (SELECT FROM proof_files f WHERE f.id = OLD.proof_file_id AND f.erased_at IS NOT NULL) THEN
                        RETURN OLD;
                    END IF;
                END IF;
                RAISE EXCEPTION '% are append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
            END $$;

            -- The API's role may not delete proof file content; this function, run with the owner's rights, deletes only the
            -- content of files already marked erased (the trigger above checks it again).
            CREATE FUNCTION erase_proof_file_content(pupil uuid) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
            SET search_path = public AS $$
            DECLARE
                deleted integer;
            BEGIN
                DELETE FROM proof_file_chunks c USING proof_files f
                WHERE f.id = c.proof_file_id AND f.pupil_id = pupil AND f.erased_at IS NOT NULL;
                GET DIAGNOSTICS deleted = ROW_COUNT;
                RETURN deleted;
            END $$;
            REVOKE EXECUTE ON FUNCTION erase_proof_file_content(uuid) FROM PUBLIC;

            -- An erasure is final: the placeholders and the moment stay.
            CREATE FUNCTION pupils_erasure_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF OLD.erased_at IS NOT NULL AND (NEW.erased_at IS DISTINCT FROM OLD.erased_at
                        OR NEW.display_name IS DISTINCT FROM OLD.display_name OR NEW.external_id IS DISTINCT FROM OLD.external_id) THEN
                    RAISE EXCEPTION 'pupil % is erased: its personal fields cannot change', OLD.id USING ERRCODE = 'restrict_violation';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER pupils_erasure_final BEFORE UPDATE ON pupils FOR EACH ROW EXECUTE FUNCTION pupils_erasure_is_final();

            -- The record of an erasure is evidence too.
            CREATE TRIGGER pupil_erasures_append_only BEFORE UPDATE OR DELETE ON pupil_erasures
                FOR EACH ROW EXECUTE FUNCTION publication_checks_are_append_only();
            CREATE TRIGGER pupil_erasures_never_truncated BEFORE TRUNCATE ON pupil_erasures
                FOR EACH STATEMENT EXECUTE FUNCTION publication_checks_are_append_only();
            """;

        private const string AppendOnlyTriggers = """
            DROP TRIGGER pupil_erasures_never_truncated ON pupil_erasures;
            DROP TRIGGER pupil_erasures_append_only ON pupil_erasures;
            DROP TRIGGER pupils_erasure_final ON pupils;
            DROP FUNCTION pupils_erasure_is_final();
            DROP FUNCTION erase_proof_file_content(uuid);
            CREATE OR REPLACE FUNCTION decisions_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'decisions are append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
            END $$;
            CREATE OR REPLACE FUNCTION proof_files_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% are append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
            END $$;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER webhook_deliveries_wake_on_resend ON webhook_deliveries;
                DROP TRIGGER webhook_deliveries_wake_on_insert ON webhook_deliveries;
                DROP FUNCTION webhook_deliveries_wake();
                """);

            migrationBuilder.Sql(AppendOnlyTriggers);

            migrationBuilder.DropTable(
                name: "pupil_erasures");

            migrationBuilder.DropIndex(
                name: "ix_pupils_awaiting_erasure",
                table: "pupils");

            migrationBuilder.DropCheckConstraint(
                name: "ck_pupils_erased_left",
                table: "pupils");

            migrationBuilder.DropCheckConstraint(
                name: "ck_organisations_keep_months_after_leaving",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "erased_at",
                table: "pupils");

            migrationBuilder.DropColumn(
                name: "erased_at",
                table: "proof_files");

            migrationBuilder.DropColumn(
                name: "keep_months_after_leaving",
                table: "organisations");
        }
    }
}
