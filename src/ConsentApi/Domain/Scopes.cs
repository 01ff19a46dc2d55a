namespace ConsentApi.Domain;

/// <summary>What an API client may do. A client holds one or more of these.</summary>
public static class Scopes
{
    /// <summary>Operates the installation: creates organisations. Held only by the configured bootstrap key.</summary>
    public const string Platform = "platform";

    /// <summary>Manages an organisation: its schools, API clients and audit trail.</summary>
    public const string Admin = "admin";

    public const string RosterRead = "roster:read";
    public const string RosterWrite = "roster:write";
    public const string ConsentRead = "consent:read";
    public const string ConsentWrite = "consent:write";

    /// <summary>Acts for one guardian at a time (a parents' app backend): sees only that guardian's children.</summary>
    public const string GuardianAct = "guardian:act";

    /// <summary>The scopes an organisation's API clients can be given.</summary>
    public static readonly IReadOnlyList<string> Assignable = [Admin, RosterRead, RosterWrite, ConsentRead, ConsentWrite, GuardianAct];
}
