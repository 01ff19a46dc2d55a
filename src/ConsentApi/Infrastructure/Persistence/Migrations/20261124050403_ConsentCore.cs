using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ConsentCore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "grant_requires",
                table: "organisations",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "school_year_end_day",
                table: "organisations",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "school_year_end_month",
                table: "organisations",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "channels",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    name_nl = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    name_en = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    audience = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    retired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_channels", x => x.id);
                    table.UniqueConstraint("ak_channels_organisation_id_key", x => new { x.organisation_id, x.key });
                    table.CheckConstraint("ck_channels_key", "key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'");
                    table.ForeignKey(
                        name: "fk_channels_organisations_organisation_id",
                        column: x => x.organisation_id,
                        principalTable: "organisations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "consent_forms",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    school_id = table.Column<Guid>(type: "uuid", nullable: true),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_consent_forms", x => x.id);
                    table.ForeignKey(
                        name: "fk_consent_forms_organisations_organisation_id",
                        column: x => x.organisation_id,
                        principalTable: "organisations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_consent_forms_schools_school_id",
                        column: x => x.school_id,
                        principalTable: "schools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "consent_form_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    form_id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    text_nl = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    text_en = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: true),
                    validity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    school_year = table.Column<string>(type: "character varying(9)", maxLength: 9, nullable: true),
                    content_hash = table.Column<string>(type: "character varying(71)", maxLength: 71, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    superseded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_consent_form_versions", x => x.id);
                    table.CheckConstraint("ck_consent_form_versions_published", "(status = 'Published') = (published_at IS NOT NULL AND content_hash IS NOT NULL)");
                    table.CheckConstraint("ck_consent_form_versions_school_year", "(validity = 'SchoolYear') = (school_year IS NOT NULL)");
                    table.ForeignKey(
                        name: "fk_consent_form_versions_consent_forms_form_id",
                        column: x => x.form_id,
                        principalTable: "consent_forms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "consent_form_items",
                columns: table => new
                {
                    version_id = table.Column<Guid>(type: "uuid", nullable: false),
                    media_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    channel_key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_consent_form_items", x => new { x.version_id, x.media_type, x.channel_key });
                    table.ForeignKey(
                        name: "fk_consent_form_items_channels_organisation_id_channel_key",
                        columns: x => new { x.organisation_id, x.channel_key },
                        principalTable: "channels",
                        principalColumns: new[] { "organisation_id", "key" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_consent_form_items_consent_form_versions_version_id",
                        column: x => x.version_id,
                        principalTable: "consent_form_versions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "decisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    organisation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    pupil_id = table.Column<Guid>(type: "uuid", nullable: false),
                    batch_id = table.Column<Guid>(type: "uuid", nullable: false),
                    form_version_id = table.Column<Guid>(type: "uuid", nullable: false),
                    media_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    channel_key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    guardian_id = table.Column<Guid>(type: "uuid", nullable: true),
                    method = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    given_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    recorded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    recorded_by_client_id = table.Column<Guid>(type: "uuid", nullable: true),
                    proof_reference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_decisions_channels_organisation_id_channel_key",
                        columns: x => new { x.organisation_id, x.channel_key },
                        principalTable: "channels",
                        principalColumns: new[] { "organisation_id", "key" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_decisions_consent_form_versions_form_version_id",
                        column: x => x.form_version_id,
                        principalTable: "consent_form_versions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_decisions_guardians_guardian_id",
                        column: x => x.guardian_id,
                        principalTable: "guardians",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_decisions_pupils_pupil_id",
                        column: x => x.pupil_id,
                        principalTable: "pupils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_organisations_school_year_end",
                table: "organisations",
                sql: "make_date(2001, school_year_end_month, school_year_end_day) IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_consent_form_items_organisation_id_channel_key",
                table: "consent_form_items",
                columns: new[] { "organisation_id", "channel_key" });

            migrationBuilder.CreateIndex(
                name: "ix_consent_form_items_organisation_id_media_type_channel_key",
                table: "consent_form_items",
                columns: new[] { "organisation_id", "media_type", "channel_key" });

            migrationBuilder.CreateIndex(
                name: "ix_consent_form_versions_form_id_number",
                table: "consent_form_versions",
                columns: new[] { "form_id", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_consent_forms_organisation_id_id",
                table: "consent_forms",
                columns: new[] { "organisation_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_consent_forms_school_id",
                table: "consent_forms",
                column: "school_id");

            migrationBuilder.CreateIndex(
                name: "ix_decisions_batch_id",
                table: "decisions",
                column: "batch_id");

            migrationBuilder.CreateIndex(
                name: "ix_decisions_form_version_id",
                table: "decisions",
                column: "form_version_id");

            migrationBuilder.CreateIndex(
                name: "ix_decisions_guardian_id",
                table: "decisions",
                column: "guardian_id");

            migrationBuilder.CreateIndex(
                name: "ix_decisions_organisation_id_channel_key",
                table: "decisions",
                columns: new[] { "organisation_id", "channel_key" });

            migrationBuilder.CreateIndex(
                name: "ix_decisions_pupil_id_media_type_channel_key_given_at_sequence",
                table: "decisions",
                columns: new[] { "pupil_id", "media_type", "channel_key", "given_at", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_decisions_pupil_id_sequence",
                table: "decisions",
                columns: new[] { "pupil_id", "sequence" });

            // Organisations created before channels existed get the default ones.
            migrationBuilder.Sql("""
                INSERT INTO channels (id, organisation_id, key, name_nl, name_en, audience)
                SELECT gen_random_uuid(), o.id, d.key, d.name_nl, d.name_en, d.audience
                FROM organisations o
                CROSS JOIN (VALUES
                    ('school-guide', 'Schoolgids', 'School guide', 'Public'),
                    ('website', 'Website', 'Website', 'Public'),
                    ('newsletter', 'Nieuwsbrief', 'Newsletter', 'Closed'),
                    ('social-media', 'Sociale media', 'Social media', 'Public'),
                    ('parent-app', 'Ouderapp', 'Parents'' app', 'Closed')) AS d(key, name_nl, name_en, audience);
                """);

            // Decisions are the proof of consent: the database itself refuses to change or delete one.
            migrationBuilder.Sql("""
                CREATE FUNCTION decisions_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'decisions are append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
                END $$;
                CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions
                    FOR EACH ROW EXECUTE FUNCTION decisions_are_append_only();
                CREATE TRIGGER decisions_never_truncated BEFORE TRUNCATE ON decisions
                    FOR EACH STATEMENT EXECUTE FUNCTION decisions_are_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER decisions_never_truncated ON decisions; DROP TRIGGER decisions_append_only ON decisions; DROP FUNCTION decisions_are_append_only();");

            migrationBuilder.DropTable(
                name: "consent_form_items");

            migrationBuilder.DropTable(
                name: "decisions");

            migrationBuilder.DropTable(
                name: "channels");

            migrationBuilder.DropTable(
                name: "consent_form_versions");

            migrationBuilder.DropTable(
                name: "consent_forms");

            migrationBuilder.DropCheckConstraint(
                name: "ck_organisations_school_year_end",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "grant_requires",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "school_year_end_day",
                table: "organisations");

            migrationBuilder.DropColumn(
                name: "school_year_end_month",
                table: "organisations");
        }
    }
}
