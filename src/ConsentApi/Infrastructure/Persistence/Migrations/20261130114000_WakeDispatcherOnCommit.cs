using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConsentApi.Infrastructure.Persistence.Migrations
{
    /// <summary>
    /// Wakes the webhook dispatchers when deliveries become due: a NOTIFY on <c>consent_outbox</c>, which PostgreSQL
    /// hands to the listeners only when the writing transaction commits (a rolled-back one wakes nobody), and only once
    /// per transaction however many rows it wrote. A trigger, not a call in the app, so that every writer of deliveries
    /// (commands, the takedown sweep, the turning-16 and retention jobs, a resend) wakes them without knowing of them.
    /// </summary>
    public partial class WakeDispatcherOnCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION webhook_deliveries_wake() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('consent_outbox', '');
                    RETURN NULL;
                END $$;

                CREATE TRIGGER webhook_deliveries_wake_on_insert AFTER INSERT ON webhook_deliveries
                    FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_wake();

                -- A resend puts a delivery back in the queue; the dispatcher's own recording (delivered, given up, a retry
                -- moved later) must not wake it again.
                CREATE TRIGGER webhook_deliveries_wake_on_resend AFTER UPDATE ON webhook_deliveries
                    FOR EACH ROW WHEN (NEW.status = 'Pending' AND (OLD.status <> 'Pending' OR NEW.next_attempt_at < OLD.next_attempt_at))
                    EXECUTE FUNCTION webhook_deliveries_wake();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER webhook_deliveries_wake_on_resend ON webhook_deliveries;
                DROP TRIGGER webhook_deliveries_wake_on_insert ON webhook_deliveries;
                DROP FUNCTION webhook_deliveries_wake();
                """);
        }
    }
}
