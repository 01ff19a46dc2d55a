using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Pupils;

/// <summary>What is kept of an erased pupil: the organisation's proof of lawful processing, under ids.</summary>
public enum ErasureKept
{
    /// <summary>Every decision: who (by id) decided what, when, by which method, answering which form version.</summary>
    Decisions,

    /// <summary>The form versions' texts and their hashes, the text each decision answered.</summary>
    FormVersions,

    /// <summary>The date of birth: whether the pupil or the guardians decided at a past moment depends on it.</summary>
    DateOfBirth,

    /// <summary>When the pupil was enrolled, in which group, and when they left.</summary>
    EnrolmentHistory,

    /// <summary>Which guardians (by id) were linked and held parental authority, and when.</summary>
    GuardianLinks,

    /// <summary>The publication checks publications relied on, with every pupil's state and reason.</summary>
    PublicationChecks,

    /// <summary>The publications and takedowns showing the pupil, by id; their free-text descriptions are the school's.</summary>
    Publications,

    /// <summary>The proof files' SHA-256, size and type: a paper copy that turns up can still be matched.</summary>
    ProofFileHashes,

    /// <summary>The audit trail, which names resources by id only.</summary>
    AuditTrail,
}

/// <summary>How much personal data an erasure blanked besides the pupil's own name and external id, which it always replaces.</summary>
/// <param name="DecisionNotes">Decisions whose note or proof reference was removed.</param>
/// <param name="ProofFiles">Proof files whose content was deleted and whose name was replaced.</param>
/// <param name="Guardians">Guardians with no other pupil whose data is kept: name and external id replaced.</param>
/// <param name="StoredResponses">Stored answers for retried requests (Idempotency-Key) that named the pupil or such a guardian, deleted.</param>
/// <param name="EventRecords">Webhook event bodies and delivery attempt records from which a name or external id was removed.</param>
public sealed record ErasedCounts(
    [property: Range(0, int.MaxValue)] int DecisionNotes,
    [property: Range(0, int.MaxValue)] int ProofFiles,
    [property: Range(0, int.MaxValue)] int Guardians,
    [property: Range(0, int.MaxValue)] int StoredResponses,
    [property: Range(0, int.MaxValue)] int EventRecords);

/// <summary>The record of a pupil's erasure. The same record answers every later request for the same pupil.</summary>
/// <param name="PupilId">The pupil; the id stays, and the consent history and publication checks under it answer as before.</param>
/// <param name="ErasedAt">When the personal data was erased.</param>
/// <param name="Reason">`request` (this operation) or `retention` (the retention period after leaving passed).</param>
/// <param name="Erased">What was blanked: always the pupil's name and external id (now placeholders), and the counts here.</param>
/// <param name="Kept">What is kept as the organisation's proof of lawful processing, under ids.</param>
public sealed record PupilErasureResponse(
    Guid PupilId,
    Guid SchoolId,
    DateTimeOffset ErasedAt,
    ErasureReason Reason,
    ErasedCounts Erased,
    [property: MaxLength(20)] IReadOnlyList<ErasureKept> Kept)
{
    public static PupilErasureResponse Of(PupilErasure e) => new(e.PupilId, e.SchoolId, e.ErasedAt, e.Reason,
        new ErasedCounts(e.DecisionNotes, e.ProofFiles, e.Guardians, e.StoredResponses, e.EventRecords),
        Enum.GetValues<ErasureKept>());
}

public sealed record ErasePupilCommand(Guid PupilId) : ICommand<PupilErasureResponse>;

public sealed class ErasePupilHandler(ConsentDbContext db, CurrentClient client, PupilEraser eraser, AuditScope audit)
    : ICommandHandler<ErasePupilCommand, PupilErasureResponse>
{
    public async ValueTask<PupilErasureResponse> Handle(ErasePupilCommand command, CancellationToken ct)
    {
        if (!await db.Pupils.VisibleTo(client).AnyAsync(p => p.Id == command.PupilId, ct))
        {
            throw new NotFoundException("Pupil", command.PupilId);
        }
        var outcome = await eraser.EraseAsync(client.OrganisationId, command.PupilId, ErasureReason.Request, client.ClientId, ct);
        audit.On("pupil", command.PupilId);
        if (!outcome.Erased)
        {
            audit.Unchanged();
        }
        return PupilErasureResponse.Of(outcome.Erasure);
    }
}

public static class ErasePupilEndpoint
{
    public static RouteHandlerBuilder MapErasePupil(this RouteGroupBuilder group) =>
        group.MapPost("/{pupilId:guid}/erasure", Erase)
            .WithName("ErasePupil")
            .WithSummary("Erase the personal data of a pupil who left")
            .WithDescription("""
                Erases the pupil's personal data now, whatever the organisation's retention period: the name and
                external id become placeholders, the notes and proof references of their decisions are removed, their
                proof files' content is deleted (the SHA-256, size and type stay), and guardians with no other pupil
                whose data is kept lose their name and external id too. Kept, under ids, is the organisation's proof of
                lawful processing: the decisions with their form texts and hashes, enrolment and guardian-link history,
                the date of birth and the publication checks; consent history and past publication checks answer as
                before. Only for a pupil who left (409 while the pupil is at the school, whose administration the school
                must keep). Audited and announced as `pupil.erased`. A repeat answers the same record and changes
                nothing. Afterwards a refusal for the pupil is still recorded (without its note and proof reference), a
                grant is refused (409), no proof file can be added (409), and the pupil's proof files answer 410.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<PupilErasureResponse>> Erase(Guid pupilId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ErasePupilCommand(pupilId), ct));
}
