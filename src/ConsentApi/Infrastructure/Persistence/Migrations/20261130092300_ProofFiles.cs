using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ProofFiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "ix_proof_files_batch_id_id",
                table: "proof_files",
                columns: new[] { "batch_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_proof_files_pupil_id_id",
                table: "proof_files",
                columns: new[] { "pupil_id", "id" });

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
            migrationBuilder.DropTable(
                name: "proof_file_chunks");

            migrationBuilder.DropTable(
                name: "proof_files");
        }
    }
}
