namespace ConsentApi.Domain.Consent;

/// <summary>
/// Where material is published. Identified by its key within the organisation ("social-media"); the key never changes,
/// so decisions and forms can name it for good. A retired channel keeps its history but takes no new form items.
/// </summary>
public sealed class Channel
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; init; }
    public required string Key { get; init; }
    public required string NameNl { get; set; }
    public string? NameEn { get; set; }
    public ChannelAudience Audience { get; set; }

    /// <summary>Whether what is published there can be taken back; printed matter cannot.</summary>
    public ChannelRecall Recall { get; set; } = ChannelRecall.Removable;
    public DateTimeOffset? RetiredAt { get; set; }

    /// <summary>The channels every organisation starts with, from the board's protocol.</summary>
    public static IEnumerable<Channel> Defaults(Guid organisationId) =>
    [
        new() { OrganisationId = organisationId, Key = "school-guide", NameNl = "Schoolgids", NameEn = "School guide", Audience = ChannelAudience.Public },
        new() { OrganisationId = organisationId, Key = "website", NameNl = "Website", NameEn = "Website", Audience = ChannelAudience.Public },
        new() { OrganisationId = organisationId, Key = "newsletter", NameNl = "Nieuwsbrief", NameEn = "Newsletter", Audience = ChannelAudience.Closed },
        new() { OrganisationId = organisationId, Key = "social-media", NameNl = "Sociale media", NameEn = "Social media", Audience = ChannelAudience.Public },
        new() { OrganisationId = organisationId, Key = "parent-app", NameNl = "Ouderapp", NameEn = "Parents' app", Audience = ChannelAudience.Closed },
    ];
}
