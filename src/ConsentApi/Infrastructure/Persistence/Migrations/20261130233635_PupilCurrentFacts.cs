using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <summary>
    /// A pupil's facts as its histories end, kept where a check of now reads them in one lookup each. On the pupil's row:
    /// the enrolment's start (its status, group and date of birth are the row's own) and <c>facts_recorded_at</c>, the
    /// latest moment its enrolment and date-of-birth history rows hold from or were recorded at. In
    /// <c>pupil_authority</c>: the guardians holding parental authority as the link history ends, and the latest moment
    /// in that history (a table of its own, so that a link's change leaves the pupil's row and its version alone). A read
    /// of a moment and a moment known both at or after such a moment finds nothing in those histories that does not
    /// count, so the kept facts are the answer and the histories are not read; otherwise they are read as before. Kept by
    /// triggers, like the histories, so that no writer can forget them; the application does not map them.
    /// </summary>
    public partial class PupilCurrentFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE pupils
                    ADD COLUMN enrolled_since timestamp with time zone NOT NULL DEFAULT '-infinity',
                    ADD COLUMN facts_recorded_at timestamp with time zone NOT NULL DEFAULT '-infinity';

                CREATE TABLE pupil_authority (
                    pupil_id uuid PRIMARY KEY REFERENCES pupils (id) ON DELETE CASCADE,
                    guardian_ids uuid[] NOT NULL,
                    recorded_at timestamp with time zone NOT NULL);

                -- The histories' answers at the end of time, and the latest moment in them.
                UPDATE pupils p
                SET enrolled_since = (SELECT e.enrolled_since FROM pupil_enrolments e WHERE e.pupil_id = p.id
                                      ORDER BY e.valid_from DESC, e.id DESC LIMIT 1),
                    facts_recorded_at = greatest(
                        (SELECT max(greatest(e.valid_from, e.recorded_at)) FROM pupil_enrolments e WHERE e.pupil_id = p.id),
                        (SELECT max(b.recorded_at) FROM pupil_birth_dates b WHERE b.pupil_id = p.id),
                        '-infinity');
                -- Where the row's own status, group or date of birth is not what its history ends with (a change whose
                -- moment came before the one already on record), the histories stay the answer for every moment.
                UPDATE pupils p
                SET facts_recorded_at = 'infinity'
                WHERE ROW(p.status, p.group_id) IS DISTINCT FROM (
                          SELECT ROW(e.status, e.group_id) FROM pupil_enrolments e WHERE e.pupil_id = p.id
                          ORDER BY e.valid_from DESC, e.id DESC LIMIT 1)
                   OR p.date_of_birth IS DISTINCT FROM (
                          SELECT b.date_of_birth FROM pupil_birth_dates b WHERE b.pupil_id = p.id
                          ORDER BY b.recorded_at DESC, b.id DESC LIMIT 1);
                INSERT INTO pupil_authority (pupil_id, guardian_ids, recorded_at)
                SELECT c.pupil_id,
                       coalesce(array_agg(c.guardian_id ORDER BY c.guardian_id) FILTER (WHERE c.has_parental_authority), '{}'),
                       max(c.latest)
                FROM (SELECT DISTINCT ON (pupil_id, guardian_id) pupil_id, guardian_id, has_parental_authority,
                             max(greatest(valid_from, recorded_at)) OVER (PARTITION BY pupil_id) AS latest
                      FROM guardian_link_changes
                      ORDER BY pupil_id, guardian_id, valid_from DESC, id DESC) c
                GROUP BY c.pupil_id;

                -- A pupil's first record holds from the start (as its history rows do). A later change of status, group
                -- or date of birth is recorded at the command's moment and becomes the end of its history, unless a
                -- moment already on record is later: then the order of the history and of the row's changes may differ,
                -- and the history is read at every moment from then on. What a statement writes to these columns itself
                -- is ignored.
                CREATE FUNCTION keep_pupil_current_facts() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    moment timestamptz := consent_now();
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        NEW.enrolled_since := '-infinity';
                        NEW.facts_recorded_at := '-infinity';
                        RETURN NEW;
                    END IF;
                    NEW.enrolled_since := OLD.enrolled_since;
                    NEW.facts_recorded_at := OLD.facts_recorded_at;
                    IF NEW.status IS DISTINCT FROM OLD.status OR NEW.group_id IS DISTINCT FROM OLD.group_id
                       OR NEW.date_of_birth IS DISTINCT FROM OLD.date_of_birth THEN
                        IF NEW.status IS DISTINCT FROM OLD.status AND OLD.status = 'Left' AND NEW.status = 'Active' THEN
                            NEW.enrolled_since := moment;
                        END IF;
                        NEW.facts_recorded_at := CASE WHEN moment >= OLD.facts_recorded_at THEN moment ELSE 'infinity' END;
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER pupils_current_facts BEFORE INSERT OR UPDATE ON pupils
                    FOR EACH ROW EXECUTE FUNCTION keep_pupil_current_facts();

                -- Link changes are recorded one after the other per pupil, under the pupil's row lock (a lock leaves the
                -- row's version alone; every command changing links holds it already): a change is recorded no earlier
                -- than the pupil's last, so that the history ends as the links do even when two commands took their
                -- moments in the other order than they got the lock. Then the guardians with authority as the history
                -- ends are kept, read from the history (under the lock, the statement sees any other writer's links once
                -- that one committed).
                CREATE OR REPLACE FUNCTION record_link_history() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    moment timestamptz := consent_now();
                    pupil uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.pupil_id ELSE NEW.pupil_id END;
                    valid timestamptz;
                BEGIN
                    IF TG_OP = 'UPDATE' AND NEW.has_parental_authority IS NOT DISTINCT FROM OLD.has_parental_authority THEN
                        RETURN NULL;
                    END IF;
                    PERFORM FROM pupils WHERE id = pupil FOR NO KEY UPDATE;
                    moment := greatest(moment, (SELECT max(c.recorded_at) FROM guardian_link_changes c WHERE c.pupil_id = pupil));
                    valid := CASE WHEN EXISTS (SELECT FROM decisions d WHERE d.pupil_id = pupil) THEN moment ELSE '-infinity' END;
                    IF TG_OP = 'DELETE' THEN
                        INSERT INTO guardian_link_changes (pupil_id, guardian_id, valid_from, recorded_at, has_parental_authority)
                        VALUES (OLD.pupil_id, OLD.guardian_id, valid, moment, NULL);
                    ELSE
                        INSERT INTO guardian_link_changes (pupil_id, guardian_id, valid_from, recorded_at, has_parental_authority)
                        VALUES (NEW.pupil_id, NEW.guardian_id, valid, moment, NEW.has_parental_authority);
                    END IF;
                    INSERT INTO pupil_authority AS a (pupil_id, guardian_ids, recorded_at)
                    VALUES (pupil, ARRAY(
                            SELECT l.guardian_id FROM (
                                SELECT DISTINCT ON (c.guardian_id) c.guardian_id, c.has_parental_authority
                                FROM guardian_link_changes c WHERE c.pupil_id = pupil
                                ORDER BY c.guardian_id, c.valid_from DESC, c.id DESC) l
                            WHERE l.has_parental_authority ORDER BY l.guardian_id), moment)
                    ON CONFLICT (pupil_id) DO UPDATE
                    SET guardian_ids = EXCLUDED.guardian_ids, recorded_at = greatest(a.recorded_at, EXCLUDED.recorded_at);
                    RETURN NULL;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION record_link_history() RETURNS trigger LANGUAGE plpgsql AS $$
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
                DROP TRIGGER pupils_current_facts ON pupils;
                DROP FUNCTION keep_pupil_current_facts();
                DROP TABLE pupil_authority;
                ALTER TABLE pupils DROP COLUMN facts_recorded_at, DROP COLUMN enrolled_since;
                """);
        }
    }
}
