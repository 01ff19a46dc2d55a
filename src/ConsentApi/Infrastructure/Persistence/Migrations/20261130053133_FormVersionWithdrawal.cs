using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class FormVersionWithdrawal : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_consent_form_versions_published",
                table: "consent_form_versions");

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

            migrationBuilder.AddCheckConstraint(
                name: "ck_consent_form_versions_published",
                table: "consent_form_versions",
                sql: "(status <> 'Draft') = (published_at IS NOT NULL AND content_hash IS NOT NULL)");

            migrationBuilder.AddCheckConstraint(
                name: "ck_consent_form_versions_withdrawn",
                table: "consent_form_versions",
                sql: "(status = 'Withdrawn') = (withdrawn_at IS NOT NULL) AND (withdrawal_reason IS NULL OR withdrawn_at IS NOT NULL)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_consent_form_versions_published",
                table: "consent_form_versions");

            migrationBuilder.DropCheckConstraint(
                name: "ck_consent_form_versions_withdrawn",
                table: "consent_form_versions");

            migrationBuilder.DropColumn(
                name: "withdrawal_reason",
                table: "consent_form_versions");

            migrationBuilder.DropColumn(
                name: "withdrawn_at",
                table: "consent_form_versions");

            migrationBuilder.AddCheckConstraint(
                name: "ck_consent_form_versions_published",
                table: "consent_form_versions",
                sql: "(status = 'Published') = (published_at IS NOT NULL AND content_hash IS NOT NULL)");
        }
    }
}
