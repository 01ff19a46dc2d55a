using System.Text.Json.Serialization;

namespace ConsentApi.Infrastructure.Contract;

// The fixed sets of values that travel as strings in the code (they come from the domain's constants) but are enums in
// the contract. Each is named here once, so that the document can refer to one schema wherever the set is used, and
// [OneOf] can refuse anything else. A test holds each set equal to the domain's list.

/// <summary>Why an item has its state: a stable code clients may branch on.</summary>
public enum ConsentReason
{
    /// <summary>A guardian with parental authority granted and none refused (organisation policy `any-guardian`).</summary>
    GrantedByGuardian,

    /// <summary>Every guardian with parental authority granted (organisation policy `all-guardians`).</summary>
    GrantedByAllGuardians,

    /// <summary>The pupil, 16 or older, granted.</summary>
    GrantedByPupil,

    /// <summary>A guardian with parental authority refused (or withdrew) and no one granted.</summary>
    RefusedByGuardian,

    /// <summary>The pupil, 16 or older, refused (or withdrew).</summary>
    RefusedByPupil,

    /// <summary>One guardian granted and another refused: the state is `conflict`, which does not allow publication.</summary>
    GuardiansDisagree,

    /// <summary>Policy `all-guardians`: some guardians granted, others have not answered yet.</summary>
    AwaitingOtherGuardian,

    /// <summary>Asked (a published form lists the item), and no one has answered.</summary>
    NoAnswer,

    /// <summary>No published form asks this item for the pupil.</summary>
    NotAsked,

    /// <summary>No guardian is linked to the pupil with parental authority, so no one can decide.</summary>
    NoGuardianWithAuthority,

    /// <summary>The grant was given under a form version valid for one school year, and that year has ended.</summary>
    ConsentExpired,

    /// <summary>The form version the grant answered was withdrawn; a new answer is needed.</summary>
    FormVersionWithdrawn,

    /// <summary>The pupil is 16 or older and has not decided themself; guardians' grants no longer suffice.</summary>
    [JsonStringEnumMemberName("pupil-is-16")]
    PupilIs16,

    /// <summary>The pupil left the school and the organisation's policy ends consent on leaving.</summary>
    PupilLeft,

    /// <summary>The channel's audience changed after the grant: the grant was for what the channel meant then.</summary>
    ChannelChanged,

    /// <summary>The channel was retired: nothing may be published on it.</summary>
    ChannelRetired,
}

/// <summary>A scope an API client can be given: what its key may do.</summary>
public enum Scope
{
    /// <summary>Manages the organisation: its schools, channels, forms, API clients, webhooks and audit trail.</summary>
    Admin,

    /// <summary>Reads schools, groups, pupils and guardians.</summary>
    [JsonStringEnumMemberName("roster:read")]
    RosterRead,

    /// <summary>Creates and changes schools' groups, pupils and guardians, and syncs rosters.</summary>
    [JsonStringEnumMemberName("roster:write")]
    RosterWrite,

    /// <summary>Reads consent: effective state, history, checks, class sheets, publications and takedowns.</summary>
    [JsonStringEnumMemberName("consent:read")]
    ConsentRead,

    /// <summary>Records decisions, checks and registers publications, and completes takedowns.</summary>
    [JsonStringEnumMemberName("consent:write")]
    ConsentWrite,

    /// <summary>Acts for one guardian at a time (a parents' app backend): sees only that guardian's children.</summary>
    [JsonStringEnumMemberName("guardian:act")]
    GuardianAct,
}

/// <summary>The type of a webhook event.</summary>
public enum EventType
{
    /// <summary>A pupil's effective consent changed for one or more items (a decision, a withdrawal, a channel change).</summary>
    [JsonStringEnumMemberName("consent.changed")]
    ConsentChanged,

    /// <summary>A publication must come down: consent ended for a pupil shown in it.</summary>
    [JsonStringEnumMemberName("takedown.opened")]
    TakedownOpened,

    /// <summary>An open takedown gained pupils whose consent ended too.</summary>
    [JsonStringEnumMemberName("takedown.updated")]
    TakedownUpdated,

    /// <summary>A takedown was done: the publication was taken down or removed from the register.</summary>
    [JsonStringEnumMemberName("takedown.completed")]
    TakedownCompleted,

    /// <summary>A publication was registered, with the check it relied on.</summary>
    [JsonStringEnumMemberName("publication.registered")]
    PublicationRegistered,

    /// <summary>A school's roster was synced from its admin system.</summary>
    [JsonStringEnumMemberName("roster.synced")]
    RosterSynced,

    /// <summary>
    /// A pupil turns 16: some days before (the notice period, 30 days by default) and on the local day itself. From
    /// that day the pupil decides; the guardians' earlier decisions stay in the history but no longer count.
    /// </summary>
    [JsonStringEnumMemberName("pupil.turning-16")]
    PupilTurning16,

    /// <summary>
    /// A pupil's personal data was erased, on request or when the retention period after leaving passed. The ids and
    /// the consent history stay; names and external ids are placeholders from then on.
    /// </summary>
    [JsonStringEnumMemberName("pupil.erased")]
    PupilErased,

    /// <summary>An import job succeeded: the file was applied (or, in a dry run, checked).</summary>
    [JsonStringEnumMemberName("import.completed")]
    ImportCompleted,

    /// <summary>An import job failed: the file had errors or could not be processed; nothing changed.</summary>
    [JsonStringEnumMemberName("import.failed")]
    ImportFailed,
}

/// <summary>The language of a consent form's text.</summary>
public enum FormLanguage
{
    /// <summary>Dutch: every form version has a Dutch text.</summary>
    Nl,

    /// <summary>English, where the form version offers it.</summary>
    En,
}

/// <summary>Where a campaign is in its school year, on the organisation's local day.</summary>
public enum CampaignStatus
{
    /// <summary>Not yet open: its first day is still to come.</summary>
    Scheduled,

    /// <summary>Asking: between its first and last day, and not closed early.</summary>
    Open,

    /// <summary>Past its last day, or closed early.</summary>
    Closed,
}

/// <summary>Who to remind of an unanswered request.</summary>
public enum ReminderTargetType
{
    /// <summary>A guardian with parental authority who has not answered every item (`guardianId` and `externalId` are theirs).</summary>
    Guardian,

    /// <summary>The pupil, 16 or older, who decides themself (`externalId` is the pupil's).</summary>
    Pupil,
}

/// <summary>The health of the service or of one of its checks, as ASP.NET Core health checks name it.</summary>
public enum ServiceHealth
{
    /// <summary>Working.</summary>
    [JsonStringEnumMemberName("Healthy")]
    Healthy,

    /// <summary>Working with reduced service.</summary>
    [JsonStringEnumMemberName("Degraded")]
    Degraded,

    /// <summary>Not working: a load balancer should send requests elsewhere.</summary>
    [JsonStringEnumMemberName("Unhealthy")]
    Unhealthy,
}
