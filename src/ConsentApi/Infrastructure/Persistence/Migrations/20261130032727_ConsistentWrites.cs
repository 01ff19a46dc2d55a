using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ConsistentWrites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_audit_events_organisation_id_id",
                table: "audit_events");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "lease_expires_at",
                table: "webhook_subscriptions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "lease_owner",
                table: "webhook_subscriptions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "sequence",
                table: "outbox_events",
                type: "bigint",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "bigint")
                .OldAnnotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn);

            migrationBuilder.AddColumn<long>(
                name: "sequence",
                table: "audit_events",
                type: "bigint",
                nullable: false)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn);

            migrationBuilder.CreateTable(
                name: "announced_consents",
                columns: table => new
                {
                    pupil_id = table.Column<Guid>(type: "uuid", nullable: false),
                    media_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    channel_key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    state = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_announced_consents", x => new { x.pupil_id, x.media_type, x.channel_key });
                    table.ForeignKey(
                        name: "fk_announced_consents_pupils_pupil_id",
                        column: x => x.pupil_id,
                        principalTable: "pupils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_organisation_id_sequence",
                table: "audit_events",
                columns: new[] { "organisation_id", "sequence" });

            // An event's position is taken by a trigger, after its transaction owns an xid (CommitFence relies on
            // that order). CACHE 1: positions must rise across sessions in the order they are taken.
            migrationBuilder.Sql("""
                CREATE SEQUENCE outbox_position AS bigint CACHE 1;
                SELECT setval('outbox_position', COALESCE(max(sequence), 0) + 1, false) FROM outbox_events;

                CREATE FUNCTION outbox_events_take_position() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
                BEGIN
                    PERFORM pg_current_xact_id();
                    NEW.sequence := nextval('outbox_position');
                    RETURN NEW;
                END
                $$;

                CREATE TRIGGER outbox_events_take_position BEFORE INSERT ON outbox_events
                    FOR EACH ROW EXECUTE FUNCTION outbox_events_take_position();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER outbox_events_take_position ON outbox_events;
                DROP FUNCTION outbox_events_take_position();
                DROP SEQUENCE outbox_position;
                """);

            migrationBuilder.DropTable(
                name: "announced_consents");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_organisation_id_sequence",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "lease_expires_at",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "lease_owner",
                table: "webhook_subscriptions");

            migrationBuilder.DropColumn(
                name: "sequence",
                table: "audit_events");

            migrationBuilder.AlterColumn<long>(
                name: "sequence",
                table: "outbox_events",
                type: "bigint",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "bigint")
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn);

            migrationBuilder.Sql(
                "SELECT setval(pg_get_serial_sequence('outbox_events', 'sequence'), COALESCE(max(sequence), 0) + 1, false) FROM outbox_events;");

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_organisation_id_id",
                table: "audit_events",
                columns: new[] { "organisation_id", "id" });
        }
    }
}
