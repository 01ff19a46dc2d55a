using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Infrastructure.Events;

/// <summary>The kinds of event the API emits. Payloads carry ids and states, never names (data minimisation).</summary>
public static class EventTypes
{
    public const string ConsentChanged = "consent.changed";
    public const string TakedownOpened = "takedown.opened";
    public const string TakedownUpdated = "takedown.updated";
    public const string TakedownCompleted = "takedown.completed";
    public const string PublicationRegistered = "publication.registered";
    public const string RosterSynced = "roster.synced";
    public const string PupilTurning16 = "pupil.turning-16";
    public const string PupilErased = "pupil.erased";
    public const string ImportCompleted = "import.completed";
    public const string ImportFailed = "import.failed";

    public static readonly IReadOnlyList<string> All =
        [ConsentChanged, TakedownOpened, TakedownUpdated, TakedownCompleted, PublicationRegistered, RosterSynced, PupilTurning16, PupilErased,
         ImportCompleted, ImportFailed];
}

/// <summary>An event, written in the same transaction as the change that caused it (transactional outbox).</summary>
public sealed class OutboxEvent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>
    /// The event's position, the order in which subscriptions receive events. Taken by the database when the row is
    /// inserted (trigger <c>outbox_events_take_position</c>), never by the app: unique and rising across instances, in
    /// insert order within a transaction. The dispatcher sends only positions the <see cref="CommitFence"/> has
    /// settled, so a transaction that commits late is never overtaken.
    /// </summary>
    public long Sequence { get; init; }
    public Guid OrganisationId { get; init; }
    public Guid? SchoolId { get; init; }
    public required string Type { get; init; }

    /// <summary>The event's JSON body as delivered: <c>{ "type", "timestamp", "data" }</c>.</summary>
    public required string Payload { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A pupil who joined a takedown, with the state and reason that ended their consent.</summary>
public sealed record TakedownEventPupil(Guid PupilId, ConsentState State, [property: MaxLength(FieldLengths.Reason), OneOf(typeof(ConsentReason))] string Reason);

/// <summary>The <c>data</c> of takedown.opened and takedown.updated: the pupils who joined the publication's open takedown.</summary>
/// <param name="Kind">`removal`, or `do-not-reprint` for an item on a channel that cannot be recalled (printed matter).</param>
public sealed record TakedownEvent(
    Guid TakedownId,
    Guid PublicationId,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    MediaType MediaType,
    [property: MaxLength(Features.Consents.CheckPublicationRequest.MaxPupils)] IReadOnlyList<TakedownEventPupil> Pupils,
    Domain.Publishing.TakedownKind Kind);

/// <summary>One item whose effective consent changed: from the state last announced to the state now.</summary>
public sealed record ConsentChangedItem(
    MediaType MediaType, [property: MaxLength(FieldLengths.ChannelKey)] string Channel, ConsentState OldState, ConsentState NewState);

/// <summary>The <c>data</c> of consent.changed: the items of one pupil whose effective consent changed in one command.</summary>
/// <param name="PupilId">The pupil.</param>
/// <param name="Sequence">The pupil's event number: 1, 2, 3… without gaps; each item's old state is its new state in the
/// pupil's previous event that named it.</param>
public sealed record ConsentChangedEvent(Guid PupilId, long Sequence, [property: MaxLength(1000)] IReadOnlyList<ConsentChangedItem> Items);

/// <summary>The <c>data</c> of publication.registered.</summary>
public sealed record PublicationRegisteredEvent(
    Guid PublicationId,
    [property: MaxLength(FieldLengths.ChannelKey)] string Channel,
    MediaType MediaType,
    bool PublishedWithoutCheck,
    [property: MaxLength(Features.Consents.CheckPublicationRequest.MaxPupils)] IReadOnlyList<Guid> PupilIds);

/// <summary>The <c>data</c> of takedown.completed.</summary>
public sealed record TakedownCompletedEvent(Guid TakedownId, Guid PublicationId);

/// <summary>The <c>data</c> of pupil.turning-16: a pupil's 16th birthday is near, or today.</summary>
/// <param name="PupilId">The pupil.</param>
/// <param name="SchoolId">The pupil's school.</param>
/// <param name="Occasion">`upcoming` (within the notice period before the birthday) or `birthday` (from this day the pupil
/// decides: guardians' earlier decisions no longer count, and the school's open campaigns ask the pupil).</param>
/// <param name="Birthday">The 16th birthday, a local day of the organisation's time zone.</param>
/// <param name="LocalDay">The organisation's local day on which the event was written.</param>
/// <param name="DaysLeft">Days from <c>localDay</c> to the birthday; 0 on the day.</param>
public sealed record PupilTurning16Event(
    Guid PupilId, Guid SchoolId, Turning16Occasion Occasion, DateOnly Birthday, DateOnly LocalDay, [property: Range(0, 366)] int DaysLeft);

/// <summary>The <c>data</c> of pupil.erased: a pupil's personal data was erased. Ids only, like every event.</summary>
/// <param name="PupilId">The pupil; the id stays valid, and the consent history and publication checks under it are kept.</param>
/// <param name="SchoolId">The pupil's school.</param>
/// <param name="ErasedAt">When the data was erased.</param>
/// <param name="Reason">`request` (erased on request) or `retention` (the organisation's retention period after leaving passed).</param>
public sealed record PupilErasedEvent(Guid PupilId, Guid SchoolId, DateTimeOffset ErasedAt, ErasureReason Reason);

/// <summary>The <c>data</c> of import.completed and import.failed: an import job finished. Fetch the job for its result or errors.</summary>
/// <param name="ImportId">The job; <c>GET /v1/imports/{importId}</c>.</param>
/// <param name="SchoolId">The school the file was imported into.</param>
/// <param name="Kind">What the file was.</param>
/// <param name="DryRun">True when the job only reported what would change.</param>
/// <param name="Status">`succeeded` or `failed`.</param>
/// <param name="ErrorCount">How many problems the file had (0 when it succeeded).</param>
public sealed record ImportFinishedEvent(
    Guid ImportId, Guid SchoolId, Domain.Imports.ImportKind Kind, bool DryRun, Domain.Imports.ImportStatus Status, [property: Range(0, int.MaxValue)] int ErrorCount);

/// <summary>The <c>data</c> of roster.synced: what a roster sync changed.</summary>
public sealed record RosterSyncedEvent(int PupilsCreated, int PupilsUpdated, int PupilsLeft, int PupilsUnchanged);

/// <summary>
/// Adds events to the current unit of work, with a delivery for every active subscription that wants them: the event
/// and its deliveries commit, or roll back, with the change itself (transactional outbox). Nothing is sent here; the
/// dispatcher delivers after the commit, in event position order. Inserting a delivery takes only <c>FOR KEY SHARE</c>
/// on its subscription, which the dispatcher's claims (<c>FOR NO KEY UPDATE</c>) never block.
/// </summary>
public sealed class EventOutbox(ConsentDbContext db, CommandWrites writes, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = ConsentApiServices.CreateJsonOptions();
    private readonly Dictionary<Guid, List<Subscriber>> _subscriptions = [];

    /// <summary>What an event needs of a subscription to decide whether it gets a delivery.</summary>
    private sealed record Subscriber(Guid Id, IReadOnlyList<string> EventTypes, Guid? SchoolId);

    /// <summary>Forgets the subscriptions read by a rolled-back attempt: the command's next attempt reads them again.</summary>
    public void Reset() => _subscriptions.Clear();

    /// <summary>Adds the read of the organisation's subscriptions to a batch, unless they were read already.</summary>
    public void AddReads(ReadBatch batch, Guid organisationId)
    {
        if (_subscriptions.ContainsKey(organisationId))
        {
            return;
        }
        batch.Add("SELECT id, event_types, school_id FROM webhook_subscriptions WHERE organisation_id = $1 AND status <> $2",
            [organisationId, nameof(Domain.Webhooks.SubscriptionStatus.Disabled)], async (reader, ct) =>
            {
                var subscribers = new List<Subscriber>();
                while (await reader.ReadAsync(ct))
                {
                    subscribers.Add(new Subscriber(reader.GetGuid(0), reader.GetFieldValue<string[]>(1),
                        await reader.IsDBNullAsync(2, ct) ? null : reader.GetGuid(2)));
                }
                _subscriptions[organisationId] = subscribers;
            });
    }

    public async Task AddAsync<T>(string type, Guid organisationId, Guid? schoolId, T data, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = SequentialIds.Next(now);
        writes.Append(new OutboxEvent
        {
            Id = id,
            OrganisationId = organisationId,
            SchoolId = schoolId,
            Type = type,
            Payload = JsonSerializer.Serialize(new { id, type, timestamp = now, schoolId, data }, Json),
            OccurredAt = now,
        }, e => ReadBatch.Statement("""
            INSERT INTO outbox_events (id, organisation_id, school_id, type, payload, occurred_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
            """, e.Id, e.OrganisationId, ReadBatch.Typed(e.SchoolId, NpgsqlTypes.NpgsqlDbType.Uuid), e.Type, e.Payload, e.OccurredAt));

        if (!_subscriptions.TryGetValue(organisationId, out var subscriptions))
        {
            subscriptions = await db.WebhookSubscriptions.AsNoTracking()
                .Where(s => s.OrganisationId == organisationId && s.Status != Domain.Webhooks.SubscriptionStatus.Disabled)
                .Select(s => new Subscriber(s.Id, s.EventTypes, s.SchoolId))
                .ToListAsync(ct);
            _subscriptions[organisationId] = subscriptions;
        }
        foreach (var subscription in subscriptions.Where(s => s.EventTypes.Contains(type) && (s.SchoolId is null || s.SchoolId == schoolId)))
        {
            writes.Append(new Domain.Webhooks.WebhookDelivery
            {
                Id = SequentialIds.Next(now), SubscriptionId = subscription.Id, EventId = id, NextAttemptAt = now, CreatedAt = now,
            }, d => ReadBatch.Statement("""
                INSERT INTO webhook_deliveries (id, subscription_id, event_id, status, attempts, next_attempt_at, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, d.Id, d.SubscriptionId, d.EventId, d.Status.ToString(), d.Attempts, d.NextAttemptAt, d.CreatedAt));
        }
    }
}
