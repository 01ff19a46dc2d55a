using System.Text;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Http;
using ConsentApi.Infrastructure.OpenApi;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Campaigns;

public sealed record CreateCampaignCommand(Guid SchoolId, CreateCampaignRequest Request) : ICommand<CampaignResponse>;

/// <summary>Opens a campaign: every active pupil of the school gets a request; pupils who join while it is open get one too.</summary>
public sealed class CreateCampaignHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CreateCampaignCommand, CampaignResponse>
{
    public async ValueTask<CampaignResponse> Handle(CreateCampaignCommand command, CancellationToken ct)
    {
        var request = command.Request;
        await db.EnsureSchoolVisibleAsync(command.SchoolId, client, ct);
        if (!SchoolYears.IsValid(request.SchoolYear))
        {
            throw new RequestValidationException("schoolYear", "A school year is two consecutive years, e.g. \"2026-2027\".");
        }
        if (request.ClosesOn < request.OpensOn)
        {
            throw new RequestValidationException("closesOn", "A campaign closes on or after the day it opens.");
        }
        var version = await db.ConsentFormVersions.AsNoTracking()
                          .Where(v => v.Id == request.FormVersionId && db.ConsentForms.Any(f => f.Id == v.FormId
                              && f.OrganisationId == client.OrganisationId && (f.SchoolId == null || f.SchoolId == command.SchoolId)))
                          .SingleOrDefaultAsync(ct)
                      ?? throw new NotFoundException("Form version", request.FormVersionId!.Value);
        if (!version.IsPublished)
        {
            throw new ConflictException($"A campaign asks a published form version; this one is {(version.IsDraft ? "a draft" : "withdrawn")}.");
        }
        if (version.SupersededAt is not null)
        {
            // Grants under a superseded version are refused: asking it would collect nothing.
            throw new ConflictException($"Form version {version.Number} was superseded by a later version; a campaign asks the current one.");
        }
        if (version.Validity == ConsentValidity.SchoolYear && version.SchoolYear != request.SchoolYear)
        {
            // Answers to a school-year form count only in that school year: asking it in another would collect nothing.
            throw new RequestValidationException("schoolYear",
                $"The form version asks consent for school year {version.SchoolYear}; a campaign for {request.SchoolYear} cannot ask it.");
        }

        var now = clock.GetUtcNow();
        var campaign = new Campaign
        {
            OrganisationId = client.OrganisationId, SchoolId = command.SchoolId, SchoolYear = request.SchoolYear,
            FormVersionId = version.Id, OpensOn = request.OpensOn!.Value, ClosesOn = request.ClosesOn!.Value, CreatedAt = now,
        };
        db.Campaigns.Add(campaign);
        var pupils = await db.Pupils.Where(p => p.SchoolId == command.SchoolId && p.Status == PupilStatus.Active).Select(p => p.Id).ToListAsync(ct);
        db.ConsentRequests.AddRange(pupils.Select(id => new ConsentRequest { CampaignId = campaign.Id, PupilId = id, CreatedAt = now }));
        await db.SaveChangesAsync(ct);
        audit.On("campaign", campaign.Id);
        return await CampaignReads.ResponseAsync(db, campaign, now, ct);
    }
}

public sealed record CloseCampaignCommand(Guid CampaignId) : ICommand<CampaignResponse>;

public sealed class CloseCampaignHandler(ConsentDbContext db, CurrentClient client, AuditScope audit, TimeProvider clock)
    : ICommandHandler<CloseCampaignCommand, CampaignResponse>
{
    public async ValueTask<CampaignResponse> Handle(CloseCampaignCommand command, CancellationToken ct)
    {
        var campaign = await CampaignReads.FindAsync(db, client, command.CampaignId, tracking: true, ct);
        var now = clock.GetUtcNow();
        campaign.ClosedAt ??= now;
        audit.On("campaign", campaign.Id);
        return await CampaignReads.ResponseAsync(db, campaign, now, ct);
    }
}

public sealed record GetCampaignQuery(Guid CampaignId) : IQuery<CampaignResponse>;

public sealed class GetCampaignHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock) : IQueryHandler<GetCampaignQuery, CampaignResponse>
{
    public async ValueTask<CampaignResponse> Handle(GetCampaignQuery query, CancellationToken ct) =>
        await CampaignReads.ResponseAsync(db, await CampaignReads.FindAsync(db, client, query.CampaignId, tracking: false, ct), clock.GetUtcNow(), ct);
}

/// <summary>A school's campaigns, newest last.</summary>
public sealed record CampaignList([property: System.ComponentModel.DataAnnotations.MaxLength(500)] IReadOnlyList<CampaignResponse> Items);

public sealed record ListCampaignsQuery(Guid SchoolId) : IQuery<CampaignList>;

public sealed class ListCampaignsHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock) : IQueryHandler<ListCampaignsQuery, CampaignList>
{
    public async ValueTask<CampaignList> Handle(ListCampaignsQuery query, CancellationToken ct)
    {
        await db.EnsureSchoolVisibleAsync(query.SchoolId, client, ct);
        var now = clock.GetUtcNow();
        var campaigns = await db.Campaigns.AsNoTracking().Where(c => c.SchoolId == query.SchoolId)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(500).ToListAsync(ct);
        var responses = new List<CampaignResponse>();
        foreach (var campaign in campaigns)
        {
            responses.Add(await CampaignReads.ResponseAsync(db, campaign, now, ct));
        }
        return new CampaignList(responses);
    }
}

public sealed record GetNonRespondersQuery(Guid CampaignId) : IQuery<NonResponderList>;

public sealed class GetNonRespondersHandler(ConsentDbContext db, CurrentClient client, TimeProvider clock)
    : IQueryHandler<GetNonRespondersQuery, NonResponderList>
{
    public async ValueTask<NonResponderList> Handle(GetNonRespondersQuery query, CancellationToken ct)
    {
        var campaign = await CampaignReads.FindAsync(db, client, query.CampaignId, tracking: false, ct);
        var now = clock.GetUtcNow();
        var today = (await db.CalendarAsync(campaign.OrganisationId, ct)).DayOf(now);
        var states = await db.StatesAsync(campaign, now, ct);
        return new NonResponderList(campaign.Id, states
            .Where(s => s.Answered < s.Items)
            .OrderBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.PupilId)
            .Select(s => new NonResponder(s.PupilId, s.ExternalId, s.DisplayName, s.GroupId, s.Answered, s.Items,
                ConsentCalendar.IsSixteenOn(s.DateOfBirth, today)
                    ? [new ReminderTarget("pupil", null, s.ExternalId)]
                    : s.Remind.OrderBy(a => a.ExternalId, StringComparer.Ordinal).Select(a => new ReminderTarget("guardian", a.GuardianId, a.ExternalId)).ToList()))
            .ToList());
    }
}

internal static class CampaignReads
{
    public static async Task<Campaign> FindAsync(ConsentDbContext db, CurrentClient client, Guid id, bool tracking, CancellationToken ct)
    {
        var visibleSchools = db.Schools.VisibleTo(client).Select(s => s.Id);
        var campaigns = tracking ? db.Campaigns : db.Campaigns.AsNoTracking();
        return await campaigns.SingleOrDefaultAsync(c => c.Id == id && visibleSchools.Contains(c.SchoolId), ct)
               ?? throw new NotFoundException("Campaign", id);
    }

    public static async Task<CampaignResponse> ResponseAsync(ConsentDbContext db, Campaign campaign, DateTimeOffset now, CancellationToken ct)
    {
        var today = (await db.CalendarAsync(campaign.OrganisationId, ct)).DayOf(now);
        var states = await db.StatesAsync(campaign, now, ct);
        var groupIds = states.Select(s => s.GroupId).OfType<Guid>().Distinct().ToList();
        var groupNames = await db.Groups.Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.Name, ct);
        var status = campaign.IsOpenOn(today) ? "open" : campaign.ClosedAt is null && today < campaign.OpensOn ? "scheduled" : "closed";
        return new CampaignResponse(campaign.Id, campaign.SchoolId, campaign.SchoolYear, campaign.FormVersionId, campaign.OpensOn,
            campaign.ClosesOn, status, campaign.CreatedAt, campaign.ClosedAt, CampaignProgressQueries.Progress(states),
            states.GroupBy(s => s.GroupId)
                .Select(g => new GroupProgress(g.Key, g.Key is { } id ? groupNames[id] : null, CampaignProgressQueries.Progress(g)))
                .OrderBy(g => g.GroupName, StringComparer.OrdinalIgnoreCase)
                .ToList());
    }
}

public static class CampaignEndpoints
{
    private const string Csv = "text/csv";

    public static IEndpointRouteBuilder MapCampaignEndpoints(this IEndpointRouteBuilder app)
    {
        var schools = app.MapGroup("/v1/schools").WithTags("Campaigns");
        schools.MapPost("/{schoolId:guid}/campaigns", Create)
            .WithName("CreateCampaign")
            .WithSummary("Ask every family of a school for consent")
            .WithDescription("""
                Opens a campaign for a school year with one published form version: every active pupil gets a request,
                answered by their guardians with parental authority (or by the pupil from 16). Pupils who join through
                the roster while it is open are asked too. Answers given to an earlier form version keep counting until
                they expire or are withdrawn: a new campaign asks again, it does not cancel consent. A draft, withdrawn
                or superseded version cannot be asked (409): grants under it would be refused.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(Scopes.Admin);
        schools.MapGet("/{schoolId:guid}/campaigns", List)
            .WithName("ListCampaigns")
            .WithSummary("List a school's campaigns")
            .WithDescription("Every campaign of the school with its progress.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ConsentRead);

        var campaigns = app.MapGroup("/v1/campaigns").WithTags("Campaigns");
        campaigns.MapGet("/{campaignId:guid}", Get)
            .WithName("GetCampaign")
            .WithSummary("Get a campaign and its progress")
            .WithDescription("Requested, answered fully, answered partly and not answered, for the school and per group.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ConsentRead);
        campaigns.MapGet("/{campaignId:guid}/non-responders", NonResponders)
            .WithName("ListCampaignNonResponders")
            .WithSummary("Who has not (fully) answered")
            .WithDescription("""
                The pupils whose request is not fully answered, with whom to remind by the admin system's external id:
                under the organisation policy `any-guardian` the guardians with parental authority (one answer per item
                completes it); under `all-guardians` an item counts as answered only when every guardian with parental
                authority answered it, and the guardians to remind are those who have not answered every item; from 16
                the pupil. As JSON, or as CSV with `Accept: text/csv` (one row per person to remind).
                """)
            .Produces<NonResponderList>(StatusCodes.Status200OK, "application/json", Csv)
            .WithMetadata(new TextRepresentations(Csv))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ConsentRead);
        campaigns.MapPost("/{campaignId:guid}/close", Close)
            .WithName("CloseCampaign")
            .WithSummary("Close a campaign")
            .WithDescription("Stops asking pupils who join. Open requests stay visible and count as not answered.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.Admin);
        return app;
    }

    private static async Task<Created<CampaignResponse>> Create(Guid schoolId, CreateCampaignRequest request, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateCampaignCommand(schoolId, request), ct);
        return TypedResults.Created($"/v1/campaigns/{created.Id}", created);
    }

    private static async Task<Ok<CampaignList>> List(Guid schoolId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new ListCampaignsQuery(schoolId), ct));

    private static async Task<Ok<CampaignResponse>> Get(Guid campaignId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new GetCampaignQuery(campaignId), ct));

    private static async Task<Ok<CampaignResponse>> Close(Guid campaignId, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new CloseCampaignCommand(campaignId), ct));

    private static async Task<IResult> NonResponders(Guid campaignId, HttpContext context, ISender sender, CancellationToken ct)
    {
        var list = await sender.Send(new GetNonRespondersQuery(campaignId), ct);
        var wantsCsv = context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Value == Csv);
        if (!wantsCsv)
        {
            return TypedResults.Ok(list);
        }
        var csv = new StringBuilder("pupilId,pupilExternalId,answered,items,remindType,remindExternalId\r\n");
        foreach (var pupil in list.Pupils)
        {
            foreach (var target in pupil.Remind)
            {
                csv.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"{pupil.PupilId},{CsvText.Field(pupil.ExternalId)},{pupil.Answered},{pupil.Items},{target.Type},{CsvText.Field(target.ExternalId)}\r\n");
            }
        }
        return TypedResults.Text(CsvText.ByteOrderMark + csv, CsvText.ContentType);
    }
}
