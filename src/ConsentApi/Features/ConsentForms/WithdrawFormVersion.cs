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

namespace ConsentApi.Features.ConsentForms;

/// <summary>Why a version is withdrawn.</summary>
/// <param name="Reason">For the school's own record, e.g. "Verkeerd kanaal genoemd"; guardians do not see it.</param>
public sealed record WithdrawFormVersionRequest(
    [property: StringLength(FieldLengths.Note, MinimumLength = 1)] string? Reason);

public sealed record WithdrawFormVersionCommand(Guid FormId, int Number, string? Reason) : ICommand<FormVersionResponse>;

public sealed class WithdrawFormVersionHandler(
    ConsentDbContext db, CurrentClient client, ConsentChanges changes, AuditScope audit, TimeProvider clock)
    : ICommandHandler<WithdrawFormVersionCommand, FormVersionResponse>
{
    public async ValueTask<FormVersionResponse> Handle(WithdrawFormVersionCommand command, CancellationToken ct)
    {
        // Grants given to the version end with it, for any pupil of the organisation: like a policy change, the whole
        // organisation waits, and its publications are scanned for takedowns before commit.
        await changes.LockOrganisationForChangeAsync(client.OrganisationId, ct);
        var form = await db.FindFormAsync(client, command.FormId, ct);
        form.EnsureMayChange(client);
        var version = form.Versions.SingleOrDefault(v => v.Number == command.Number)
                      ?? throw new NotFoundException("Form version", command.Number);
        if (version.IsDraft)
        {
            throw new ConflictException($"Version {version.Number} is a draft and was never asked; edit it instead, or leave it unpublished.");
        }
        if (version.Status == FormVersionStatus.Withdrawn)
        {
            // A retry changes nothing: the first withdrawal's moment and reason stand.
            return version.ToResponse();
        }

        // The pupils whose grants end are noted before the change, so that their changed states are announced.
        var granted = await db.Decisions.Where(d => d.FormVersionId == version.Id && d.Outcome == ConsentOutcome.Granted)
            .Select(d => d.PupilId).Distinct().ToListAsync(ct);
        await changes.WillChangeAsync(granted, ct);

        version.Withdraw(clock.GetUtcNow(), string.IsNullOrWhiteSpace(command.Reason) ? null : command.Reason.Trim());
        audit.On("consent-form", form.Id);
        return version.ToResponse();
    }
}

public static class WithdrawFormVersionEndpoint
{
    public static RouteHandlerBuilder MapWithdrawFormVersion(this RouteGroupBuilder group) =>
        group.MapPost("/{formId:guid}/versions/{number:int}/withdraw", Handle)
            .WithName("WithdrawFormVersion")
            .WithETag<Domain.Consent.ConsentFormVersion>(ConsentFormAccess.VersionRowOf)
            .WithSummary("Withdraw a published version")
            .WithDescription("""
                Takes a published version back, for instance because its text was wrong. From this moment on it is no
                longer asked, new grants under it are refused, and grants given to it no longer count: the item becomes
                `expired` (reason `form-version-withdrawn`) until the guardian or pupil grants again under another version,
                and takedowns open for publications that relied on them. Refusals given under it keep counting, and
                refusals can still be recorded against it. Checks of moments before the withdrawal answer as before.
                The content and hash stay, so that decisions keep proving what was agreed to. The reason (optional) is
                kept with the version. Withdrawing a withdrawn version again changes nothing and returns it as it is;
                a draft cannot be withdrawn (409): it was never asked.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Ok<FormVersionResponse>> Handle(
        Guid formId, int number, WithdrawFormVersionRequest? request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(new WithdrawFormVersionCommand(formId, number, request?.Reason), ct));
}
