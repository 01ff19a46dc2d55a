namespace ConsentApi.Domain;

/// <summary>Why a pupil's personal data was erased.</summary>
public enum ErasureReason
{
    /// <summary>On request (<c>POST /v1/pupils/{pupilId}/erasure</c>), for example a data subject's request under art. 17.</summary>
    Request,

    /// <summary>The organisation's retention period after leaving had passed.</summary>
    Retention,
}

/// <summary>
/// The record of one pupil's erasure: when, why and how much was blanked. One per pupil (its key), written in the erasing
/// transaction, so that the erasure happens once and a repeated request answers the same record. It holds no personal data.
/// </summary>
public sealed class PupilErasure
{
    public Guid PupilId { get; init; }
    public Guid OrganisationId { get; init; }
    public Guid SchoolId { get; init; }
    public DateTimeOffset ErasedAt { get; init; }
    public ErasureReason Reason { get; init; }

    /// <summary>The API client that asked; null for the retention job.</summary>
    public Guid? ErasedByClientId { get; init; }

    /// <summary>Decisions whose note or proof reference was blanked.</summary>
    public int DecisionNotes { get; init; }

    /// <summary>Proof files whose content and name were erased.</summary>
    public int ProofFiles { get; init; }

    /// <summary>Guardians of no other kept pupil whose name and external id were blanked.</summary>
    public int Guardians { get; init; }

    /// <summary>Stored answers of retried requests (idempotency keys) that named the pupil or such a guardian, deleted.</summary>
    public int StoredResponses { get; init; }

    /// <summary>Event payloads and webhook attempt records from which a name or external id was scrubbed.</summary>
    public int EventRecords { get; init; }
}
