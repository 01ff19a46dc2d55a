using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization.Metadata;
using ConsentApi.Domain;
using ConsentApi.Features.Groups;
using ConsentApi.Features.Guardians;
using ConsentApi.Features.Pupils;
using ConsentApi.Infrastructure.Http;

namespace ConsentApi.Features.Roster;

/// <summary>
/// The whole roster of one school as the admin system has it now: every group, every pupil attending, and every
/// guardian those pupils are linked to.
/// </summary>
/// <param name="Groups">The school's groups, identified by external id.</param>
/// <param name="Pupils">Every pupil attending the school. Pupils the school has but this list lacks are marked `left`.</param>
/// <param name="Guardians">Every guardian a pupil in this roster is linked to, identified by external id within the organisation.</param>
public sealed record RosterRequest(
    [property: Required, MaxLength(RosterRequest.MaxGroups)] LimitedList<GroupRequest> Groups,
    [property: Required, MaxLength(RosterRequest.MaxPupils)] LimitedList<RosterPupil> Pupils,
    [property: Required, MaxLength(RosterRequest.MaxGuardians)] LimitedList<GuardianRequest> Guardians)
{
    public const int MaxGroups = 2_000;
    public const int MaxPupils = 20_000;
    public const int MaxGuardians = 40_000;

    /// <summary>
    /// Gives the roster's lists their limits while the body is read: a 64 MiB body holds hundreds of thousands of small
    /// pupils, and building them all before <c>[MaxLength]</c> refuses them costs hundreds of MB per request.
    /// </summary>
    public static void LimitListsWhileReading(JsonTypeInfo info)
    {
        Func<object>? create = info.Type switch
        {
            var t when t == typeof(LimitedList<GroupRequest>) => () => new LimitedList<GroupRequest>(MaxGroups),
            var t when t == typeof(LimitedList<RosterPupil>) => () => new LimitedList<RosterPupil>(MaxPupils),
            var t when t == typeof(LimitedList<GuardianRequest>) => () => new LimitedList<GuardianRequest>(MaxGuardians),
            var t when t == typeof(LimitedList<RosterGuardianLink>) => () => new LimitedList<RosterGuardianLink>(PupilRules.MaxGuardians),
            _ => null,
        };
        if (create is not null)
        {
            info.CreateObject = create;
        }
    }
}

/// <summary>A pupil in the roster.</summary>
/// <param name="ExternalId">The admin system's id for the pupil, unique within the school.</param>
/// <param name="DisplayName">The name staff know the pupil by.</param>
/// <param name="DateOfBirth">Decides from when the pupil consents for themself (16 years).</param>
/// <param name="GroupExternalId">The external id of the pupil's group, one of the roster's groups.</param>
/// <param name="Guardians">The pupil's guardians, each one of the roster's guardians.</param>
public sealed record RosterPupil(
    [property: Required, StringLength(FieldLengths.ExternalId, MinimumLength = 1)] string ExternalId,
    [property: Required, StringLength(FieldLengths.Name, MinimumLength = 1)] string DisplayName,
    [property: Required] DateOnly? DateOfBirth,
    [property: StringLength(FieldLengths.ExternalId, MinimumLength = 1)] string? GroupExternalId,
    [property: MaxLength(PupilRules.MaxGuardians)] LimitedList<RosterGuardianLink>? Guardians);

/// <summary>A pupil's link to a guardian of the roster.</summary>
/// <param name="ExternalId">The guardian's external id.</param>
/// <param name="HasParentalAuthority">Whether the guardian holds parental authority over the pupil.</param>
public sealed record RosterGuardianLink(
    [property: Required, StringLength(FieldLengths.ExternalId, MinimumLength = 1)] string ExternalId,
    [property: Required] bool? HasParentalAuthority);

/// <summary>What a roster sync changed. Sending the same roster again reports everything unchanged.</summary>
public sealed record RosterSyncResponse(
    RosterCounts Groups,
    PupilRosterCounts Pupils,
    RosterCounts Guardians,
    LinkRosterCounts GuardianLinks);

public sealed record RosterCounts(int Created, int Updated, int Unchanged);

/// <param name="Updated">Pupils whose details, group, status or guardian links changed.</param>
/// <param name="Left">Pupils absent from the roster, now marked `left`.</param>
public sealed record PupilRosterCounts(int Created, int Updated, int Left, int Unchanged);

public sealed record LinkRosterCounts(int Created, int Updated, int Removed);
