using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DecisionFactsIndexNewestFirst : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_decisions_pupil_id_media_type_channel_key_given_at_sequence",
                table: "decisions");

            migrationBuilder.CreateIndex(
                name: "ix_decisions_pupil_id_media_type_channel_key_guardian_id_given",
                table: "decisions",
                columns: new[] { "pupil_id", "media_type", "channel_key", "guardian_id", "given_at", "sequence" },
                descending: new[] { false, false, false, false, true, true })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "outcome", "form_version_id", "recorded_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_decisions_pupil_id_media_type_channel_key_guardian_id_given",
                table: "decisions");

            migrationBuilder.CreateIndex(
                name: "ix_decisions_pupil_id_media_type_channel_key_given_at_sequence",
                table: "decisions",
                columns: new[] { "pupil_id", "media_type", "channel_key", "given_at", "sequence" })
                .Annotation("Npgsql:IndexInclude", new[] { "id", "guardian_id", "outcome", "form_version_id" });
        }
    }
}
