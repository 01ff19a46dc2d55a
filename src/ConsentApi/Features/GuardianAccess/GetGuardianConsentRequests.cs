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

public sealed class GetPendingRequestsHandler(ConsentDbContext db, CurrentClient client, ISender sender, TimeProvider clock)
    : IQueryHandler<GetPendingRequestsQuery, PendingRequestsResponse>
{
    public async ValueTask<PendingRequestsResponse> Handle(GetPendingRequestsQuery query, CancellationToken ct)
    {
        var (guardian, children) = await GuardianScope.ResolveAsync(db, client, query.GuardianExternalId, includeLeft: false, ct);
        var today = (await db.CalendarAsync(client.OrganisationId, ct)).DayOf(clock.GetUtcNow());
        // Only what this guardian can answer: children over whom they have parental authority and who are under 16.
        var childIds = children.Where(c => c.Value).Select(c => c.Key).ToList();
        var requests = (await (from r in db.ConsentRequests
                               join c in db.Campaigns on r.CampaignId equals c.Id
                               join v in db.ConsentFormVersions on c.FormVersionId equals v.Id
                               join p in db.Pupils on r.PupilId equals p.Id
                               where childIds.Contains(r.PupilId) && c.ClosedAt == null && c.OpensOn <= today && c.ClosesOn >= today
                                     // A withdrawn or superseded version no longer takes grants: nothing left to ask with it.
                                     && v.Status == FormVersionStatus.Published && v.SupersededAt == null
                               orderby p.DisplayName, c.Id
                               select new { Campaign = c, Version = v, p.Id, p.DisplayName, p.DateOfBirth }).ToListAsync(ct))
            .Where(r => !ConsentCalendar.IsSixteenOn(r.DateOfBirth, today)).ToList();
        var versionIds = requests.Select(r => r.Version.Id).Distinct().ToList();
        var itemsByVersion = (await db.ConsentFormItems.Where(i => versionIds.Contains(i.VersionId)).ToListAsync(ct))
            .ToLookup(i => i.VersionId, i => (i.MediaType, i.ChannelKey));
        var answered = await db.Decisions.Where(d => childIds.Contains(d.PupilId) && d.GuardianId == guardian.Id)
            .Select(d => new { d.PupilId, d.FormVersionId, d.MediaType, d.ChannelKey }).ToListAsync(ct);

        var pending = new List<PendingRequest>();
        foreach (var request in requests)
        {
            var asked = itemsByVersion[request.Version.Id].ToHashSet();
            var done = answered.Where(a => a.PupilId == request.Id && a.FormVersionId == request.Version.Id)
                .Select(a => (a.MediaType, a.ChannelKey)).ToHashSet();
            if (asked.IsSubsetOf(done))
            {
                continue;
            }
            var english = query.Language == "en" && request.Version.TextEn is not null;
            var matrix = await sender.Send(new GetConsentMatrixQuery(request.Id, null), ct);
            pending.Add(new PendingRequest(request.Campaign.Id, request.Id, request.DisplayName, request.Version.Id,
                request.Version.ContentHash!, english ? "en" : "nl", english ? request.Version.TextEn! : request.Version.TextNl,
                request.Campaign.ClosesOn, matrix.Items.Where(i => asked.Contains((i.MediaType, i.Channel)))
                    .Select(i => GuardianScope.OwnView(i, guardian.Id, hasAuthority: true)).ToList()));
        }
        return new PendingRequestsResponse(pending);
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
