using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <summary>A recorded decision as the reads need it: the rule inputs plus what a response shows.</summary>
public sealed record DecisionRow(
    Guid Id,
    Guid PupilId,
    Guid BatchId,
    Guid? GuardianId,
    MediaType MediaType,
    string ChannelKey,
    ConsentOutcome Outcome,
    DateTimeOffset GivenAt,
    DateTimeOffset RecordedAt,
    long Sequence,
    DecisionMethod Method,
    Guid? RecordedByClientId,
    Guid FormVersionId,
    string FormContentHash,
    ConsentValidity Validity,
    string? SchoolYear,
    string? ProofReference,
    string? Note,
    DateTimeOffset? FormWithdrawnAt = null)
{
    public DecisionFact ToFact() => new(Id, GuardianId, Outcome, GivenAt, Sequence, Validity, SchoolYear, FormWithdrawnAt);

    /// <param name="pupilIs16">Whether the pupil is 16 at the moment the answer is about: a guardian's decision is then history.
    /// (Guardians cannot decide from the 16th birthday, so every guardian's decision was given before it.)</param>
    public DecisionResponse ToResponse(bool pupilIs16) => new(Id, BatchId, MediaType, ChannelKey, Outcome,
        GuardianId is null ? DecidedBy.Pupil : DecidedBy.Guardian, GuardianId, Method, GivenAt, RecordedAt, RecordedByClientId,
        FormVersionId, FormContentHash, ProofReference, Note, pupilIs16 && GuardianId is not null);
}

/// <summary>A pupil as the rules see them: birthday, the organisation's policy, who holds parental authority; and enrolment.</summary>
public sealed record PupilFacts(
    Guid Id,
    Guid OrganisationId,
    Guid SchoolId,
    string ExternalId,
    string DisplayName,
    DateOnly DateOfBirth,
    ConsentPolicy Policy,
    IReadOnlyList<Guid> GuardiansWithAuthority,
    Guid? GroupId,
    PupilStatus Status,
    DateTimeOffset EnrolledSince = default);

internal static class ConsentFactQueries
{
    /// <summary>The moment a read asks about: now by default; a past moment for proof; never the future.</summary>
    public static DateTimeOffset MomentOf(DateTimeOffset? at, TimeProvider clock, string field = "at") =>
        MomentOf(at, clock.GetUtcNow(), field);

    /// <summary>A read's two times, `at` and `asKnownAt`, both now when not given (one now for both).</summary>
    public static (DateTimeOffset At, DateTimeOffset AsKnownAt) MomentsOf(DateTimeOffset? at, DateTimeOffset? asKnownAt, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return (MomentOf(at, now, "at"), MomentOf(asKnownAt, now, "asKnownAt"));
    }

    private static DateTimeOffset MomentOf(DateTimeOffset? moment, DateTimeOffset now, string field)
    {
        if (moment > now)
        {
            throw new RequestValidationException(field, "Consent can be asked for now or a past moment, not the future.");
        }
        return Moments.Normalise(moment) ?? now;
    }

    /// <summary>Items in reading order: photo, film, audio; channels by key.</summary>
    public static IEnumerable<(MediaType MediaType, string ChannelKey)> InReadingOrder(this IEnumerable<(MediaType MediaType, string ChannelKey)> items) =>
        items.Distinct().OrderBy(i => i.MediaType).ThenBy(i => i.ChannelKey, StringComparer.Ordinal);

    /// <summary>
    /// The <paramref name="decisions"/> in the order they were recorded, with what the rules and responses need of their
    /// form version. Ordered here because a constructed row cannot be ordered by the database afterwards; by sequence, as
    /// ids made in the same millisecond are in no particular order.
    /// </summary>
    public static IQueryable<DecisionRow> DecisionRows(this ConsentDbContext db, IQueryable<Decision> decisions) =>
        from d in decisions
        join v in db.ConsentFormVersions on d.FormVersionId equals v.Id
        orderby d.Sequence
        select new DecisionRow(d.Id, d.PupilId, d.BatchId, d.GuardianId, d.MediaType, d.ChannelKey, d.Outcome, d.GivenAt, d.RecordedAt,
            d.Sequence, d.Method, d.RecordedByClientId, d.FormVersionId, v.ContentHash!, v.Validity, v.SchoolYear,
            d.ProofReference, d.Note, v.WithdrawnAt);
}
