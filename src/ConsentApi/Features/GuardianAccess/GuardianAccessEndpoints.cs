using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
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

/// <summary>A campaign's request for one child, in the language asked for.</summary>
/// <param name="Language">`nl` or `en`: the language of `text` (English when asked and available).</param>
/// <param name="Items">What the form asks, each with its state now for the child.</param>
public sealed record PendingRequest(
    Guid CampaignId,
    Guid PupilId,
    [property: MaxLength(FieldLengths.Name)] string ChildName,
    Guid FormVersionId,
    [property: MaxLength(FieldLengths.ContentHash)] string ContentHash,
    [property: MaxLength(2)] string Language,
    [property: MaxLength(FieldLengths.FormText)] string Text,
    DateOnly ClosesOn,
    [property: MaxLength(60)] IReadOnlyList<ConsentItemState> Items);

public sealed record PendingRequestsResponse([property: MaxLength(200)] IReadOnlyList<PendingRequest> Requests);

/// <summary>The guardian's answers for one child.</summary>
public sealed record ChildDecisions(
    [property: Required] Guid? PupilId,
    [property: Required] Guid? FormVersionId,
    [property: Required, MinLength(1), MaxLength(RecordDecisionsRequest.MaxItems)] IReadOnlyList<ItemDecision> Items);

/// <summary>Answers for several children in one call, as the guardian gave them in the app.</summary>
/// <param name="Language">The language the guardian read: `nl` or `en`.</param>
public sealed record GuardianDecisionsRequest(
    [property: Required, MinLength(1), MaxLength(20)] IReadOnlyList<ChildDecisions> Children,
    [property: AllowedValues(null, "nl", "en")] string? Language);

/// <summary>The decisions recorded for one child, the receipt to keep, and where the parents' app can fetch it again.</summary>
/// <param name="BatchId">Shared by the decisions of this call; also the receipt's id.</param>
/// <param name="ReceiptUrl">The receipt in the parents' app: `GET /v1/parent-app/guardians/{guardianExternalId}/receipts/{batchId}`.</param>
public sealed record GuardianRecordedDecisions(
    Guid BatchId,
    Guid PupilId,
    [property: MaxLength(RecordDecisionsRequest.MaxItems)] IReadOnlyList<DecisionResponse> Decisions,
    ConsentReceipt Receipt,
    [property: MaxLength(300)] string ReceiptUrl)
{
    public static GuardianRecordedDecisions From(RecordedDecisionsResponse recorded, string guardianExternalId) =>
        new(recorded.BatchId, recorded.PupilId, recorded.Decisions, recorded.Receipt,
            $"/v1/parent-app/guardians/{Uri.EscapeDataString(guardianExternalId)}/receipts/{recorded.BatchId}");
}

public sealed record GuardianDecisionsResponse([property: MaxLength(20)] IReadOnlyList<GuardianRecordedDecisions> Children);

/// <summary>Withdraws consent for one item of one child, in one call.</summary>
public sealed record WithdrawalRequest(
    [property: Required] Guid? PupilId,
    [property: Required] MediaType? MediaType,
    [property: Required, StringLength(FieldLengths.ChannelKey, MinimumLength = 2)] string Channel);

internal static class GuardianScope
{
    /// <summary>
    /// The guardian by the admin system's id, and their links to pupils the client may see: pupils at school, and those
    /// who left as well when <paramref name="includeLeft"/> (a withdrawal stays possible after a child left).
    /// </summary>
    public static async Task<(Guardian Guardian, Dictionary<Guid, bool> Children)> ResolveAsync(
        ConsentDbContext db, CurrentClient client, string externalId, bool includeLeft, CancellationToken ct)
    {
        // A client limited to some schools acts only for guardians its schools know: one known only elsewhere in the
        // board answers as an unknown one does, so the answer reveals nothing about other schools.
        var guardian = await db.Guardians.AsNoTracking().VisibleTo(db, client)
                           .SingleOrDefaultAsync(g => g.ExternalId == externalId, ct)
                       ?? throw new NotFoundException("Guardian", externalId);
        var visible = db.Pupils.VisibleTo(client).Where(p => includeLeft || p.Status == PupilStatus.Active).Select(p => p.Id);
        var children = await db.GuardianLinks.AsNoTracking()
            .Where(l => l.GuardianId == guardian.Id && visible.Contains(l.PupilId))
            .ToDictionaryAsync(l => l.PupilId, l => l.HasParentalAuthority, ct);
        return (guardian, children);
    }

    /// <summary>A child that is not this guardian's is not found: the guardian's view holds nothing else.</summary>
    public static bool EnsureChild(Dictionary<Guid, bool> children, Guid pupilId) =>
        children.TryGetValue(pupilId, out var authority) ? authority : throw new NotFoundException("Pupil", pupilId);

    public static void EnsureAuthority(bool hasAuthority)
    {
        if (!hasAuthority)
        {
            throw new ForbiddenException("This guardian has no parental authority over the child: they can see the choices but not make them.");
        }
    }

    /// <summary>
    /// What a guardian may see of an item: its state and reason, and of the decisions only their own. Another guardian's or
    /// the pupil's decisions (ids, notes, proof references) are theirs; a guardian without authority has none.
    /// </summary>
    public static ConsentItemState OwnView(ConsentItemState item, Guid guardianId, bool hasAuthority) =>
        item with { Decisions = hasAuthority ? item.Decisions.Where(d => d.GuardianId == guardianId).ToList() : [] };
}

public sealed record GetChildrenQuery(string GuardianExternalId) : IQuery<ChildrenResponse>;

public sealed class GetChildrenHandler(ConsentDbContext db, CurrentClient client, ISender sender, TimeProvider clock)
    : IQueryHandler<GetChildrenQuery, ChildrenResponse>
{
    public async ValueTask<ChildrenResponse> Handle(GetChildrenQuery query, CancellationToken ct)
    {
        // Children who left are listed too: withdrawing stays possible after a child left (GDPR art. 7(3)).
        var (guardian, children) = await GuardianScope.ResolveAsync(db, client, query.GuardianExternalId, includeLeft: true, ct);
        var today = (await db.CalendarAsync(client.OrganisationId, ct)).DayOf(clock.GetUtcNow());
        var pupils = await db.Pupils.AsNoTracking().Where(p => children.Keys.Contains(p.Id))
            .OrderBy(p => p.DisplayName).ThenBy(p => p.Id)
            .Select(p => new { p.Id, p.DisplayName, p.SchoolId, p.DateOfBirth, p.Status }).ToListAsync(ct);
        var result = new List<ChildResponse>();
        foreach (var pupil in pupils)
        {
            var authority = children[pupil.Id];
            var decidesThemself = ConsentCalendar.IsSixteenOn(pupil.DateOfBirth, today);
            IReadOnlyList<ConsentItemState> consents = [];
            if (!decidesThemself)
            {
                var matrix = await sender.Send(new GetConsentMatrixQuery(pupil.Id, null), ct);
                consents = matrix.Items.Where(i => i.State != ConsentState.NotAsked)
                    .Select(i => GuardianScope.OwnView(i, guardian.Id, authority)).ToList();
            }
            result.Add(new ChildResponse(pupil.Id, pupil.DisplayName, pupil.SchoolId, authority, decidesThemself,
                pupil.Status == PupilStatus.Left, consents));
        }
        return new ChildrenResponse(result);
    }
}

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

public sealed record SubmitGuardianDecisionsCommand(string GuardianExternalId, GuardianDecisionsRequest Request) : ICommand<GuardianDecisionsResponse>;

public sealed class SubmitGuardianDecisionsHandler(
    ConsentDbContext db, CurrentClient client, DecisionRecorder recorder, ConsentChanges changes, AuditScope audit)
    : ICommandHandler<SubmitGuardianDecisionsCommand, GuardianDecisionsResponse>
{
    public async ValueTask<GuardianDecisionsResponse> Handle(SubmitGuardianDecisionsCommand command, CancellationToken ct)
    {
        var (guardian, children) = await GuardianScope.ResolveAsync(db, client, command.GuardianExternalId, includeLeft: true, ct);
        foreach (var child in command.Request.Children)
        {
            GuardianScope.EnsureAuthority(GuardianScope.EnsureChild(children, child.PupilId!.Value));
        }
        // All children at once, in the one order every command locks in: siblings answered by both parents never deadlock.
        await changes.LockForChangeAsync(client.OrganisationId, [.. command.Request.Children.Select(c => c.PupilId!.Value)], ct);
        var recorded = new List<GuardianRecordedDecisions>();
        foreach (var child in command.Request.Children)
        {
            recorded.Add(GuardianRecordedDecisions.From(await recorder.RecordAsync(child.PupilId!.Value, new RecordDecisionsRequest(
                child.FormVersionId, DecidedBy.Guardian, guardian.Id, DecisionMethod.ParentApp, null, null, null, child.Items,
                command.Request.Language), ct), command.GuardianExternalId));
        }
        audit.On("guardian", guardian.Id);
        return new GuardianDecisionsResponse(recorded);
    }
}

public sealed record WithdrawCommand(string GuardianExternalId, WithdrawalRequest Request) : ICommand<GuardianRecordedDecisions>;

public sealed class WithdrawHandler(ConsentDbContext db, CurrentClient client, DecisionRecorder recorder, AuditScope audit)
    : ICommandHandler<WithdrawCommand, GuardianRecordedDecisions>
{
    public async ValueTask<GuardianRecordedDecisions> Handle(WithdrawCommand command, CancellationToken ct)
    {
        var request = command.Request;
        var (guardian, children) = await GuardianScope.ResolveAsync(db, client, command.GuardianExternalId, includeLeft: true, ct);
        var pupilId = request.PupilId!.Value;
        GuardianScope.EnsureAuthority(GuardianScope.EnsureChild(children, pupilId));
        var mediaType = request.MediaType!.Value;

        // Withdraw against the version last answered for the item, or else the newest published version that asks it.
        var schoolId = await db.Pupils.Where(p => p.Id == pupilId).Select(p => p.SchoolId).SingleAsync(ct);
        var versionId = await db.Decisions.Where(d => d.PupilId == pupilId && d.MediaType == mediaType && d.ChannelKey == request.Channel)
                            .OrderByDescending(d => d.GivenAt).ThenByDescending(d => d.Sequence).Select(d => (Guid?)d.FormVersionId).FirstOrDefaultAsync(ct)
                        ?? await (from i in db.ConsentFormItems
                                  join v in db.ConsentFormVersions on i.VersionId equals v.Id
                                  join f in db.ConsentForms on v.FormId equals f.Id
                                  where i.OrganisationId == client.OrganisationId && i.MediaType == mediaType && i.ChannelKey == request.Channel
                                        && v.Status == FormVersionStatus.Published && (f.SchoolId == null || f.SchoolId == schoolId)
                                  orderby v.PublishedAt descending
                                  select (Guid?)v.Id).FirstOrDefaultAsync(ct)
                        ?? throw new RequestValidationException("channel", "No published form asks this item; there is nothing to withdraw.");

        var recorded = await recorder.RecordAsync(pupilId, new RecordDecisionsRequest(versionId, DecidedBy.Guardian, guardian.Id,
            DecisionMethod.ParentApp, null, null, null, [new ItemDecision(mediaType, request.Channel, ConsentOutcome.Refused)]), ct);
        audit.On("guardian", guardian.Id);
        return GuardianRecordedDecisions.From(recorded, command.GuardianExternalId);
    }
}

public static class GuardianAccessEndpoints
{
    public static IEndpointRouteBuilder MapGuardianAccessEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/parent-app/guardians/{guardianExternalId:maxlength(64)}").WithTags("Parents' app")
            .RequireScope(Scopes.GuardianAct);
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
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/decisions", Decide)
            .WithName("SubmitGuardianDecisions")
            .WithSummary("Submit the guardian's answers for several children")
            .WithDescription("""
                All children's answers in one transaction, each with its receipt and the `receiptUrl` to fetch it again.
                A guardian without parental authority over a child can see but not decide, and from the child's 16th
                birthday the child decides: 403 saying why. A child that is not theirs: 404. A grant for a child who left
                the school, or under a form version that was withdrawn, superseded or whose school year ended: 409,
                and nothing of the call is recorded (refusals alone are always recorded).
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/withdrawals", Withdraw)
            .WithName("WithdrawGuardianConsent")
            .WithSummary("Withdraw consent for one item of one child")
            .WithDescription("""
                One call, as easy as granting: records `refused` for the item, also for a child who has left the school
                and under a form version that was withdrawn, superseded or whose school year ended, and returns the receipt with its `receiptUrl`. Effective for the very next check. A guardian without
                parental authority, or of a child of 16 or older (who decides themself): 403.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGetGuardianReceipt();
        return app;
    }

    private static async Task<Ok<ChildrenResponse>> Children(string guardianExternalId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetChildrenQuery(guardianExternalId), ct));

    private static async Task<Ok<PendingRequestsResponse>> Requests(string guardianExternalId, HttpContext context, ISender sender, CancellationToken ct)
    {
        var english = context.Request.GetTypedHeaders().AcceptLanguage
            .OrderByDescending(l => l.Quality ?? 1).FirstOrDefault()?.Value.Value?.StartsWith("en", StringComparison.OrdinalIgnoreCase) == true;
        return TypedResults.Ok(await sender.Send(new GetPendingRequestsQuery(guardianExternalId, english ? "en" : "nl"), ct));
    }

    private static async Task<Ok<GuardianDecisionsResponse>> Decide(
        string guardianExternalId, GuardianDecisionsRequest request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new SubmitGuardianDecisionsCommand(guardianExternalId, request), ct));

    private static async Task<Ok<GuardianRecordedDecisions>> Withdraw(
        string guardianExternalId, WithdrawalRequest request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new WithdrawCommand(guardianExternalId, request), ct));
}
