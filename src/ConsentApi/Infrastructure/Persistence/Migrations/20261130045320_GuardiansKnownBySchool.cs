using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class GuardiansKnownBySchool : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            migrationBuilder.CreateIndex(
                name: "ix_guardian_schools_school_id_guardian_id",
                table: "guardian_schools",
                columns: new[] { "school_id", "guardian_id" });

            // Until now a school knew the guardians linked to its pupils.
            migrationBuilder.Sql("""
                INSERT INTO guardian_schools (guardian_id, school_id, display_name)
                SELECT DISTINCT l.guardian_id, p.school_id, g.display_name
                FROM guardian_links l
                JOIN pupils p ON p.id = l.pupil_id
                JOIN guardians g ON g.id = l.guardian_id
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "guardian_schools");
        }
    }
}
