using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.GuardianAccess;

/// <summary>One of the guardian's children, with their current choices.</summary>
/// <param name="HasParentalAuthority">Only with parental authority can the guardian decide; without it they can only look.</param>
/// <param name="DecidesThemself">The child is 16 or older (today, in the organisation's time zone) and decides on their own consent: their guardians are asked nothing and see none of the child's choices (`consents` is empty).</param>
/// <param name="Left">The child has left the school: nothing new is asked, but the guardian can still withdraw.</param>
/// <param name="Consents">Every item asked or answered, with its state and reason now. As decisions only this guardian's own (none without parental authority): what another guardian decided is theirs.</param>
public sealed record ChildResponse(
    Guid PupilId,
    [property: MaxLength(FieldLengths.Name)] string DisplayName,
    Guid SchoolId,
    bool HasParentalAuthority,
    bool DecidesThemself,
    bool Left,
    [property: MaxLength(1000)] IReadOnlyList<ConsentItemState> Consents);

public sealed record ChildrenResponse([property: MaxLength(50)] IReadOnlyList<ChildResponse> Children);

public sealed record GetChildrenQuery(string GuardianExternalId) : IQuery<ChildrenResponse>;

/// <summary>
/// Two round trips however many children: the guardian with their children and the organisation's time zone, then the
/// facts of every child under 16 in one read of the facts model.
/// </summary>
public sealed class GetChildrenHandler(ConsentDbContext db, ConsentFactsReader reader, CurrentClient client, TimeProvider clock)
    : IQueryHandler<GetChildrenQuery, ChildrenResponse>
{
    public async ValueTask<ChildrenResponse> Handle(GetChildrenQuery query, CancellationToken ct)
    {
        // Children who left are listed too: withdrawing stays possible after a child left (GDPR art. 7(3)).
        var family = await GuardianScope.FamilyAsync(db, client, query.GuardianExternalId, includeLeft: true, ct);
        var now = clock.GetUtcNow();
        var today = family.Calendar.DayOf(now);
        var asked = family.Children.Where(c => !ConsentCalendar.IsSixteenOn(c.DateOfBirth, today)).Select(c => c.PupilId).ToList();
        var facts = await reader.ReadAsync(new FactsRequest(client.OrganisationId, asked,
            client.IsLimitedToSchools ? client.SchoolIds : null, null, now, now) { WithDecisionDetails = true }, ct);
        return new ChildrenResponse(family.Children.Select(child =>
        {
            var decidesThemself = ConsentCalendar.IsSixteenOn(child.DateOfBirth, today);
            IReadOnlyList<ConsentItemState> consents = decidesThemself
                ? []
                : GuardianScope.MatrixOf(facts, child.PupilId).Where(i => i.State != ConsentState.NotAsked)
                    .Select(i => GuardianScope.OwnView(i, family.Guardian.Id, child.HasParentalAuthority)).ToList();
            return new ChildResponse(child.PupilId, child.DisplayName, child.SchoolId, child.HasParentalAuthority, decidesThemself,
                child.Status == PupilStatus.Left, consents);
        }).ToList());
    }
}

public static class GetGuardianChildrenEndpoint
{
    public static RouteHandlerBuilder MapGetGuardianChildren(this RouteGroupBuilder group) =>
        group.MapGet("/children", Children)
            .WithName("GetGuardianChildren")
            .WithSummary("The guardian's children and their current choices")
            .WithDescription("""
                For a parents' app acting for one guardian, named by the admin system's id. Only that guardian's
                children at schools the client may see appear; anything else is not found. Each item shows its state and
                reason, and as decisions only this guardian's own: never another guardian's or the pupil's (a guardian
                without parental authority sees states only). A child of 16 or older decides themself: `decidesThemself`
                is true and no items are listed. A child who left the school is listed with `left: true`, so that the
                guardian can still withdraw.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<ChildrenResponse>> Children(string guardianExternalId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetChildrenQuery(guardianExternalId), ct));
}
