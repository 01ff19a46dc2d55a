using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Persistence;

/// <summary>
/// The database role the API runs as, apart from the owner that migrates: it may read and write what the API needs and
/// nothing more. On <c>decisions</c>, <c>audit_events</c>, the stored publication checks and the histories of links,
/// enrolment, dates of birth, policy and channels it may only INSERT and SELECT, so no bug and no stolen connection can
/// change or erase a decision, its audit trail, a publication's proof or what a past answer rests on; and, not being a
/// superuser or the owner, it cannot switch the append-only triggers off. The one change it may make to the evidence is an
/// erasure's (<see cref="Features.Pupils.PupilEraser"/>): blanking a decision's note and proof reference, renaming a proof
/// file, and deleting its content through <c>erase_proof_file_content</c> (run with the owner's rights); the columns are
/// granted alone, and the triggers allow even these only for an erased pupil. Each person's newest decision per item
/// (<c>decision_heads</c>) is moved by the trigger on inserting decisions, and the guardians holding authority as the
/// link history ends (<c>pupil_authority</c>) by the trigger on changing links, as this role, so it may insert and update
/// them but not delete them; the facts kept on a pupil's row are set by a trigger from the row's own changes, whatever a
/// statement writes to them. Granted by <c>migrate</c> when
/// <c>Database__RuntimeRole</c> is set.
/// </summary>
public static partial class RuntimeRole
{
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Name();

    /// <summary>Creates the role when a password is given and it does not exist yet, then grants it the API's privileges.</summary>
    public static async Task GrantAsync(ConsentDbContext db, string role, string? password, CancellationToken ct = default)
    {
        if (!Name().IsMatch(role))
        {
            throw new InvalidOperationException($"Database:RuntimeRole '{role}' is not a plain lower-case role name.");
        }
        if (password is { Length: > 0 }
            && !await db.Database.SqlQuery<bool>($"SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = {role}) AS \"Value\"").SingleAsync(ct))
        {
            // CREATE ROLE takes no parameters: PostgreSQL itself quotes the name and the password into the statement.
            var create = await db.Database
                .SqlQuery<string>($"SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', {role}, {password}) AS \"Value\"")
                .SingleAsync(ct);
            await db.Database.ExecuteSqlRawAsync(create, ct);
        }
        // Identifiers cannot be parameters; the role name is checked against a plain pattern above.
#pragma warning disable EF1002
        await db.Database.ExecuteSqlRawAsync($"""
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            REVOKE UPDATE, DELETE, TRUNCATE ON decisions, proof_files, proof_file_chunks, audit_events, publication_checks, publication_check_pupils,
                pupil_enrolments, pupil_birth_dates, guardian_link_changes, policy_changes, channel_changes, pupil_erasures FROM {role};
            GRANT UPDATE (note, proof_reference) ON decisions TO {role};
            REVOKE DELETE, TRUNCATE ON decision_heads, pupil_authority FROM {role};
            GRANT UPDATE (file_name, erased_at) ON proof_files TO {role};
            GRANT EXECUTE ON FUNCTION erase_proof_file_content(uuid) TO {role};
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {ConsentDb.MigrationsHistoryTable} FROM {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
            """, ct);
#pragma warning restore EF1002
    }
}
