using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ConsentHistories : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "after_leaving",
                table: "organisations",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Ends");

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
            migrationBuilder.DropColumn(
                name: "after_leaving",
                table: "organisations");
        }
    }
}
