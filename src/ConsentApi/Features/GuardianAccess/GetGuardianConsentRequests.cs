using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Contract;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.OpenApi;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.GuardianAccess;

/// <summary>A campaign's request for one child, in the language asked for.</summary>
/// <param name="Language">The language of <c>text</c>: English when asked and available, else Dutch.</param>
/// <param name="Items">What the form asks, each with its state now for the child.</param>
public sealed record PendingRequest(
    Guid CampaignId,
    Guid PupilId,
    [property: MaxLength(FieldLengths.Name)] string ChildName,
    Guid FormVersionId,
    [property: MaxLength(FieldLengths.ContentHash)] string ContentHash,
    [property: MaxLength(2), OneOf(typeof(FormLanguage))] string Language,
    [property: MaxLength(FieldLengths.FormText)] string Text,
    DateOnly ClosesOn,
    [property: MaxLength(60)] IReadOnlyList<ConsentItemState> Items);

public sealed record PendingRequestsResponse([property: MaxLength(200)] IReadOnlyList<PendingRequest> Requests);

public sealed record GetPendingRequestsQuery(string GuardianExternalId, string Language) : IQuery<PendingRequestsResponse>;

/// <summary>
/// Three round trips however many children and requests: the guardian with their children, the open requests with their
/// form's items and whether this guardian answered each, and the facts of the children asked in one read of the facts model.
/// </summary>
public sealed class GetPendingRequestsHandler(ConsentDbContext db, ConsentFactsReader reader, CurrentClient client, TimeProvider clock)
    : IQueryHandler<GetPendingRequestsQuery, PendingRequestsResponse>
{
    public async ValueTask<PendingRequestsResponse> Handle(GetPendingRequestsQuery query, CancellationToken ct)
    {
        var family = await GuardianScope.FamilyAsync(db, client, query.GuardianExternalId, includeLeft: false, ct);
        var guardianId = family.Guardian.Id;
        var now = clock.GetUtcNow();
        var today = family.Calendar.DayOf(now);
        // Only what this guardian can answer: children over whom they have parental authority and who are under 16.
        var childIds = family.Children.Where(c => c.HasParentalAuthority).Select(c => c.PupilId).ToList();
        var requests = (await (from r in db.ConsentRequests
                               join c in db.Campaigns on r.CampaignId equals c.Id
                               join v in db.ConsentFormVersions on c.FormVersionId equals v.Id
                               join p in db.Pupils on r.PupilId equals p.Id
                               where childIds.Contains(r.PupilId) && c.ClosedAt == null && c.OpensOn <= today && c.ClosesOn >= today
                                     // A withdrawn or superseded version no longer takes grants: nothing left to ask with it.
                                     && v.Status == FormVersionStatus.Published && v.SupersededAt == null
                               orderby p.DisplayName, c.Id
                               select new
                               {
                                   CampaignId = c.Id, c.ClosesOn, VersionId = v.Id, v.ContentHash, v.TextNl, v.TextEn, p.Id, p.DisplayName, p.DateOfBirth,
                                   Items = db.ConsentFormItems.Where(i => i.VersionId == v.Id)
                                       .Select(i => new
                                       {
                                           i.MediaType, i.ChannelKey,
                                           Answered = db.Decisions.Any(d => d.PupilId == p.Id && d.GuardianId == guardianId
                                               && d.FormVersionId == v.Id && d.MediaType == i.MediaType && d.ChannelKey == i.ChannelKey),
                                       }).ToList(),
                               }).AsNoTracking().ToListAsync(ct))
            .Where(r => !ConsentCalendar.IsSixteenOn(r.DateOfBirth, today) && r.Items.Any(i => !i.Answered)).ToList();
        var facts = await reader.ReadAsync(new FactsRequest(client.OrganisationId, [.. requests.Select(r => r.Id).Distinct()],
            client.IsLimitedToSchools ? client.SchoolIds : null, null, now, now) { WithDecisionDetails = true }, ct);

        return new PendingRequestsResponse(requests.Select(request =>
        {
            var asked = request.Items.Select(i => (i.MediaType, i.ChannelKey)).ToHashSet();
            var english = query.Language == "en" && request.TextEn is not null;
            return new PendingRequest(request.CampaignId, request.Id, request.DisplayName, request.VersionId,
                request.ContentHash!, english ? "en" : "nl", english ? request.TextEn! : request.TextNl,
                request.ClosesOn, GuardianScope.MatrixOf(facts, request.Id).Where(i => asked.Contains((i.MediaType, i.Channel)))
                    .Select(i => GuardianScope.OwnView(i, guardianId, hasAuthority: true)).ToList());
        }).ToList());
    }
}

public static class GetGuardianConsentRequestsEndpoint
{
    public static RouteHandlerBuilder MapGetGuardianConsentRequests(this RouteGroupBuilder group) =>
        group.MapGet("/consent-requests", Requests)
            .WithName("GetGuardianConsentRequests")
            .WithSummary("What the guardian still has to answer")
            .WithDescription("""
                The open campaigns' requests for the guardian's children that this guardian has not answered fully,
                with the form text in the language of `Accept-Language` (`nl` by default, `en` when the form has it)
                and each item's state now (as decisions only this guardian's own). Only what the guardian can answer:
                children over whom they have parental authority and who are under 16 (from 16 the pupil decides).
                A campaign whose form version was withdrawn or superseded asks nothing more: grants under it are refused.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithMetadata(new HonoursAcceptLanguage("""
                The language the guardian reads: the form text is English (`language` `en`) when the most preferred
                language is English (`en`, `en-GB`, ...) and the form version has an English text; Dutch (`nl`) otherwise.
                """));

    private static async Task<Ok<PendingRequestsResponse>> Requests(string guardianExternalId, HttpContext context, ISender sender, CancellationToken ct)
    {
        var english = context.Request.GetTypedHeaders().AcceptLanguage
            .OrderByDescending(l => l.Quality ?? 1).FirstOrDefault()?.Value.Value?.StartsWith("en", StringComparison.OrdinalIgnoreCase) == true;
        return TypedResults.Ok(await sender.Send(new GetPendingRequestsQuery(guardianExternalId, english ? "en" : "nl"), ct));
    }
}
