namespace ConsentApi.Infrastructure.Persistence;

/// <summary>
/// Keys of PostgreSQL advisory locks: one per organisation and purpose. A collision between two organisations only
/// makes them wait for each other; it never lets two holders in at once.
/// </summary>
public static class AdvisoryLocks
{
    public const long Roster = 0x526F73746572;      // "Roster"
    public const long Sweep = 0x5377656570;         // "Sweep"
    public const long Consent = 0x436F6E73656E74;   // "Consent"
    public const long Turning16 = 0x5475726E3136;   // "Turn16"
    public const long Imports = 0x496D706F7274;     // "Import"

    public static long Key(Guid organisationId, long purpose) => BitConverter.ToInt64(organisationId.ToByteArray(), 8) ^ purpose;
}
