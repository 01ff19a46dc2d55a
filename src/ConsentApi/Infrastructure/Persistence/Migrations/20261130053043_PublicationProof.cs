using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PublicationProof : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER publication_check_pupils_never_truncated ON publication_check_pupils;
                DROP TRIGGER publication_check_pupils_append_only ON publication_check_pupils;
                DROP TRIGGER publication_checks_never_truncated ON publication_checks;
                DROP TRIGGER publication_checks_append_only ON publication_checks;
                DROP FUNCTION publication_checks_are_append_only();
                """);

            migrationBuilder.DropTable(
                name: "publication_check_pupils");

            migrationBuilder.DropTable(
                name: "publication_checks");
        }
    }
}
