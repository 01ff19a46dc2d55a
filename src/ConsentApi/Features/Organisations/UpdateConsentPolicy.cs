using System.ComponentModel.DataAnnotations;
using ConsentApi.Domain;
using ConsentApi.Domain.Consent;
using ConsentApi.Features.Consents;
using ConsentApi.Infrastructure.Auth;
using ConsentApi.Infrastructure.Errors;
using ConsentApi.Infrastructure.Persistence;
using ConsentApi.Infrastructure.Pipeline;
using ConsentApi.Infrastructure.Preconditions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConsentApi.Features.Organisations;

/// <summary>The organisation's consent policy.</summary>
/// <param name="GrantRequires">`any-guardian` or `all-guardians`.</param>
/// <param name="SchoolYearEndMonth">With the day: the last day of every school year (default 31 July).</param>
/// <param name="TimeZone">The IANA time zone whose local days count (default `Europe/Amsterdam`): Dutch law counts local days.</param>
/// <param name="AfterLeaving">`ends` (default): grants end when a pupil leaves the school, and a pupil who returns is asked again; `continues`: they keep counting.</param>
public sealed record ConsentPolicyRequest(
    [property: Required] GrantRequires? GrantRequires,
    [property: Required, Range(1, 12)] int? SchoolYearEndMonth,
    [property: Required, Range(1, 31)] int? SchoolYearEndDay,
    [property: StringLength(FieldLengths.TimeZone, MinimumLength = 3)] string? TimeZone,
    ConsentAfterLeaving? AfterLeaving = null);

public sealed record UpdateConsentPolicyCommand(Guid OrganisationId, ConsentPolicyRequest Policy) : ICommand<OrganisationResponse>;

public sealed class UpdateConsentPolicyHandler(ConsentDbContext db, CurrentClient client, ConsentChanges changes, AuditScope audit)
    : ICommandHandler<UpdateConsentPolicyCommand, OrganisationResponse>
{
    public async ValueTask<OrganisationResponse> Handle(UpdateConsentPolicyCommand command, CancellationToken ct)
    {
        if (command.OrganisationId != client.OrganisationId)
        {
            throw new NotFoundException("Organisation", command.OrganisationId);
        }
        if (client.IsLimitedToSchools)
        {
            throw new ForbiddenException("The consent policy is the whole organisation's; a client limited to some schools cannot change it.");
        }
        var (month, day) = (command.Policy.SchoolYearEndMonth!.Value, command.Policy.SchoolYearEndDay!.Value);
        if (day > DateTime.DaysInMonth(2001, month))
        {
            throw new RequestValidationException("schoolYearEndDay", $"Month {month} has no day {day}.");
        }
        var timeZone = command.Policy.TimeZone ?? ConsentCalendar.DefaultTimeZone;
        if (!ConsentCalendar.IsKnown(timeZone))
        {
            throw new RequestValidationException("timeZone", $"'{timeZone}' is not an IANA time zone, such as \"Europe/Amsterdam\".");
        }

        await changes.LockOrganisationForChangeAsync(command.OrganisationId, ct);
        var organisation = await db.Organisations.SingleAsync(o => o.Id == command.OrganisationId, ct);
        organisation.GrantRequires = command.Policy.GrantRequires!.Value;
        organisation.SchoolYearEndMonth = month;
        organisation.SchoolYearEndDay = day;
        organisation.TimeZone = timeZone;
        organisation.AfterLeaving = command.Policy.AfterLeaving ?? ConsentAfterLeaving.Ends;
        await db.SaveChangesAsync(ct);
        audit.On("organisation", organisation.Id);
        return organisation.ToResponse();
    }
}

public static class UpdateConsentPolicyEndpoint
{
    public static RouteHandlerBuilder MapUpdateConsentPolicy(this RouteGroupBuilder group) =>
        group.MapPut("/{organisationId:guid}/consent-policy", Handle)
            .WithName("UpdateConsentPolicy")
            .WithETag<Domain.Organisation>("organisationId")
            .WithSummary("Set the organisation's consent policy")
            .WithDescription("""
                `grantRequires`: whether one guardian with parental authority granting suffices (`any-guardian`, the
                default) or every such guardian must grant (`all-guardians`); a refusal by any of them always blocks.
                The school-year end (default 31 July) is when consent given for a school year ends. `timeZone` (an IANA
                zone, default `Europe/Amsterdam`) decides the local days that count: the 16th birthday, the school-year
                end and "today". `afterLeaving`: whether consent ends when a pupil leaves (`ends`, the default: consent
                holds "while your child is at this school") or continues. A change takes effect from now on: answers
                for earlier moments keep the policy that held then.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<OrganisationResponse>> Handle(
        Guid organisationId, ConsentPolicyRequest policy, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new UpdateConsentPolicyCommand(organisationId, policy), ct));
}
