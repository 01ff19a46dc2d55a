using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class IsolationAndConsentTruth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_decisions_pupil_id_media_type_channel_key_given_at_sequence",
                table: "decisions");

            migrationBuilder.DropCheckConstraint(
                name: "ck_consent_form_versions_published",
                table: "consent_form_versions");

            migrationBuilder.AddColumn<string>(
                name: "after_leaving",
                table: "organisations",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Ends");

            migrationBuilder.AddColumn<string>(
                name: "time_zone",
                table: "organisations",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "Europe/Amsterdam");

            migrationBuilder.AddColumn<string>(
                name: "withdrawal_reason",
                table: "consent_form_versions",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "withdrawn_at",
                table: "consent_form_versions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "guardian_schools",
                columns: table => new
                {
                    guardian_id = table.Column<Guid>(type: "uuid", nullable: false),
                    school_id = table.Column<Guid>(type: "uuid", nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_guardian_schools", x => new { x.guardian_id, x.school_id });
                    table.ForeignKey(
                        name: "fk_guardian_schools_guardians_guardian_id",
                        column: x => x.guardian_id,
                        principalTable: "guardians",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_guardian_schools_schools_school_id",
                        column: x => x.school_id,
                        principalTable: "schools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "publication_checks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    publication_id = table.Column<Guid>(type: "uuid", nullable: false),
                    media_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    channel_key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    as_known_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    allowed = table.Column<bool>(type: "boolean", nullable: false),
                    published_without_check = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_publication_checks", x => x.id);
                    table.CheckConstraint("ck_publication_checks_known_after", "as_known_at >= at");
                    table.ForeignKey(
                        name: "fk_publication_checks_organisations_organisation_id",
                        column: x => x.organisation_id,
                        principalTable: "organisations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_publication_checks_publications_publication_id",
                        column: x => x.publication_id,
                        principalTable: "publications",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "publication_check_pupils",
                columns: table => new
                {
                    check_id = table.Column<Guid>(type: "uuid", nullable: false),
                    pupil_id = table.Column<Guid>(type: "uuid", nullable: false),
                    state = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    reason = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    allowed = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_publication_check_pupils", x => new { x.check_id, x.pupil_id });
                    table.ForeignKey(
                        name: "fk_publication_check_pupils_publication_checks_check_id",
                        column: x => x.check_id,
                        principalTable: "publication_checks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_publication_check_pupils_pupils_pupil_id",
                        column: x => x.pupil_id,
                        principalTable: "pupils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_decisions_pupil_id_media_type_channel_key_guardian_id_given",
                table: "decisions",
                columns: new[] { "pupil_id", "media_type", "channel_key", "guardian_id", "given_at", "sequence" },
                descending: new[] { false, false, false, false, true, true })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "outcome", "form_version_id", "recorded_at" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_consent_form_versions_published",
                table: "consent_form_versions",
                sql: "(status <> 'Draft') = (published_at IS NOT NULL AND content_hash IS NOT NULL)");

            migrationBuilder.AddCheckConstraint(
                name: "ck_consent_form_versions_withdrawn",
                table: "consent_form_versions",
                sql: "(status = 'Withdrawn') = (withdrawn_at IS NOT NULL) AND (withdrawal_reason IS NULL OR withdrawn_at IS NOT NULL)");

            migrationBuilder.CreateIndex(
                name: "ix_guardian_schools_school_id_guardian_id",
                table: "guardian_schools",
                columns: new[] { "school_id", "guardian_id" });

            migrationBuilder.CreateIndex(
                name: "ix_publication_check_pupils_pupil_id",
                table: "publication_check_pupils",
                column: "pupil_id");

            migrationBuilder.CreateIndex(
                name: "ix_publication_checks_organisation_id",
                table: "publication_checks",
                column: "organisation_id");

            migrationBuilder.CreateIndex(
                name: "ix_publication_checks_publication_id",
                table: "publication_checks",
                column: "publication_id",
                unique: true);

            // Until now a school knew the guardians linked to its pupils.
            migrationBuilder.Sql("""
                INSERT INTO guardian_schools (guardian_id, school_id, display_name)
                SELECT DISTINCT l.guardian_id, p.school_id, g.display_name
                FROM guardian_links l
                JOIN pupils p ON p.id = l.pupil_id
                JOIN guardians g ON g.id = l.guardian_id
                """);

            // A stored publication check is the proof the publication was lawful when made: the database itself refuses to
            // change or delete one, as it does for decisions.
            migrationBuilder.Sql("""
                CREATE FUNCTION publication_checks_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
                END $$;
                CREATE TRIGGER publication_checks_append_only BEFORE UPDATE OR DELETE ON publication_checks
                    FOR EACH ROW EXECUTE FUNCTION publication_checks_are_append_only();
                CREATE TRIGGER publication_checks_never_truncated BEFORE TRUNCATE ON publication_checks
                    FOR EACH STATEMENT EXECUTE FUNCTION publication_checks_are_append_only();
                CREATE TRIGGER publication_check_pupils_append_only BEFORE UPDATE OR DELETE ON publication_check_pupils
                    FOR EACH ROW EXECUTE FUNCTION publication_checks_are_append_only();
                CREATE TRIGGER publication_check_pupils_never_truncated BEFORE TRUNCATE ON publication_check_pupils
                    FOR EACH STATEMENT EXECUTE FUNCTION publication_checks_are_append_only();
                """);

            // Histories of every fact consent rests on besides the decisions: each change is appended with when it holds
            // (valid_from) and when the record learnt it (recorded_at), by triggers, so that no writer can forget one. The
            // moment is the command's (consent.now, set by the API in every command's transaction), else the database's.
            migrationBuilder.Sql(History);
        }

        private const string History = """
            CREATE FUNCTION consent_now() RETURNS timestamptz LANGUAGE sql STABLE
            AS $$ SELECT coalesce(nullif(current_setting('consent.now', true), '')::timestamptz, now()) $$;

            CREATE TABLE pupil_enrolments (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                pupil_id uuid NOT NULL REFERENCES pupils (id) ON DELETE CASCADE,
                valid_from timestamptz NOT NULL,
                recorded_at timestamptz NOT NULL,
                status character varying(16) NOT NULL,
                group_id uuid NULL,
                enrolled_since timestamptz NOT NULL);
            CREATE INDEX ix_pupil_enrolments_pupil ON pupil_enrolments (pupil_id, valid_from, id);
            CREATE INDEX ix_pupil_enrolments_group ON pupil_enrolments (group_id);

            CREATE TABLE pupil_birth_dates (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                pupil_id uuid NOT NULL REFERENCES pupils (id) ON DELETE CASCADE,
                recorded_at timestamptz NOT NULL,
                date_of_birth date NOT NULL);
            CREATE INDEX ix_pupil_birth_dates_pupil ON pupil_birth_dates (pupil_id, recorded_at, id);

            CREATE TABLE guardian_link_changes (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                pupil_id uuid NOT NULL REFERENCES pupils (id) ON DELETE CASCADE,
                guardian_id uuid NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
                valid_from timestamptz NOT NULL,
                recorded_at timestamptz NOT NULL,
                has_parental_authority boolean NULL);
            CREATE INDEX ix_guardian_link_changes_pupil ON guardian_link_changes (pupil_id, guardian_id, valid_from, id);

            CREATE TABLE policy_changes (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
                valid_from timestamptz NOT NULL,
                recorded_at timestamptz NOT NULL,
                grant_requires character varying(16) NOT NULL,
                school_year_end_month integer NOT NULL,
                school_year_end_day integer NOT NULL,
                time_zone character varying(64) NOT NULL,
                after_leaving character varying(16) NOT NULL);
            CREATE INDEX ix_policy_changes_organisation ON policy_changes (organisation_id, valid_from, id);

            CREATE TABLE channel_changes (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                organisation_id uuid NOT NULL,
                channel_key character varying(40) NOT NULL,
                valid_from timestamptz NOT NULL,
                recorded_at timestamptz NOT NULL,
                audience character varying(16) NOT NULL,
                retired boolean NOT NULL,
                meaning_since timestamptz NOT NULL,
                FOREIGN KEY (organisation_id, channel_key) REFERENCES channels (organisation_id, key) ON DELETE CASCADE);
            CREATE INDEX ix_channel_changes_channel ON channel_changes (organisation_id, channel_key, valid_from, id);

            -- A pupil's first record holds from the start; enrolment changes (leaving, returning, another group) from
            -- when they are recorded; a corrected date of birth was always the right one, as known from its correction.
            CREATE FUNCTION record_pupil_history() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                moment timestamptz := consent_now();
                since timestamptz;
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO pupil_enrolments (pupil_id, valid_from, recorded_at, status, group_id, enrolled_since)
                    VALUES (NEW.id, '-infinity', '-infinity', NEW.status, NEW.group_id, '-infinity');
                    INSERT INTO pupil_birth_dates (pupil_id, recorded_at, date_of_birth) VALUES (NEW.id, '-infinity', NEW.date_of_birth);
                    RETURN NULL;
                END IF;
                IF NEW.status IS DISTINCT FROM OLD.status OR NEW.group_id IS DISTINCT FROM OLD.group_id THEN
                    IF OLD.status = 'Left' AND NEW.status = 'Active' THEN
                        since := moment;
                    ELSE
                        SELECT e.enrolled_since INTO since FROM pupil_enrolments e
                        WHERE e.pupil_id = NEW.id ORDER BY e.valid_from DESC, e.id DESC LIMIT 1;
                    END IF;
                    INSERT INTO pupil_enrolments (pupil_id, valid_from, recorded_at, status, group_id, enrolled_since)
                    VALUES (NEW.id, moment, moment, NEW.status, NEW.group_id, coalesce(since, '-infinity'));
                END IF;
                IF NEW.date_of_birth IS DISTINCT FROM OLD.date_of_birth THEN
                    INSERT INTO pupil_birth_dates (pupil_id, recorded_at, date_of_birth) VALUES (NEW.id, moment, NEW.date_of_birth);
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER pupils_history AFTER INSERT OR UPDATE ON pupils FOR EACH ROW EXECUTE FUNCTION record_pupil_history();

            -- Until consent is on record for a pupil, its guardian links are its set-up and hold from the start; once it
            -- is, a change (a new guardian, an unlink, authority gained or lost) holds from when it is recorded.
            CREATE FUNCTION record_link_history() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                moment timestamptz := consent_now();
                pupil uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.pupil_id ELSE NEW.pupil_id END;
                valid timestamptz;
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.has_parental_authority IS NOT DISTINCT FROM OLD.has_parental_authority THEN
                    RETURN NULL;
                END IF;
                valid := CASE WHEN EXISTS (SELECT FROM decisions d WHERE d.pupil_id = pupil) THEN moment ELSE '-infinity' END;
                IF TG_OP = 'DELETE' THEN
                    INSERT INTO guardian_link_changes (pupil_id, guardian_id, valid_from, recorded_at, has_parental_authority)
                    VALUES (OLD.pupil_id, OLD.guardian_id, valid, moment, NULL);
                ELSE
                    INSERT INTO guardian_link_changes (pupil_id, guardian_id, valid_from, recorded_at, has_parental_authority)
                    VALUES (NEW.pupil_id, NEW.guardian_id, valid, moment, NEW.has_parental_authority);
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER guardian_links_history AFTER INSERT OR UPDATE OR DELETE ON guardian_links
                FOR EACH ROW EXECUTE FUNCTION record_link_history();

            -- An organisation's first policy holds from the start; a change from when it is recorded.
            CREATE FUNCTION record_policy_history() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                moment timestamptz := CASE WHEN TG_OP = 'INSERT' THEN '-infinity' ELSE consent_now() END;
            BEGIN
                IF TG_OP = 'UPDATE' AND (NEW.grant_requires, NEW.school_year_end_month, NEW.school_year_end_day, NEW.time_zone, NEW.after_leaving)
                    IS NOT DISTINCT FROM (OLD.grant_requires, OLD.school_year_end_month, OLD.school_year_end_day, OLD.time_zone, OLD.after_leaving) THEN
                    RETURN NULL;
                END IF;
                INSERT INTO policy_changes (organisation_id, valid_from, recorded_at, grant_requires, school_year_end_month,
                    school_year_end_day, time_zone, after_leaving)
                VALUES (NEW.id, moment, moment, NEW.grant_requires, NEW.school_year_end_month, NEW.school_year_end_day,
                    NEW.time_zone, NEW.after_leaving);
                RETURN NULL;
            END $$;
            CREATE TRIGGER organisations_policy_history AFTER INSERT OR UPDATE ON organisations
                FOR EACH ROW EXECUTE FUNCTION record_policy_history();

            -- A channel's meaning is its audience and whether it is in use: changing either ends the grants given for it
            -- before (meaning_since). A new name changes nothing.
            CREATE FUNCTION record_channel_history() RETURNS trigger LANGUAGE plpgsql AS $$
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
            CREATE TRIGGER channels_history AFTER INSERT OR UPDATE ON channels FOR EACH ROW EXECUTE FUNCTION record_channel_history();

            -- What is on record now held from the start; a pupil who left, from the day they left.
            INSERT INTO pupil_enrolments (pupil_id, valid_from, recorded_at, status, group_id, enrolled_since)
            SELECT id, '-infinity', '-infinity', 'Active', group_id, '-infinity' FROM pupils;
            INSERT INTO pupil_enrolments (pupil_id, valid_from, recorded_at, status, group_id, enrolled_since)
            SELECT p.id, p.left_on::timestamp AT TIME ZONE o.time_zone, '-infinity', 'Left', p.group_id, '-infinity'
            FROM pupils p JOIN organisations o ON o.id = p.organisation_id
            WHERE p.status = 'Left' AND p.left_on IS NOT NULL;
            INSERT INTO pupil_birth_dates (pupil_id, recorded_at, date_of_birth) SELECT id, '-infinity', date_of_birth FROM pupils;
            INSERT INTO guardian_link_changes (pupil_id, guardian_id, valid_from, recorded_at, has_parental_authority)
            SELECT pupil_id, guardian_id, '-infinity', '-infinity', has_parental_authority FROM guardian_links;
            INSERT INTO policy_changes (organisation_id, valid_from, recorded_at, grant_requires, school_year_end_month,
                school_year_end_day, time_zone, after_leaving)
            SELECT id, '-infinity', '-infinity', grant_requires, school_year_end_month, school_year_end_day, time_zone, after_leaving
            FROM organisations;
            INSERT INTO channel_changes (organisation_id, channel_key, valid_from, recorded_at, audience, retired, meaning_since)
            SELECT organisation_id, key, '-infinity', '-infinity', audience, retired_at IS NOT NULL, coalesce(retired_at, '-infinity')
            FROM channels;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER channels_history ON channels;
                DROP TRIGGER organisations_policy_history ON organisations;
                DROP TRIGGER guardian_links_history ON guardian_links;
                DROP TRIGGER pupils_history ON pupils;
                DROP FUNCTION record_channel_history();
                DROP FUNCTION record_policy_history();
                DROP FUNCTION record_link_history();
                DROP FUNCTION record_pupil_history();
                DROP TABLE channel_changes, policy_changes, guardian_link_changes, pupil_birth_dates, pupil_enrolments;
                DROP FUNCTION consent_now();
                """);

            migrationBuilder.Sql("""
                DROP TRIGGER publication_check_pupils_never_truncated ON publication_check_pupils;
                DROP TRIGGER publication_check_pupils_append_only ON publication_check_pupils;
                DROP TRIGGER publication_checks_never_truncated ON publication_checks;
                DROP TRIGGER publication_checks_append_only ON publication_checks;
                DROP FUNCTION publication_checks_are_append_only();
                """);

            migrationBuilder.DropTable(
                name: "guardian_schools");

            migrationBuilder.DropTable(
                name: "publication_check_pupils");

            migrationBuilder.DropTable(
                name: "publication_checks");

            migrationBuilder.DropIndex(
                name: "ix_decisions_pupil_id_media_type_channel_key_guardian_id_given",
                table: "decisions");

            migrationBuilder.DropCheckConstraint(
                name: "ck_consent_form_versions_published",
                table: "consent_form_versions");

            migrationBuilder.DropCheckConstraint(
                name: "ck_consent_form_versions_withdrawn",
                table: "consent_form_versions");

            migrationBuilder.DropColumn(
                name: "after_leaving",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "time_zone",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "withdrawal_reason",
                table: "consent_form_versions");

            migrationBuilder.DropColumn(
                name: "withdrawn_at",
                table: "consent_form_versions");

            migrationBuilder.CreateIndex(
                name: "ix_decisions_pupil_id_media_type_channel_key_given_at_sequence",
                table: "decisions",
                columns: new[] { "pupil_id", "media_type", "channel_key", "given_at", "sequence" })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "guardian_id", "outcome", "form_version_id" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_consent_form_versions_published",
                table: "consent_form_versions",
                sql: "(status = 'Published') = (published_at IS NOT NULL AND content_hash IS NOT NULL)");
        }
    }
}
