using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Consents;

/// <param name="PupilId">The pupil.</param>
/// <param name="At">The moment to evaluate; defaults to now. A past moment shows what held then.</param>
/// <param name="AsKnownAt">What the record knew; defaults to now. Decisions recorded after it are left out.</param>
public sealed record GetConsentMatrixQuery(Guid PupilId, DateTimeOffset? At, DateTimeOffset? AsKnownAt = null) : IQuery<ConsentMatrixResponse>;

public sealed class GetConsentMatrixHandler(ConsentFactsReader reader, CurrentClient client, TimeProvider clock)
    : IQueryHandler<GetConsentMatrixQuery, ConsentMatrixResponse>
{
    public async ValueTask<ConsentMatrixResponse> Handle(GetConsentMatrixQuery query, CancellationToken ct)
    {
        var (at, asKnownAt) = ConsentFactQueries.MomentsOf(query.At, query.AsKnownAt, clock);
        var facts = await reader.ReadAsync(new FactsRequest(client.OrganisationId, [query.PupilId],
            client.IsLimitedToSchools ? client.SchoolIds : null, null, at, asKnownAt) { WithDecisionDetails = true }, ct);
        if (!facts.Pupils.ContainsKey(query.PupilId))
        {
            throw new NotFoundException("Pupil", query.PupilId);
        }

        return new ConsentMatrixResponse(query.PupilId, at, asKnownAt, facts.MatrixOf(query.PupilId));
    }
}

public static class ConsentMatrices
{
    /// <summary>
    /// A found pupil's matrix from facts read for one pupil or many (the parents' app reads all of a guardian's children at
    /// once): every media type on every channel in use, and every item the pupil's forms ask or anyone decided on.
    /// </summary>
    public static List<ConsentItemState> MatrixOf(this ConsentFactSet facts, Guid pupilId)
    {
        var pupil = facts.Pupils[pupilId];
        var pupilIs16 = pupil.Policy.Calendar.IsSixteen(pupil.DateOfBirth, facts.At);
        var items = facts.ChannelItems.Concat(facts.ItemsOf(pupilId)).InReadingOrder();
        return items.Select(item =>
        {
            var result = facts.Evaluate(pupilId, item);
            var basis = result.Basis.Select(b => b.Id).ToHashSet();
            // From 16 the state rests on the pupil's own decision; the guardians' latest ones are shown after it, marked
            // as what they decided before the birthday.
            return new ConsentItemState(item.MediaType, item.ChannelKey, result.State, result.Reason, result.Allowed,
                facts.DecisionsOf(pupilId, item).Where(r => basis.Contains(r.Id) || (pupilIs16 && r.GuardianId is not null))
                    .Select(r => r.ToResponse(pupilIs16)).ToList());
        }).ToList();
    }
}

public static class GetConsentMatrixEndpoint
{
    public static RouteHandlerBuilder MapGetConsentMatrix(this RouteGroupBuilder group) =>
        group.MapGet("/{pupilId:guid}/consents", Matrix)
            .WithName("GetPupilConsents")
            .WithSummary("A pupil's effective consent per media type and channel")
            .WithDescription("""
                The state of every item (media type × channel) at `at` (default now): `granted`, `refused`, `conflict`,
                `pending`, `not-asked`, `expired` or `needs-pupil-consent`, with the reason and the decisions it rests
                on. Only `granted` allows publication. Computed from the decisions on every request: a withdrawal shows
                at once. `asKnownAt` (default now) answers as the record stood then: decisions recorded later, such as
                a paper form keyed in afterwards, are left out. From the pupil's 16th birthday each item also lists the
                guardians' latest decisions, marked `supersededAt16`: what they decided before, which no longer counts.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ConsentMatrixResponse>> Matrix(
        Guid pupilId, DateTimeOffset? at, DateTimeOffset? asKnownAt, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetConsentMatrixQuery(pupilId, at, asKnownAt), ct));
}
