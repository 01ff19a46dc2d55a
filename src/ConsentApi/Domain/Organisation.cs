namespace ConsentApi.Domain;

/// <summary>A school board: the tenant. Everything else belongs to exactly one organisation.</summary>
public sealed class Organisation
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Whose grant suffices while a pupil is under 16.</summary>
    public Consent.GrantRequires GrantRequires { get; set; } = Consent.GrantRequires.AnyGuardian;

    /// <summary>With <see cref="SchoolYearEndDay"/>: the last day of a school year, when school-year consent ends.</summary>
    public int SchoolYearEndMonth { get; set; } = 7;
    public int SchoolYearEndDay { get; set; } = 31;

    /// <summary>The IANA time zone whose local days are the days of consent (16th birthdays, school years, "today").</summary>
    public string TimeZone { get; set; } = ConsentCalendar.DefaultTimeZone;

    /// <summary>Whether grants end when a pupil leaves a school of the organisation.</summary>
    public Consent.ConsentAfterLeaving AfterLeaving { get; set; } = Consent.ConsentAfterLeaving.Ends;

    /// <summary>
    /// How many months after the local day a pupil left their personal data is kept before it is erased (the ledger of
    /// their consent is kept, pseudonymised). See docs/retention.md for the default of 24.
    /// </summary>
    public int KeepMonthsAfterLeaving { get; set; } = RetentionPolicy.DefaultKeepMonths;

    public Consent.ConsentPolicy Policy => new(GrantRequires, SchoolYearEndMonth, SchoolYearEndDay, TimeZone, AfterLeaving);
}

public static class RetentionPolicy
{
    public const int DefaultKeepMonths = 24;
    public const int MinKeepMonths = 1;
    public const int MaxKeepMonths = 120;
}
