using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RecognisabilityAndRecall : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "takedowns",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Removal");

            // Every pupil registered before recognisability was asked was declared recognisable.
            migrationBuilder.AddColumn<bool>(
                name: "recognisable",
                table: "publication_pupil",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "unrecognisable_declared_by",
                table: "publication_checks",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "unrecognisable_declared_by_client_id",
                table: "publication_checks",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "recognisable",
                table: "publication_check_pupils",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "recall",
                table: "channels",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Removable");

            migrationBuilder.Sql(ChannelRecallHistory);
        }

        // Whether a channel's items can be recalled is kept in its history, as of when it was recorded; unlike the
        // audience it is not part of what was consented to, so it leaves meaning_since (and the grants) as they are.
        private const string ChannelRecallHistory = """
            ALTER TABLE channel_changes ADD COLUMN recall character varying(16) NOT NULL DEFAULT 'Removable';

            CREATE OR REPLACE FUNCTION record_channel_history() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                moment timestamptz := consent_now();
                since timestamptz;
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO channel_changes (organisation_id, channel_key, valid_from, recorded_at, audience, retired, meaning_since, recall)
                    VALUES (NEW.organisation_id, NEW.key, '-infinity', '-infinity', NEW.audience, NEW.retired_at IS NOT NULL, '-infinity', NEW.recall);
                ELSIF NEW.audience IS DISTINCT FROM OLD.audience OR (NEW.retired_at IS NULL) <> (OLD.retired_at IS NULL) THEN
                    INSERT INTO channel_changes (organisation_id, channel_key, valid_from, recorded_at, audience, retired, meaning_since, recall)
                    VALUES (NEW.organisation_id, NEW.key, moment, moment, NEW.audience, NEW.retired_at IS NOT NULL, moment, NEW.recall);
                ELSIF NEW.recall IS DISTINCT FROM OLD.recall THEN
                    SELECT h.meaning_since INTO since FROM channel_changes h
                    WHERE h.organisation_id = NEW.organisation_id AND h.channel_key = NEW.key
                    ORDER BY h.valid_from DESC, h.id DESC LIMIT 1;
                    INSERT INTO channel_changes (organisation_id, channel_key, valid_from, recorded_at, audience, retired, meaning_since, recall)
                    VALUES (NEW.organisation_id, NEW.key, moment, moment, NEW.audience, NEW.retired_at IS NOT NULL,
                        coalesce(since, '-infinity'), NEW.recall);
                END IF;
                RETURN NULL;
            END $$;
            """;

        private const string ChannelHistoryWithoutRecall = """
            CREATE OR REPLACE FUNCTION record_channel_history() RETURNS trigger LANGUAGE plpgsql AS $$
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
            -- Rows written for a change of recall alone repeat the meaning before them; they stay, harmless, without it.
            ALTER TABLE channel_changes DROP COLUMN recall;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ChannelHistoryWithoutRecall);

            migrationBuilder.DropColumn(
                name: "kind",
                table: "takedowns");

            migrationBuilder.DropColumn(
                name: "recognisable",
                table: "publication_pupil");

            migrationBuilder.DropColumn(
                name: "unrecognisable_declared_by",
                table: "publication_checks");

            migrationBuilder.DropColumn(
                name: "unrecognisable_declared_by_client_id",
                table: "publication_checks");

            migrationBuilder.DropColumn(
                name: "recognisable",
                table: "publication_check_pupils");

            migrationBuilder.DropColumn(
                name: "recall",
                table: "channels");
        }
    }
}
