namespace ConsentApi.Domain.Consent;

/// <summary>The kinds of recording consent is asked for. Fixed: they match the protocol's photo, film and audio.</summary>
public enum MediaType
{
    /// <summary>Still images.</summary>
    Photo,

    /// <summary>Moving images, with or without sound.</summary>
    Film,

    /// <summary>Sound recordings in which the pupil can be recognised.</summary>
    Audio,
}

/// <summary>Who may see what is published on a channel.</summary>
public enum ChannelAudience
{
    /// <summary>Anyone can see it (website, social media, the printed school guide).</summary>
    Public,

    /// <summary>Only the school's own community can see it (the parents' app, the newsletter to parents).</summary>
    Closed,
}

/// <summary>Whether an item published on a channel can be taken back when consent ends.</summary>
public enum ChannelRecall
{
    /// <summary>It can be removed (website, social media, the parents' app).</summary>
    Removable,

    /// <summary>
    /// It cannot (a printed school guide or newsletter already handed out): a takedown asks not to reprint it or hand it
    /// out again.
    /// </summary>
    NotRecallable,
}

/// <summary>A person's answer for one item. A withdrawal is a later <c>refused</c>.</summary>
public enum ConsentOutcome
{
    /// <summary>Yes: publication is allowed for this item, as far as this person decides.</summary>
    Granted,

    /// <summary>No, or no longer: a withdrawal is a refusal recorded after a grant.</summary>
    Refused,
}

/// <summary>How a decision reached the school, kept as proof.</summary>
public enum DecisionMethod
{
    /// <summary>Given in the parents' app.</summary>
    ParentApp,

    /// <summary>Signed on a paper form and keyed in by the school (keep the form: see `proofReference`).</summary>
    Paper,

    /// <summary>Sent by e-mail and keyed in by the school.</summary>
    Email,

    /// <summary>Given on a web form of the school.</summary>
    Web,

    /// <summary>Said to a member of staff, who recorded it.</summary>
    InPerson,
}

/// <summary>How long a grant under a form version lasts.</summary>
public enum ConsentValidity
{
    /// <summary>Until a later decision by the same person.</summary>
    UntilWithdrawn,

    /// <summary>Until the end of the form version's school year (the organisation's school-year end, default 31 July).</summary>
    SchoolYear,
}

/// <summary>Organisation policy: whose grant suffices while the pupil is under 16.</summary>
public enum GrantRequires
{
    /// <summary>At least one guardian with parental authority granted, and none refused.</summary>
    AnyGuardian,

    /// <summary>Every guardian with parental authority granted.</summary>
    AllGuardians,
}

/// <summary>Organisation policy: what leaving the school means for consent.</summary>
public enum ConsentAfterLeaving
{
    /// <summary>Consent is given "while the child is at this school": grants end when the pupil leaves, and a pupil who returns is asked again.</summary>
    Ends,

    /// <summary>Grants keep counting after the pupil left, until withdrawn or expired.</summary>
    Continues,
}

/// <summary>The effective consent for one pupil, media type and channel at a moment. Only <c>granted</c> allows publication.</summary>
public enum ConsentState
{
    /// <summary>Publication is allowed.</summary>
    Granted,

    /// <summary>Refused or withdrawn: publication is not allowed.</summary>
    Refused,

    /// <summary>Guardians disagree (one granted, another refused): publication is not allowed.</summary>
    Conflict,

    /// <summary>Asked and not (fully) answered: publication is not allowed.</summary>
    Pending,

    /// <summary>Never asked: publication is not allowed.</summary>
    NotAsked,

    /// <summary>A grant ended (school year over, form version withdrawn, channel changed or retired, pupil left): publication is not allowed.</summary>
    Expired,

    /// <summary>The pupil is 16 or older and has not decided themself: publication is not allowed.</summary>
    NeedsPupilConsent,
}

/// <summary>Why an item has its state: stable codes clients may branch on.</summary>
public static class ConsentReasons
{
    public const string GrantedByGuardian = "granted-by-guardian";
    public const string GrantedByAllGuardians = "granted-by-all-guardians";
    public const string GrantedByPupil = "granted-by-pupil";
    public const string RefusedByGuardian = "refused-by-guardian";
    public const string RefusedByPupil = "refused-by-pupil";
    public const string GuardiansDisagree = "guardians-disagree";
    public const string AwaitingOtherGuardian = "awaiting-other-guardian";
    public const string NoAnswer = "no-answer";
    public const string NotAsked = "not-asked";
    public const string NoGuardianWithAuthority = "no-guardian-with-authority";
    public const string ConsentExpired = "consent-expired";
    public const string FormVersionWithdrawn = "form-version-withdrawn";
    public const string PupilIs16 = "pupil-is-16";
    public const string PupilLeft = "pupil-left";
    public const string ChannelChanged = "channel-changed";
    public const string ChannelRetired = "channel-retired";

    public static readonly IReadOnlyList<string> All =
    [
        GrantedByGuardian, GrantedByAllGuardians, GrantedByPupil, RefusedByGuardian, RefusedByPupil, GuardiansDisagree,
        AwaitingOtherGuardian, NoAnswer, NotAsked, NoGuardianWithAuthority, ConsentExpired, FormVersionWithdrawn, PupilIs16, PupilLeft,
        ChannelChanged, ChannelRetired,
    ];
}
