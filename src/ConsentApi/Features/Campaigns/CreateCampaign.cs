using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Idempotency;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Campaigns;

/// <summary>A new consent campaign of a school.</summary>
/// <param name="SchoolYear">The school year asked for, e.g. "2026-2027".</param>
/// <param name="FormVersionId">The published form version every family is asked to answer.</param>
/// <param name="OpensOn">The first day of the campaign.</param>
/// <param name="ClosesOn">The last day; pupils who join the school until then are asked too.</param>
public sealed record CreateCampaignRequest(
    [property: Required, StringLength(FieldLengths.SchoolYear, MinimumLength = 9), RegularExpression(SchoolYears.Pattern)] string SchoolYear,
    [property: Required] Guid? FormVersionId,
    [property: Required] DateOnly? OpensOn,
    [property: Required] DateOnly? ClosesOn);

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

public static class CreateCampaignEndpoint
{
    public static RouteHandlerBuilder MapCreateCampaign(this RouteGroupBuilder group) =>
        group.MapPost("/{schoolId:guid}/campaigns", Create)
            .WithName("CreateCampaign")
            .AcceptsIdempotencyKey()
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
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Created<CampaignResponse>> Create(Guid schoolId, CreateCampaignRequest request, ISender sender, CancellationToken ct)
    {
        var created = await sender.Send(new CreateCampaignCommand(schoolId, request), ct);
        return TypedResults.Created($"/v1/campaigns/{created.Id}", created);
    }
}
